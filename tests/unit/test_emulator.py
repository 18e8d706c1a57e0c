"""The embedded DynamoDB's transaction adaptation (local_run.emulator.item_level_rollback): a
transaction copies only the items it names, not whole tables, and a failed transaction
still leaves every item as it was (the other adaptations: test_emulator_queries.py and
test_emulator_memory.py). Fails if a moto release changes what the change relies
on (run on the pinned moto, as the local run is)."""

from __future__ import annotations

import copy
import os
import tracemalloc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.backends import get_backend
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from local_run.emulator import embedded_dynamodb, item_level_rollback
from local_run.stream import StreamPump
from stats_devkit.tables import create_table

TABLE = "stats-emulator"
USER = "learner-1"
SEEDED = 3_000


def key(sort_key: str) -> dict[str, Any]:
    return {"userId": {"S": USER}, "sessionId": {"S": sort_key}}


def session(sort_key: str, minutes: int) -> dict[str, Any]:
    return {**key(sort_key), "courseId": {"S": "algebra-1"}, "timeStudied": {"N": str(minutes)}}


def add_minutes(sort_key: str, minutes: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key(sort_key),
            "UpdateExpression": "ADD timeStudied :m, sessionCount :one",
            "ExpressionAttributeValues": {":m": {"N": str(minutes)}, ":one": {"N": "1"}},
        }
    }


def put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": TABLE,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(sessionId)",
        }
    }


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws(), item_level_rollback():
        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE)
        for number in range(0, SEEDED, 25):
            dynamodb.batch_write_item(
                RequestItems={
                    TABLE: [
                        {"PutRequest": {"Item": session(f"s{n:05}", n)}}
                        for n in range(number, min(number + 25, SEEDED))
                    ]
                }
            )
        dynamodb.put_item(
            TableName=TABLE, Item={**key("course#algebra-1"), "timeStudied": {"N": "7"}}
        )
        yield dynamodb


def whole_table(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": TABLE, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda item: item["sessionId"]["S"])
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def cancelled(client: Any, *items: dict[str, Any]) -> list[str]:
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=list(items))
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    return [reason["Code"] for reason in raised.value.response["CancellationReasons"]]


def test_should_commit_a_transaction_whole(client: Any) -> None:
    client.transact_write_items(
        TransactItems=[add_minutes("course#algebra-1", 5), put_new(session("new", 5))]
    )
    aggregate = client.get_item(TableName=TABLE, Key=key("course#algebra-1"))["Item"]
    assert aggregate["timeStudied"] == {"N": "12"}
    assert client.get_item(TableName=TABLE, Key=key("new"))["Item"] == session("new", 5)


def test_should_leave_every_item_as_it_was_when_a_condition_fails(client: Any) -> None:
    before = whole_table(client)
    # The first item is applied (moto works item by item) before the second one fails.
    reasons = cancelled(client, add_minutes("course#algebra-1", 5), put_new(session("s00001", 9)))
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert whole_table(client) == before


def test_should_undo_a_delete_and_a_new_item_when_a_later_check_fails(client: Any) -> None:
    before = whole_table(client)
    failing_check = {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": key("course#algebra-1"),
            "ConditionExpression": "timeStudied = :other",
            "ExpressionAttributeValues": {":other": {"N": "8"}},
        }
    }
    reasons = cancelled(
        client,
        {"Delete": {"TableName": TABLE, "Key": key("s00002")}},
        put_new(session("brand-new", 1)),
        failing_check,
    )
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert whole_table(client) == before


def test_should_copy_the_transaction_items_not_the_table(client: Any) -> None:
    table = get_backend("dynamodb")["123456789012"]["us-east-1"].get_table(TABLE)
    tracemalloc.start()
    try:
        client.transact_write_items(TransactItems=[add_minutes("course#algebra-1", 1)])
        _, transaction_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        copy.deepcopy(table)  # what moto does per transaction without the change
        _, table_copy_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Flat in the table's size: a small fraction of one copy of this 3,000-item table.
    assert transaction_peak * 10 < table_copy_peak
    assert "__deepcopy__" not in vars(table)


