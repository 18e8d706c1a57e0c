"""Deterministic session data, and the items the service would have stored for it (used by
the benchmarks and the tests).

Recording 5,000 sessions through the transaction takes minutes in moto (each
TransactWriteItems deep-copies the table), so the read benchmark writes the same items
directly with BatchWriteItem: one item per session plus the course's aggregate, built here
with the sums the transaction's ``ADD`` would have produced. The write benchmark checks that
these items equal what the real handler stores for the same sessions.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeSerializer

from stats_api import timestamps
from stats_api.learner_stats import CourseStats, Session, Totals
from stats_api.stored_items import course_stats_item, session_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_SIZE = 25  # BatchWriteItem's limit
_serializer = TypeSerializer()


FIRST_COMPLETION = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def make_sessions(count: int, course_id: str, seed: int) -> list[Session]:
    """``count`` sessions with realistic, reproducible values (2 decimal places at most),
    completed an hour apart."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    return [
        Session(
            session_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            course_id=course_id,
            total_modules_studied=rng.randint(0, 12),
            time_studied=_plain(Decimal(rng.randint(100, 18_000)).scaleb(-2)),
            average_score=_plain(Decimal(rng.randint(0, 10_000)).scaleb(-2)),
            completed_at=timestamps.kept(FIRST_COMPLETION + datetime.timedelta(hours=n)),
        )
        for n in range(count)
    ]


def _plain(value: Decimal) -> Decimal:
    # The handler stores numbers normalised and positional (12.50 -> 12.5); so does this.
    return Decimal(format(value.normalize(), "f"))


def expected_stats(sessions: Sequence[Session]) -> CourseStats:
    """The course stats of ``sessions``, summed here independently of both designs."""
    totals = Totals(
        session_count=len(sessions),
        total_modules_studied=sum(s.total_modules_studied for s in sessions),
        time_studied=sum((s.time_studied for s in sessions), Decimal(0)),
        average_score_sum=sum((s.average_score for s in sessions), Decimal(0)),
    )
    return CourseStats(sessions[0].course_id, totals)


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


@dataclass(frozen=True)
class SeededCourse:
    """One user's sessions in one course, as written to the table."""

    user_id: str
    sessions: list[Session]
    items: list[dict[str, Any]]  # wire form: every item of the user's partition

    @property
    def course_id(self) -> str:
        return self.sessions[0].course_id


def seed(client: DynamoDBClient, table: str, user_id: str, sessions: list[Session]) -> SeededCourse:
    """Write ``sessions`` and their aggregate under ``user_id`` with BatchWriteItem."""
    # Recorded when completed: a seed has no moment of writing to stand for.
    items = [to_wire(session_item(user_id, s, s.completed_at)) for s in sessions]
    items.append(to_wire(course_stats_item(user_id, expected_stats(sessions))))
    for start in range(0, len(items), BATCH_SIZE):
        requests: Any = {
            table: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_SIZE]]
        }
        while requests:  # DynamoDB may hand back part of a batch under load
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems")
    return SeededCourse(user_id, sessions, items)
