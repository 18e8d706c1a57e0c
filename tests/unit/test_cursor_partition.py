"""Cursors forged with a correct digest: one whose key names another user's partition, or
holds other than strings, is refused with 400.

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
from stats_api.table_keys import PARTITION_KEY
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


def record_courses_and_sessions(user: str) -> None:
    for course in (COURSE, f"{COURSE}-b", f"{COURSE}-c"):
        assert record(course, user=user, body=session_body()).status == 201
    for _ in range(2):
        assert record(user=user, body=session_body()).status == 201


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

    response = route.fetch(user=USER, limit="1", cursor=forged)

    assert response.status == 400, response.body
    assert "cursor" in response.body["message"]


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

    response = route.fetch(user=USER, limit="1", cursor=forged)

    assert response.status == 400, response.body
    assert "cursor" in response.body["message"]
