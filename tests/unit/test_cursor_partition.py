"""Cursors forged with a correct digest: one whose key names another user's partition, lies
outside the query it is presented with, or holds other than strings, is refused with 400;
so are an empty cursor and one longer than any the API issues.

The digest needs no secret (``cursors.py``), so anyone can sign any key for their own query:
the store's check that a cursor's key lies in the caller's partition is what keeps a page
start inside the caller's own data. Each route that pages is tried with another user's key,
re-signed for the caller's query, next to the same forgery of the caller's own key, which
must be accepted (so the refusal is the partition check's, not a wrong digest's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from stats_api.cursors import redeem
from stats_api.query_parameters import MAX_CURSOR_LENGTH
from stats_api.table_keys import HISTORY_SORT_KEY, PARTITION_KEY, SORT_KEY
from stats_devkit.store_probe import StoreProbe
from tests.support.forged_cursors import courses_scope, resigned, resigned_with, sessions_scope
from tests.support.handler_client import (
    COURSE,
    USER,
    HttpResponse,
    list_courses,
    list_sessions,
    record,
    session_body,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

OTHER = "someone-else"


@dataclass(frozen=True)
class PagedRoute:
    name: str
    fetch: Callable[..., HttpResponse]
    scope: Callable[[str], str]
    items: str


ROUTES = [
    PagedRoute(
        "sessions",
        lambda **query: list_sessions(COURSE, **query),
        lambda user: sessions_scope(user, COURSE),
        "sessions",
    ),
    PagedRoute("courses", list_courses, courses_scope, "courses"),
]
PAGED_COURSES = ROUTES[1]
ANY_SESSION_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def record_courses_and_sessions(user: str) -> None:
    for course in (COURSE, f"{COURSE}-b", f"{COURSE}-c"):
        assert record(course, user=user, body=session_body()).status == 201
    for _ in range(2):
        assert record(user=user, body=session_body()).status == 201


def assert_refused(response: HttpResponse) -> None:
    assert response.status == 400, response.body
    assert "cursor" in response.body["message"]


def first_cursor(route: PagedRoute, user: str) -> str:
    cursor: str = route.fetch(user=user, limit="1").body["nextCursor"]
    assert cursor is not None
    return cursor


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_should_refuse_with_400_a_cursor_forged_to_start_in_another_users_partition(
    route: PagedRoute,
) -> None:
    record_courses_and_sessions(USER)
    record_courses_and_sessions(OTHER)
    forged = resigned(first_cursor(route, OTHER), route.scope(OTHER), route.scope(USER))

    assert_refused(route.fetch(user=USER, limit="1", cursor=forged))


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_should_accept_the_same_forgery_of_the_callers_own_cursor(route: PagedRoute) -> None:
    record_courses_and_sessions(USER)
    record_courses_and_sessions(OTHER)
    own = first_cursor(route, USER)

    forged = route.fetch(user=USER, limit="1", cursor=resigned(own, *[route.scope(USER)] * 2))
    genuine = route.fetch(user=USER, limit="1", cursor=own)

    assert forged.status == 200, forged.body
    assert forged.body == genuine.body
    assert forged.body[route.items]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_should_refuse_with_400_a_forged_cursor_whose_key_holds_other_than_strings(
    route: PagedRoute,
) -> None:
    record_courses_and_sessions(USER)
    own = first_cursor(route, USER)
    numbers = {name: 7 for name in redeem(own, route.scope(USER)) if name != PARTITION_KEY}
    forged = resigned_with(own, route.scope(USER), route.scope(USER), **numbers)

    assert_refused(route.fetch(user=USER, limit="1", cursor=forged))


# Keys of the caller's own partition that lie outside each route's query: a session of
# another course for a course's sessions, a session (not a course) for the courses list.
OUTSIDE_THE_QUERY = {
    "sessions": {HISTORY_SORT_KEY: f"{COURSE}-b#2026-11-02T08:00:00.000000Z#{ANY_SESSION_ID}"},
    "courses": {SORT_KEY: ANY_SESSION_ID},
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_should_refuse_with_400_a_cursor_forged_to_start_outside_its_query(
    route: PagedRoute,
) -> None:
    record_courses_and_sessions(USER)
    own = first_cursor(route, USER)
    outside = OUTSIDE_THE_QUERY[route.name]
    forged = resigned_with(own, route.scope(USER), route.scope(USER), **outside)

    assert_refused(route.fetch(user=USER, limit="1", cursor=forged))


def test_should_list_the_courses_with_strongly_consistent_reads(store_probe: StoreProbe) -> None:
    record_courses_and_sessions(USER)
    store_probe.reset()

    cursor = first_cursor(PAGED_COURSES, USER)
    assert PAGED_COURSES.fetch(user=USER, limit="1", cursor=cursor).status == 200

    queries = [call for call in store_probe.calls if call.operation == "Query"]
    assert [call.params["ConsistentRead"] for call in queries] == [True, True]


@pytest.mark.parametrize("length", [0, MAX_CURSOR_LENGTH + 1], ids=["empty", "over-long"])
def test_should_refuse_an_empty_or_over_long_cursor_with_a_message(length: int) -> None:
    for route in ROUTES:
        assert_refused(route.fetch(user=USER, cursor="A" * length))
