"""The embedded DynamoDB: moto's in-memory backend with the service's table.

moto runs in the server's own process (no Docker, no separate server), and the process is
cut off from any real AWS account first: dummy credentials, a fixed region, no profile and
no endpoint override can reach AWS even if moto missed a call.

This module is the one place where moto is adapted, so that the local run holds realistic
sizes: its time per request follows what the request reads, and its memory the data it
holds. Each adaptation lasts as long as the embedded table runs (``adapted_moto``) and keeps
moto's answers as they were; ``tests/unit/test_emulator*.py`` hold them to moto's own
answers and fail if a moto release changes what they rely on, as ``MotoChanged`` does at
start.

- ``item_level_rollback``: moto's ``TransactWriteItems`` deep-copies every table a
  transaction names, so that it can put the copy back if the transaction fails: every POST
  and DELETE cost time and memory in proportion to the whole table (36 s and 10.8 GB after
  ~5,000 sessions). Instead, the items the transaction names are copied, moto's whole-table
  copy is made a reference to the table itself, and on failure those items alone are put
  back: the same atomicity at the cost of the transaction's own items.
- ``partition_queries``: moto's ``Query`` sorts every item of the table to find the
  partition it names (``Table.all_items``), so every Query cost time in proportion to the
  table. During a Query of the table or of a local index, the table's items are that
  partition's alone; moto then sorts, pages and filters them as before. (A global index
  spans partitions: its Query is left as it is; the service has none.)
- ``live_instances_only``: every moto model (each item, each copy of one, each stream
  record and shard iterator) adds itself to a class-wide list for moto's server dashboard,
  which the local run does not serve: nothing moto built was ever freed. The list becomes
  weak: it names the live instances and keeps none alive.
- ``forget_delivered`` and ``forget_shard_iterators``: AWS keeps a stream's records for 24
  hours and a shard iterator for 15 minutes, moto both for ever. The local stream pump is
  the stream's only reader: once it has delivered a record, the record is dropped, and the
  iterators it read with once it is done.
- ``tapped_bus``: moto keeps nothing an EventBridge bus took unless a rule sends it on, and
  each rule's target costs it about 25 ms an event, a queue's in proportion to the messages
  it holds (a table seeded with 20,000 sessions had not finished publishing after 20 minutes).
  ``GET /local/events`` is therefore fed from PutEvents' own answers: each event the bus
  took, as a rule's target would receive it. Rules still run (the LRS's, with
  ``LRS_ENDPOINT``). Entered by the local bus (``LocalBus.running``), which names the bus.
"""

from __future__ import annotations

import copy
import datetime
import functools
import inspect
import json
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import ExitStack, contextmanager
from importlib import metadata
from typing import Any

import boto3
from moto import mock_aws
from moto.core.model_instances import model_data
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import LocalSecondaryIndex, Table
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.events.models import EventsBackend

from stats_api.shared_names import ANALYTICS_TABLE_ENV, HISTORY_ENV, TABLE_NAME_ENV
from stats_devkit.tables import create_analytics_table, create_table

TABLE_NAME = "stats-local"
ANALYTICS_TABLE_NAME = "stats-analytics-local"
REGION = "us-east-1"

_DUMMY_SETTINGS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    # A developer's config files may name profiles, SSO sessions or endpoints.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Anything that could point a client at real credentials or another endpoint.
_REAL_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


def isolate_from_aws(environ: MutableMapping[str, str], table_name: str) -> None:
    """Point ``environ`` at the embedded table with dummy credentials, and nothing real; the
    history and analytics routes are on, as the local run serves every route."""
    for name in _REAL_AWS_SETTINGS:
        environ.pop(name, None)
    environ.update(_DUMMY_SETTINGS)
    environ[TABLE_NAME_ENV] = table_name
    environ[HISTORY_ENV] = "on"
    environ[ANALYTICS_TABLE_ENV] = ANALYTICS_TABLE_NAME


@contextmanager
def embedded_dynamodb(table_name: str = TABLE_NAME) -> Iterator[None]:
    """moto's DynamoDB with the service's empty table, for as long as the block runs."""
    isolate_from_aws(os.environ, table_name)
    with mock_aws(), adapted_moto():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, table_name, stream=True)
        create_analytics_table(client, ANALYTICS_TABLE_NAME)
        yield


