"""Course analytics in tests: the sessions table with its stream and the analytics table on
moto, the stream's records as Lambda would deliver them, and the truth to compare with
(summed from the learners' own items, as only a test may: the service never scans)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from local_run.stream import StreamPump
from stats_api import table_keys
from stats_api.learner_stats import Totals
from stats_api.routes import FETCH_COURSE_ANALYTICS, LIST_COURSE_DAYS
from stats_api.shared_names import AGGREGATOR_HANDLER, ANALYTICS_TABLE_ENV
from stats_devkit.store_probe import StoreProbe, watching_store
from stats_devkit.tables import create_analytics_table, create_table
from tests.support.handler_client import TABLE, HttpResponse, call

ANALYTICS_TABLE = "stats-analytics-test"
REGION = "us-east-1"


@dataclass(frozen=True)
class Truth:
    """A course as the learners' own items say it is."""

    learner_count: int
    totals: Totals
    days: dict[str, Totals]


@contextmanager
def analytics_tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with the sessions table (streamed) and the analytics table; yields a client."""
    monkeypatch.setenv(ANALYTICS_TABLE_ENV, ANALYTICS_TABLE)  # as the unit tier's conftest
    with mock_aws(), watching_store(StoreProbe()):
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, TABLE, stream=True)
        create_analytics_table(client, ANALYTICS_TABLE)
        yield client


class StreamTap:
    """The sessions table's stream records, each taken once, in order."""

    def __init__(self) -> None:
        self._taken: list[dict[str, Any]] = []
        self._pump = StreamPump(
            TABLE, {"tap": lambda event, _: self._taken.extend(event["Records"])}, REGION
        )

    def take(self) -> list[dict[str, Any]]:
        self._pump.pump()
        taken, self._taken = self._taken, []
        return taken


def interleaved_shards(records: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The records as shards may deliver them: each item's records (one shard's) in order,
    the shards interleaved at random."""
    shards: dict[str, list[dict[str, Any]]] = {}
    for item_record in records:
        shards.setdefault(str(item_record["dynamodb"]["Keys"]), []).append(item_record)
    queues = list(shards.values())
    out: list[dict[str, Any]] = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        out.append(queue.pop(0))
    return out


def aggregate(records: list[dict[str, Any]]) -> Any:
    """Run the deployed aggregator on one batch, as the event source mapping invokes it."""
    return load_handler_path(AGGREGATOR_HANDLER)({"Records": records}, LambdaContext())


def course_analytics(course: str) -> HttpResponse:
    return call(FETCH_COURSE_ANALYTICS, {"courseId": course}, user=None)


def course_days(course: str, **query: str) -> HttpResponse:
    return call(LIST_COURSE_DAYS, {"courseId": course}, user=None, query=query)


def all_days(course: str, **query: str) -> list[dict[str, Any]]:
    """Every page of the course's days, followed cursor by cursor."""
    days: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        response = course_days(course, **query, **({"cursor": cursor} if cursor else {}))
        assert response.status == 200, response.body
        days += response.exact_body()["days"]
        cursor = response.body["nextCursor"]
        if cursor is None:
            return days


def truth(client: Any) -> dict[str, Truth]:
    """Every course's analytics as the sessions table holds them now."""
    items = client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    learners: dict[str, set[str]] = defaultdict(set)
    totals: dict[str, Totals] = defaultdict(Totals)
    days: dict[str, dict[str, Totals]] = defaultdict(lambda: defaultdict(Totals))
    for item in items:
        if not table_keys.is_session(item):
            continue
        course, day = item["courseId"]["S"], item["completedAt"]["S"][:10]
        one = Totals(
            1,
            int(item["totalModulesStudied"]["N"]),
            Decimal(item["timeStudied"]["N"]),
            Decimal(item["averageScore"]["N"]),
        )
        learners[course].add(item["userId"]["S"])
        totals[course] = totals[course].plus(one)
        days[course][day] = days[course][day].plus(one)
    return {
        course: Truth(len(learners[course]), totals[course], dict(days[course]))
        for course in totals
    }
