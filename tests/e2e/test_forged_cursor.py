"""A cursor forged to start a page in another user's partition, with a correct digest, is
refused with 400 over HTTP, in every auth mode.

The digest needs no secret, so anyone who reads the code can sign a key of their choosing for
their own query: here, the key of another caller's page, re-signed for the owner's query.
The same forgery of the owner's own cursor is accepted, so the refusal is the service's
partition check, not a digest the test got wrong."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest

from tests.support.api_client import Api, Caller
from tests.support.forged_cursors import courses_scope, resigned, sessions_scope
from tests.support.local_process import Reply

SESSION = {"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 50}


def page(api: Api, caller: Caller, path: str, cursor: str | None = None) -> Reply:
    after = "" if cursor is None else f"&cursor={quote(cursor)}"
    return api.call("GET", f"{path}?limit=1{after}", caller)


def next_cursor(api: Api, caller: Caller, path: str) -> str:
    response = page(api, caller, path)
    assert response.status == 200, response.body
    cursor: str = response.body["nextCursor"]
    assert cursor is not None
    return cursor


def paged_route(route: str, course: str) -> tuple[str, Callable[[Caller], str]]:
    """The path of a route that pages, and the scope its cursors are issued for, by caller."""
    if route == "sessions":
        return f"/courses/{course}/sessions", lambda caller: sessions_scope(caller.name, course)
    return "/courses", lambda caller: courses_scope(caller.name)


@pytest.mark.parametrize("route", ["sessions", "courses"])
def test_should_refuse_with_400_a_cursor_forged_to_start_in_another_users_partition(
    api: Api, new_caller: Callable[[], Caller], course: str, route: str
) -> None:
    owner, other = new_caller(), new_caller()
    if api.call("GET", "/courses", owner).status == 404:
        pytest.skip("the history routes are not turned on at this stage")
    for caller in (owner, other):
        for name in (course, course, api.new_course()):
            assert api.session(caller, name, SESSION).status == 201
    path, scope = paged_route(route, course)
    own = next_cursor(api, owner, path)

    forged = resigned(next_cursor(api, other, path), scope(other), scope(owner))
    refused = page(api, owner, path, forged)
    own_forged = page(api, owner, path, resigned(own, scope(owner), scope(owner)))

    assert refused.status == 400, refused.body
    assert "cursor" in refused.body["message"]
    assert own_forged.status == 200, own_forged.body
    assert own_forged.body == page(api, owner, path, own).body
