"""POST /courses/{courseId}: what recording one session costs, in write units.

The real handler records sessions one by one against moto; a probe on the store's client
captures each TransactWriteItems, so the session item is priced as sent, its history index
entry from it, and the aggregate as read back after the update (an update is billed on the
larger of its before and after sizes). The alternatives are priced on the same items: the
same transaction without the index (before the history routes), the Query design's single
PutItem, and a Put plus an Update without a transaction (cheaper, but not atomic).

It also checks ``stats_devkit.dataset`` against the service: the items the handler stored must
equal those the read benchmark seeds directly for the same sessions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer

from bench import capacity
from bench.checks import check
from bench.invocation import context
from local_run.events import api_event
from stats_api import table_keys
from stats_api.handlers import record_session
from stats_api.learner_stats import Session
from stats_api.routes import RECORD_SESSION
from stats_api.stored_items import RECORDED_AT, course_stats_item, session_item
from stats_devkit import dataset
from stats_devkit.store_probe import StoreProbe
from stats_devkit.tables import create_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

POSTS = 20
USER = "bench-writer"
COURSE = "algebra-1"
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class WriteCost:
    design: str
    requests: int
    write_units: int  # per POST, the largest seen over all POSTs
    atomic: bool


@dataclass(frozen=True)
class WriteRun:
    posts: int
    session_bytes: int  # largest session item
    aggregate_bytes: int  # largest aggregate item
    costs: list[WriteCost]  # ours first, the Query design's last

    @property
    def ours(self) -> WriteCost:
        return self.costs[0]

    @property
    def query_design(self) -> WriteCost:
        return self.costs[-1]


def run(
    client: DynamoDBClient, table: str, store_probe: StoreProbe, progress: Callable[[str], None]
) -> WriteRun:
    progress(f"write cost, {POSTS} POSTs")
    if table in client.list_tables()["TableNames"]:
        client.delete_table(TableName=table)
    create_table(client, table)
    sessions = dataset.make_sessions(POSTS, COURSE, seed=2026)
    aggregate_key = dataset.to_wire(table_keys.course_stats_key(USER, COURSE))
    ours, without_index, put_only, two_writes = set(), set(), set(), set()
    session_sizes, aggregate_sizes = [], []
    aggregate_before = 0
    for session in sessions:
        store_probe.reset()
        response = record_session.handler(_post_event(session), context())
        check(response["statusCode"] == 201, f"POST answered {response}")
        check(
            store_probe.operations == ["TransactWriteItems"],
            f"POST made {store_probe.operations}",
        )
        put, update = store_probe.calls[0].params["TransactItems"]
        check("Put" in put and "Update" in update, "unexpected transaction shape")
        session_size = capacity.item_size(put["Put"]["Item"])
        stored = client.get_item(TableName=table, Key=aggregate_key, ConsistentRead=True)
        aggregate_after = capacity.item_size(stored["Item"])
        updated = max(aggregate_before, aggregate_after)
        transaction = capacity.write_units(session_size, transactional=True) + capacity.write_units(
            updated, transactional=True
        )
        index_entry = capacity.index_entry_size(put["Put"]["Item"])
        without_index.add(transaction)
        ours.add(transaction + capacity.write_units(index_entry, transactional=True))
        put_only.add(capacity.write_units(session_size))
        two_writes.add(capacity.write_units(session_size) + capacity.write_units(updated))
        session_sizes.append(session_size)
        aggregate_sizes.append(aggregate_after)
        aggregate_before = aggregate_after
    _check_seeded_items_match(client, table, sessions)
    return WriteRun(
        POSTS,
        max(session_sizes),
        max(aggregate_sizes),
        [
            WriteCost(
                "transaction: Put session + Update aggregate + history index entry (ours)",
                1,
                max(ours),
                True,
            ),
            WriteCost("the same without the history index", 1, max(without_index), True),
            WriteCost("PutItem + UpdateItem, no transaction", 2, max(two_writes), False),
            WriteCost("PutItem only (the Query design)", 1, max(put_only), True),
        ],
    )


def _post_event(session: Session) -> dict[str, Any]:
    # As a client sends it: JSON numbers. The values have at most 2 decimal places, so the
    # float's shortest repr is the exact decimal and the handler parses back the same value.
    body = {
        "sessionId": session.session_id,
        "totalModulesStudied": session.total_modules_studied,
        "timeStudied": float(session.time_studied),
        "averageScore": float(session.average_score),
        "completedAt": session.completed_at,
    }
    return api_event(
        RECORD_SESSION,
        {"courseId": session.course_id},
        headers={"userId": USER, "content-type": "application/json"},
        body=json.dumps(body),
    )


def _check_seeded_items_match(client: DynamoDBClient, table: str, sessions: list[Session]) -> None:
    """The handler's items equal ``stats_devkit.dataset``'s for the same sessions."""
    stored = client.query(
        TableName=table,
        KeyConditionExpression="userId = :user",
        ExpressionAttributeValues={":user": {"S": USER}},
        ConsistentRead=True,
    )["Items"]
    expected = [dataset.to_wire(session_item(USER, s, s.completed_at)) for s in sessions]
    expected.append(dataset.to_wire(course_stats_item(USER, dataset.expected_stats(sessions))))
    check(
        _plain(stored) == _plain(expected),
        "the items the handler stored differ from the ones stats_devkit.dataset seeds",
    )


def _plain(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Compared as Python values (numbers by value), in key order; without recordedAt, the
    # moment the handler wrote the item, which no seed can know.
    values = [
        {k: _deserializer.deserialize(v) for k, v in item.items() if k != RECORDED_AT}
        for item in items
    ]
    return sorted(values, key=lambda item: str(item[table_keys.SORT_KEY]))
