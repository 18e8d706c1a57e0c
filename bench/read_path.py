"""GET /courses/{courseId} for N sessions: the service's design next to the Query design;
and a page of the history (GET /courses/{courseId}/sessions) for the same N.

For each N a fresh table holds one user's N sessions in one course plus their aggregate
(the same items for both designs). Both handlers run in this process against moto, behind
the service's HTTP layer; a probe on each one's DynamoDB client counts its requests on every
call, and read units are priced from the items read (``bench.capacity``). Both designs must
answer the same body, equal to the stats summed independently by ``stats_devkit.dataset``.

The user has sessions in this course only: the Query design's best case. Sessions in other
courses would sit in the same partition and be read and billed too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3

from bench import capacity
from bench.checks import check
from bench.invocation import context
from bench.query_design import course_stats_handler
from bench.timing import Timing, repeat
from local_run.events import api_event
from stats_api import dynamodb_calls, table_keys
from stats_api.handlers import fetch_course_stats, list_sessions
from stats_api.http import LambdaHandler, Response
from stats_api.routes import FETCH_COURSE_STATS, LIST_SESSIONS
from stats_api.shapes import COURSE_STATS, SESSION
from stats_devkit import dataset
from stats_devkit.store_probe import StoreProbe
from stats_devkit.tables import create_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SIZES = (1, 10, 100, 1_000, 5_000)
COURSE = "algebra-1"
AGGREGATE = "aggregate item (ours)"
QUERY = "Query + sum (alternative)"
PAGE = "a page of sessions, history index"
PAGE_SIZE = 20
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
    """Measure both designs, and a history page, for each N; ``store_probe`` watches the
    service's store."""
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
        ours = _measure(fetch_course_stats.handler, event, _answers(expected), store_probe)
        theirs = _measure(query_handler, event, _answers(expected), query_probe)
        page = _measure(list_sessions.handler, *_page_request(course), store_probe)
        runs += [_aggregate_run(n, ours), _query_run(n, course, theirs), _page_run(n, page)]
    return runs


def _answers(expected: Response) -> Callable[[dict[str, Any]], None]:
    def verify(response: dict[str, Any]) -> None:
        check(
            response == expected.to_api_gateway(),
            f"unexpected answer {response} (expected {expected.to_api_gateway()})",
        )

    return verify


def _page_request(
    course: dataset.SeededCourse,
) -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    """The first page's request, and its check: the newest sessions, a cursor if more."""
    event = api_event(
        LIST_SESSIONS,
        {"courseId": COURSE},
        headers={"userId": course.user_id},
        raw_query=f"limit={PAGE_SIZE}",
    )
    newest = sorted(course.sessions, key=lambda s: (s.completed_at, s.session_id), reverse=True)
    expected = [SESSION.render(s) for s in newest[:PAGE_SIZE]]

    def verify(response: dict[str, Any]) -> None:
        body = json.loads(response["body"], parse_float=Decimal)
        check(response["statusCode"] == 200, f"the page answered {response}")
        check(body["sessions"] == _json(expected), "the page is not the newest sessions")
        more = len(course.sessions) > PAGE_SIZE
        check((body["nextCursor"] is not None) == more, "the page's cursor is wrong")

    return event, verify


def _json(values: Any) -> Any:
    return json.loads(json.dumps(values, default=float), parse_float=Decimal)


def _reset_table(client: DynamoDBClient, table: str) -> None:
    if table in client.list_tables()["TableNames"]:
        client.delete_table(TableName=table)
    create_table(client, table)


@dataclass(frozen=True)
class _Measured:
    calls: list[Any]  # the probe's calls during one GET
    latency: Timing


def _measure(
    handler: LambdaHandler,
    event: dict[str, Any],
    verify: Callable[[dict[str, Any]], None],
    probe: StoreProbe,
) -> _Measured:
    def get() -> dict[str, Any]:
        return handler(event, context())

    probe.reset()
    verify(get())
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


def _page_run(n: int, measured: _Measured) -> ReadRun:
    (call,) = measured.calls
    check(
        call.operation == "Query" and call.params["IndexName"] == table_keys.HISTORY_INDEX,
        f"the page made {call.operation} on {call.params.get('IndexName')}",
    )
    check(call.params["ConsistentRead"] is True, "the page's Query is not consistent")
    # What the Query read: the page and the one item more that tells it is not the last.
    sizes = [capacity.item_size(item) for item in call.response["Items"]]
    check(len(sizes) == min(n, PAGE_SIZE + 1), f"the page read {len(sizes)} items")
    return ReadRun(
        PAGE, n, 1, len(sizes), sum(sizes), capacity.query_read_units(sizes), measured.latency
    )
