"""The DynamoDB operations monitoring watches (each table's SystemErrors alarm) are derived
from the actions the functions are granted (the route table's, the aggregator's); here each
route's handler and the aggregator run on moto and the operations they really call must be
among those derived for them, so neither the grants nor the derivation can leave a call
unwatched."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stats_api import stored_items
from stats_api.analytics_writes import analytics_writes
from stats_api.contributions import Contribution
from stats_api.routes import (
    ANALYTICS_ROUTES,
    FETCH_COURSE_STATS,
    FETCH_SESSION,
    LEARNER_ROUTES,
    LIST_COURSES,
    LIST_SESSIONS,
    RECORD_SESSION,
    ROUTES,
    WITHDRAW_SESSION,
    Route,
)
from stats_devkit.store_probe import StoreProbe
from stats_service.analytics import AGGREGATOR_ACTIONS
from stats_service.service_metrics import analytics_operations, operations_of, table_operations
from tests.support import handler_client as api

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_should_watch_every_operation_each_route_calls(store_probe: StoreProbe) -> None:
    recorded = api.record(body=api.session_body())
    assert recorded.status == 201
    session_id = recorded.body["sessionId"]
    # Each route's every path that reaches the table: a replay reads the stored session; a
    # window queries the history index; a withdrawal reads, then writes.
    requests: dict[Route, Callable[[], object]] = {
        RECORD_SESSION: lambda: api.record(body=api.session_body(sessionId=session_id)),
        FETCH_COURSE_STATS: lambda: (
            api.fetch_course_stats(),
            api.fetch_course_stats(query={"since": "2000-01-01T00:00:00Z"}),
        ),
        FETCH_SESSION: lambda: api.fetch_session(session_id),
        LIST_COURSES: api.list_courses,
        LIST_SESSIONS: api.list_sessions,
        WITHDRAW_SESSION: lambda: api.withdraw(session_id),
    }
    # The analytics routes read the analytics table, not this one.
    assert set(requests) == set(LEARNER_ROUTES)
    called = {}
    for route, send in requests.items():
        store_probe.reset()
        send()
        called[route] = set(store_probe.operations)

    for route, operations in called.items():
        assert operations, route.route_key
        assert operations <= set(table_operations([route], history=True)), route.route_key
    assert set().union(*called.values()) == set(table_operations(ROUTES, history=True))


def test_should_watch_query_only_where_the_history_routes_are_on() -> None:
    core = [route for route in ROUTES if not route.history]

    assert table_operations(core, history=False) == ("TransactWriteItems", "GetItem")
    assert "Query" in table_operations(core, history=True)  # windowed course stats
    assert "Query" in table_operations(ROUTES, history=True)


def test_should_watch_every_operation_the_analytics_call_on_their_table(
    store_probe: StoreProbe,
) -> None:
    recorded = api.record(body=api.session_body())
    session = stored_items.session(recorded.exact_body())
    # The aggregator, as the stream would invoke it: the session added, then withdrawn.
    store_probe.reset()
    analytics_writes().apply([Contribution(api.USER, session, +1, sequence=1)])
    aggregator = set(store_probe.operations)
    called: dict[Route, set[str]] = {}
    for route in ANALYTICS_ROUTES:
        store_probe.reset()
        assert api.call(route, {"courseId": session.course_id}, user=None).status == 200
        called[route] = set(store_probe.operations)
    store_probe.reset()
    analytics_writes().apply([Contribution(api.USER, session, -1, sequence=2)])
    aggregator |= set(store_probe.operations)

    assert aggregator <= set(operations_of(AGGREGATOR_ACTIONS))
    for route, operations in called.items():
        assert operations, route.route_key
        assert operations <= set(operations_of(route.analytics_table_actions)), route.route_key
    assert aggregator.union(*called.values()) == set(
        analytics_operations(ANALYTICS_ROUTES, AGGREGATOR_ACTIONS)
    )