class MotoChanged(RuntimeError):
    """moto no longer has what an adaptation here relies on: adapt this module to it."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        version = metadata.version("moto")
        raise MotoChanged(f"moto {version}: {what}; local_run/emulator.py needs adapting")


@contextmanager
def adapted_moto() -> Iterator[None]:
    """Every adaptation of moto (module docstring), for as long as the block runs; inside
    ``mock_aws``, which resets moto's instance lists when it ends."""
    with ExitStack() as adaptations:
        adaptations.enter_context(item_level_rollback())
        adaptations.enter_context(partition_queries())
        adaptations.enter_context(live_instances_only())
        yield


_Transact = Callable[[DynamoDBBackend, list[dict[str, Any]]], None]
_ItemKey = tuple[Table, DynamoType, DynamoType | None]


@contextmanager
def item_level_rollback() -> Iterator[None]:
    """moto's ``TransactWriteItems``, rolling back only the items it names (module docstring)."""
    moto_transact: _Transact = DynamoDBBackend.transact_write_items

    @functools.wraps(moto_transact)
    def transact_write_items(
        backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
    ) -> None:
        keys = _named_items(backend, transact_items)
        before = {key: copy.deepcopy(_stored(*key)) for key in keys}
        tables = {key[0] for key in keys}
        # Stream records of the items written before a later item failed: a transaction
        # that did not happen must leave none (the analytics would count it).
        streamed = {t: len(t.stream_shard.items) for t in tables if t.stream_shard is not None}
        for table in tables:
            # moto's copy.deepcopy(table) now returns the table itself: no whole-table copy,
            # and its rollback (putting "the copy" back) changes nothing.
            vars(table)["__deepcopy__"] = functools.partial(_itself, table)
        try:
            moto_transact(backend, transact_items)
        except BaseException:
            for key, item in before.items():
                _restore(*key, item)
            for table, length in streamed.items():
                del table.stream_shard.items[length:]  # type: ignore[union-attr]
            raise
        finally:
            for table in tables:
                del vars(table)["__deepcopy__"]

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = moto_transact  # type: ignore[assignment,method-assign]


def _itself(table: Table, _memo: object) -> Table:
    return table


def _named_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[_ItemKey]:
    """The (table, hash, range) of every item the transaction names, in tables that exist."""
    keys: list[_ItemKey] = []
    for entry in transact_items:
        for kind, operation in entry.items():
            table = backend.tables.get(operation.get("TableName"))
            attributes = operation.get("Item" if kind == "Put" else "Key") or {}
            if table is None or table.hash_key_attr not in attributes:
                continue  # moto refuses it before changing anything
            range_attr = table.range_key_attr
            if range_attr is not None and range_attr not in attributes:
                continue
            hash_value = DynamoType(attributes[table.hash_key_attr])
            range_value = None if range_attr is None else DynamoType(attributes[range_attr])
            keys.append((table, hash_value, range_value))
    return keys


def _stored(table: Table, hash_value: DynamoType, range_value: DynamoType | None) -> Any:
    return table.get_item(hash_value, range_value)


def _restore(
    table: Table, hash_value: DynamoType, range_value: DynamoType | None, item: Any
) -> None:
    """Put back the item as it was before the transaction (or its absence)."""
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        return
    partition = table.items[hash_value]
    if item is None:
        partition.pop(range_value, None)
    else:
        partition[range_value] = item


_QUERY_PARAMETERS = frozenset({"hash_key", "index_name", "hash_key_conditions"})


@contextmanager
def partition_queries() -> Iterator[None]:
    """moto's ``Query``, reading only the partition it names (module docstring)."""
    moto_query = Table.query
    signature = inspect.signature(moto_query)
    _require(
        set(signature.parameters) >= _QUERY_PARAMETERS
        and "self.all_items()" in inspect.getsource(moto_query),
        "Table.query no longer takes its key conditions, or no longer finds its items with "
        "all_items()",
    )

    @functools.wraps(moto_query)
    def query(table: Table, *args: Any, **kwargs: Any) -> Any:
        partition = _queried_partition(table, signature.bind(table, *args, **kwargs).arguments)
        if partition is None:
            return moto_query(table, *args, **kwargs)
        vars(table)["all_items"] = lambda: partition  # moto's query reads it through self
        try:
            return moto_query(table, *args, **kwargs)
        finally:
            del vars(table)["all_items"]

    Table.query = query  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        Table.query = moto_query  # type: ignore[method-assign]