def test_should_give_moto_back_its_own_transactions_afterwards() -> None:
    original = DynamoDBBackend.transact_write_items
    with item_level_rollback():
        assert DynamoDBBackend.transact_write_items is not original
    assert DynamoDBBackend.transact_write_items is original


def test_should_run_the_embedded_table_with_every_adaptation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "environ", dict(os.environ))  # it isolates the environment
    transact, query = DynamoDBBackend.transact_write_items, Table.query
    with embedded_dynamodb(TABLE):
        assert DynamoDBBackend.transact_write_items.__wrapped__ is transact  # type: ignore[attr-defined]
        assert Table.query.__wrapped__ is query  # type: ignore[attr-defined]
        assert not isinstance(vars(Item)["instances_tracked"], list)
    assert (DynamoDBBackend.transact_write_items, Table.query) == (transact, query)
    assert isinstance(vars(Item)["instances_tracked"], list)


def test_should_leave_no_stream_record_of_a_transaction_that_failed() -> None:
    # The analytics count what the stream says: a write undone must not be in it.
    with mock_aws(), item_level_rollback():
        client: Any = boto3.client("dynamodb")
        create_table(client, TABLE, stream=True)
        client.put_item(TableName=TABLE, Item=session("kept", 1))
        client.put_item(TableName=TABLE, Item=session("other", 2))
        cancelled(
            client,
            {"Delete": {"TableName": TABLE, "Key": key("kept")}},
            put_new(session("other", 2)),  # exists: the transaction is cancelled
        )
        client.transact_write_items(TransactItems=[put_new(session("next", 3))])
        records: list[dict[str, Any]] = []
        StreamPump(
            TABLE, {"tap": lambda event, _: records.extend(event["Records"])}, "us-east-1"
        ).pump()

    assert [(r["eventName"], r["dynamodb"]["Keys"]["sessionId"]["S"]) for r in records] == [
        ("INSERT", "kept"),
        ("INSERT", "other"),
        ("INSERT", "next"),
    ]


def test_should_drop_stream_records_once_delivered_and_deliver_later_ones_once() -> None:
    # moto keeps every stream record; the local run must not hold every write's images.
    with mock_aws(), item_level_rollback():
        client: Any = boto3.client("dynamodb")
        create_table(client, TABLE, stream=True)
        (table,) = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables.values()
        records: list[dict[str, Any]] = []
        pump = StreamPump(
            TABLE, {"tap": lambda event, _: records.extend(event["Records"])}, "us-east-1"
        )
        client.put_item(TableName=TABLE, Item=session("first", 1))
        client.put_item(TableName=TABLE, Item=session("second", 2))
        assert pump.pump() == 2
        assert table.stream_shard is not None
        assert table.stream_shard.items == []
        client.put_item(TableName=TABLE, Item=session("third", 3))
        assert pump.pump() == 1
        assert pump.pump() == 0

    assert [r["dynamodb"]["Keys"]["sessionId"]["S"] for r in records] == [
        "first",
        "second",
        "third",
    ]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(set(numbers))  # still increasing across the drop


def test_should_keep_a_batch_the_handler_refused_for_the_next_pump() -> None:
    # As Lambda retries a failed batch: nothing is dropped until the handler took it.
    with mock_aws(), item_level_rollback():
        client: Any = boto3.client("dynamodb")
        create_table(client, TABLE, stream=True)
        client.put_item(TableName=TABLE, Item=session("first", 1))
        failing = StreamPump(TABLE, {"aggregator": _refuse}, "us-east-1")
        assert failing.pump() == 0
        assert failing.failures == [
            "aggregator failed, retrying: RuntimeError('the aggregator failed')"
        ]
        records: list[dict[str, Any]] = []
        StreamPump(
            TABLE, {"tap": lambda event, _: records.extend(event["Records"])}, "us-east-1"
        ).pump()

    assert [r["dynamodb"]["Keys"]["sessionId"]["S"] for r in records] == ["first"]


def _refuse(_event: dict[str, Any], _context: Any) -> None:
    raise RuntimeError("the aggregator failed")
