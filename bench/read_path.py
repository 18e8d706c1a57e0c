"""GET /courses/{courseId} for N sessions: the service's design next to the Query design.

For each N a fresh table holds one user's N sessions in one course plus their aggregate
(the same items for both designs). Both handlers run in this process against moto, behind
the service's HTTP layer; a probe on each one's DynamoDB client counts its requests on every
call, and read units are priced from the items read (``bench.capacity``). Both designs must
answer the same body, equal to the stats summed independently by ``tests.support.dataset``.

The user has sessions in this course only: the Query design's best case. Sessions in other
courses would sit in the same partition and be read and billed too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from bench import capacity
from bench.checks import check
from bench.invocation import context
from bench.query_design import course_stats_handler
from bench.timing import Timing, repeat
from local_run.emulator import create_table
from local_run.events import api_event
from stats_api import dynamodb_calls, table_keys
from stats_api.handlers import fetch_course_stats
from stats_api.http import LambdaHandler, Response
from stats_api.routes import FETCH_COURSE_STATS
from stats_api.shapes import COURSE_STATS
from tests.support import dataset
from tests.support.store_probe import StoreProbe

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SIZES = (1, 10, 100, 1_000, 5_000)
COURSE = "algebra-1"
AGGREGATE = "aggregate item (ours)"
QUERY = "Query + sum (alternative)"
WARMUP = 2
REPEATS = 40
MIN_REPEATS = 10
CELL_BUDGET_S = 40.0


@dataclass(frozen=True)
class ReadRun:
    design: str
    sessions: int
    requests: int  # DynamoDB requests per GET, counted on every timed call
    items_read: int  # items DynamoDB reads (and bills) per GET, before any filter
    bytes_read: int
    read_units: int  # strongly consistent, from the documented formulas
    latency: Timing


def run(
    client: DynamoDBClient,
    table: str,
    store_probe: StoreProbe,
    progress: Callable[[str], None],
    sizes: tuple[int, ...] = SIZES,
) -> list[ReadRun]:
    """Measure both designs for each N; ``store_probe`` watches the service's store."""
    query_client = boto3.client("dynamodb", config=dynamodb_calls.CLIENT_CONFIG)
    query_probe = StoreProbe()
    query_probe.attach(query_client.meta.events)
    query_handler = course_stats_handler(query_client, table)
    runs: list[ReadRun] = []
    for n in sizes:
        progress(f"course stats, N = {n:,}")
        _reset_table(client, table)
        user_id = f"bench-user-{n}"
        course = dataset.seed(client, table, user_id, dataset.make_sessions(n, COURSE, seed=n))
        expected = Response(200, COURSE_STATS.render(dataset.expected_stats(course.sessions)))
        event = api_event(FETCH_COURSE_STATS, {"courseId": COURSE}, headers={"userId": user_id})
        ours = _measure(fetch_course_stats.handler, event, expected, store_probe)
        theirs = _measure(query_handler, event, expected, query_probe)
        runs.append(_aggregate_run(n, ours))
        runs.append(_query_run(n, course, theirs))
    return runs


def _reset_table(client: DynamoDBClient, table: str) -> None:
    if table in client.list_tables()["TableNames"]:
        client.delete_table(TableName=table)
    create_table(client, table)


@dataclass(frozen=True)
class _Measured:
    calls: list[Any]  # the probe's calls during one GET
    latency: Timing


def _measure(
    handler: LambdaHandler, event: dict[str, Any], expected: Response, probe: StoreProbe
) -> _Measured:
    def get() -> dict[str, Any]:
        return handler(event, context())

    probe.reset()
    response = get()
    check(
        response == expected.to_api_gateway(),
        f"unexpected answer {response} (expected {expected.to_api_gateway()})",
    )
    one_get = list(probe.calls)
    probe.reset()
    latency = repeat(
        get, warmup=WARMUP, repeats=REPEATS, min_repeats=MIN_REPEATS, budget_s=CELL_BUDGET_S
    )
    # Every call made as many requests as the first one.
    check(
        len(probe.calls) == len(one_get) * (WARMUP + latency.count),
        f"requests per GET varied: {len(probe.calls)} over {WARMUP + latency.count} calls",
    )
    return _Measured(one_get, latency)


def _aggregate_run(n: int, measured: _Measured) -> ReadRun:
    operations = [call.operation for call in measured.calls]
    check(operations == ["GetItem"], f"the service's GET made {operations}")
    (call,) = measured.calls
    check(call.params.get("ConsistentRead") is True, "the service's GetItem is not consistent")
    size = capacity.item_size(call.response["Item"])
    return ReadRun(AGGREGATE, n, 1, 1, size, capacity.get_item_read_units(size), measured.latency)


def _query_run(n: int, course: dataset.SeededCourse, measured: _Measured) -> ReadRun:
    operations = {call.operation for call in measured.calls}
    check(operations == {"Query"}, f"the Query design made {operations}")
    # What a Query reads: every item of the partition, in sort-key (UTF-8 byte) order.
    partition = sorted(course.items, key=lambda item: item[table_keys.SORT_KEY]["S"].encode())
    sizes = [capacity.item_size(item) for item in partition]
    scanned = sum(call.response["ScannedCount"] for call in measured.calls)
    check(scanned == len(partition), f"the Query read {scanned} of {len(partition)} items")
    pages = len(capacity.query_pages(sizes))
    check(
        pages == len(measured.calls),
        f"{len(measured.calls)} Query pages in moto, {pages} by DynamoDB's 1 MB rule",
    )
    return ReadRun(
        QUERY,
        n,
        len(measured.calls),
        len(partition),
        sum(sizes),
        capacity.query_read_units(sizes),
        measured.latency,
    )