def _queried_partition(table: Table, arguments: dict[str, Any]) -> list[Item] | None:
    """The items of the partition a Query of ``table`` or of one of its local indexes
    names, in moto's ``all_items`` order; None where moto's own way stays (a global index,
    or an index that does not exist: moto refuses it)."""
    index_name = arguments.get("index_name")
    if index_name is None:
        hash_value = arguments.get("hash_key")
    elif any(
        isinstance(index, LocalSecondaryIndex) and index.name == index_name
        for index in table.indexes
    ):
        # A local index shares the table's partition key.
        conditions = dict(arguments.get("hash_key_conditions") or ())
        hash_value = conditions.get(table.hash_key_attr)
    else:
        return None
    if hash_value is None:
        return None
    stored = table.items.get(hash_value)
    if stored is None:
        return []
    if not table.range_key_attr:
        return [stored]  # type: ignore[list-item] # a hash-only table keeps its items there
    return sorted(stored.values(), key=lambda item: item.range_key)


class _LiveInstances:
    """A model's list of instances for moto's dashboard, keeping none of them alive (by
    identity: moto's items compare by value and cannot be hashed)."""

    def __init__(self, instances: Iterable[Any]) -> None:
        self._live: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        self._live[id(instance)] = instance

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._live.values()))

    def __len__(self) -> int:
        return len(self._live)


@contextmanager
def live_instances_only() -> Iterator[None]:
    """moto's DynamoDB models track their live instances only (module docstring)."""
    models: list[Any] = [
        model
        for service in ("dynamodb", "dynamodbstreams")
        for model in model_data[service].values()
    ]
    _require(
        Item in models
        and all(isinstance(vars(model).get("instances_tracked"), list) for model in models),
        "its models no longer keep their instances in an instances_tracked list",
    )
    for model in models:
        model.instances_tracked = _LiveInstances(model.instances_tracked)
    try:
        yield
    finally:
        for model in models:
            model.instances_tracked = list(model.instances_tracked)


def forget_shard_iterators(region: str) -> None:
    """Drop every shard iterator of the region's streams: the local pump, their only
    reader, takes a new one for each read (module docstring)."""
    dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][region].shard_iterators.clear()


def forget_delivered(table_name: str, region: str, through_sequence_number: str) -> None:
    """Drop ``table_name``'s stream records up to and including ``through_sequence_number``.

    moto numbers a record ``starting_sequence_number`` + its index and reads a shard
    iterator's position the same way, so the start moves up by as many as are dropped: later
    records keep their numbers and iterators after them keep working.
    """
    table: Table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(table_name)
    shard = table.stream_shard
    if shard is None:
        return
    delivered = int(through_sequence_number) - shard.starting_sequence_number + 1
    if delivered > 0:
        del shard.items[:delivered]
        shard.starting_sequence_number += delivered


Took = Callable[[dict[str, Any]], None]
_PutEvents = Callable[[EventsBackend, list[dict[str, Any]]], list[dict[str, Any]]]


@contextmanager
def tapped_bus(bus_name: str, took: Took) -> Iterator[None]:
    """moto's PutEvents as it is, and each event the bus ``bus_name`` took (an ``EventId`` in
    its answer) also handed to ``took``, as a rule's target receives it (module docstring)."""
    moto_put: _PutEvents = EventsBackend.put_events
    _require(
        list(inspect.signature(moto_put).parameters) == ["self", "events"],
        "EventsBackend.put_events(events) changed",
    )

    @functools.wraps(moto_put)
    def put_events(backend: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answers = moto_put(backend, events)
        for event, answer in zip(events, answers, strict=True):
            named = str(event.get("EventBusName") or "default").rsplit("/", 1)[-1]
            if "EventId" in answer and named == bus_name:
                took(_as_delivered(backend, event, str(answer["EventId"])))
        return answers

    EventsBackend.put_events = put_events  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        EventsBackend.put_events = moto_put  # type: ignore[assignment,method-assign]


def _as_delivered(backend: EventsBackend, event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """A PutEvents entry as EventBridge hands it to a rule's target.
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html"""
    sent = event.get("Time")  # seconds since the epoch, as boto3 sends a timestamp
    instant = (
        datetime.datetime.fromtimestamp(float(sent), datetime.UTC)
        if sent is not None
        else datetime.datetime.now(datetime.UTC)
    )
    return {
        "version": "0",
        "id": event_id,
        "detail-type": event["DetailType"],
        "source": event["Source"],
        "account": backend.account_id,
        "time": instant.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": backend.region_name,
        "resources": list(event.get("Resources", [])),
        "detail": json.loads(event["Detail"]),
    }
