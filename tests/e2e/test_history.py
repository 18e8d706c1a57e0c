"""The history routes over HTTP, in every auth mode: paging, windows, withdrawals, cursors.
Against a deployed stage without the history routes (``history`` off) they are skipped."""

from __future__ import annotations

import base64
import datetime
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest

from tests.support.api_client import Api, Caller
from tests.support.local_process import Reply

DAY = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
EDX_COURSE_PREFIX = "course-v1:MITx+6.00x+"


@pytest.fixture
def history(api: Api, caller: Caller) -> Api:
    if api.call("GET", "/courses", caller).status == 404:
        pytest.skip("the history routes are not turned on at this stage")
    return api


def at(hours: float) -> str:
    return (DAY + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def post(api: Api, caller: Caller, course: str, hours: float, **fields: Any) -> dict[str, Any]:
    body = {"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 50, **fields}
    response = api.session(caller, course, {**body, "completedAt": at(hours)})
    assert response.status == 201, response.body
    recorded: dict[str, Any] = response.body
    return recorded


def pages(api: Api, caller: Caller, path: str, **query: str) -> list[list[dict[str, Any]]]:
    found, cursor = [], None
    while True:
        parameters = {**query, **({"cursor": cursor} if cursor else {})}
        suffix = "&".join(f"{name}={value}" for name, value in parameters.items())
        response = api.call("GET", f"{path}?{suffix}" if suffix else path, caller)
        assert response.status == 200, response.body
        found.append(response.body["sessions" if "sessions" in response.body else "courses"])
        cursor = response.body["nextCursor"]
        if cursor is None:
            return found


def test_should_page_25_sessions_by_10_newest_first_each_once(
    history: Api, caller: Caller, course: str
) -> None:
    recorded = [post(history, caller, course, hours) for hours in random.sample(range(25), 25)]

    listed = pages(history, caller, f"/courses/{course}/sessions", limit="10")

    assert [len(page) for page in listed] == [10, 10, 5]
    flat = [session for page in listed for session in page]
    assert flat == sorted(recorded, key=lambda s: s["completedAt"], reverse=True)


def test_should_keep_a_listing_and_the_stats_to_their_window(
    history: Api, caller: Caller, course: str
) -> None:
    for hours, score in [(0, 10), (1, 60), (2, 80), (3, 10)]:
        post(history, caller, course, hours, averageScore=score)
    window = f"since={at(1)}&until={at(3)}"

    listed = history.call("GET", f"/courses/{course}/sessions?{window}", caller).body
    stats = history.call("GET", f"/courses/{course}?{window}", caller)

    assert [s["averageScore"] for s in listed["sessions"]] == [80, 60]
    assert (stats.status, stats.body["averageScore"], stats.body["sessionCount"]) == (200, 70, 2)
    empty = history.call("GET", f"/courses/{course}?since={at(9)}", caller)
    assert empty.status == 404


def test_should_withdraw_a_session_exactly_and_the_course_with_its_last(
    history: Api, caller: Caller, course: str
) -> None:
    keep = post(history, caller, course, 1, timeStudied=0.1, averageScore=0.1)
    wrong = post(history, caller, course, 2, timeStudied=0.2, averageScore=0.2)
    path = f"/courses/{course}/sessions"

    withdrawn = history.call("DELETE", f"{path}/{wrong['sessionId']}", caller)
    again = history.call("DELETE", f"{path}/{wrong['sessionId']}", caller)

    assert (withdrawn.status, withdrawn.raw, again.status) == (204, b"", 404)
    stats = history.call("GET", f"/courses/{course}", caller).exact_body
    assert (stats["timeStudied"], stats["averageScore"]) == (Decimal("0.1"), Decimal("0.1"))
    assert history.call("DELETE", f"{path}/{keep['sessionId']}", caller).status == 204
    assert history.call("GET", f"/courses/{course}", caller).status == 404


def test_should_list_the_callers_courses_among_them_an_open_edx_key(
    history: Api, caller: Caller
) -> None:
    courses = sorted(EDX_COURSE_PREFIX + history.new_course() for _ in range(3))
    for name in courses:
        post(history, caller, name, 1)

    listed = [c["courseId"] for page in pages(history, caller, "/courses", limit="2") for c in page]

    assert [name for name in listed if name in courses] == courses


def test_should_refuse_a_tampered_cursor_or_another_callers(
    history: Api, new_caller: Callable[[], Caller], course: str
) -> None:
    owner, other = new_caller(), new_caller()
    for hours in range(3):
        post(history, owner, course, hours)
    cursor = history.call("GET", f"/courses/{course}/sessions?limit=1", owner).body["nextCursor"]
    path = f"/courses/{course}/sessions?limit=1&cursor="

    tampered = history.call("GET", path + cursor[:-6] + "AAAAAA", owner)
    foreign = history.call("GET", path + cursor, other)

    assert (tampered.status, foreign.status) == (400, 400)
    assert history.call("GET", path + cursor, owner).status == 200


def test_should_refuse_any_cursor_not_issued_byte_for_byte_never_with_a_500(
    history: Api, caller: Caller, course: str
) -> None:
    for hours in range(2):
        post(history, caller, course, hours)
    cursor = history.call("GET", f"/courses/{course}/sessions?limit=1", caller).body["nextCursor"]
    nested = base64.urlsafe_b64encode(b"[" * 1500).decode()

    for changed in ("." + cursor, "~" + cursor, nested):
        for path in (f"/courses/{course}/sessions", "/courses"):
            response = history.call("GET", f"{path}?cursor={changed}", caller)
            assert response.status == 400, (path, changed)
            assert "cursor" in response.body["message"]


def test_should_keep_the_stats_equal_to_the_sessions_left_under_concurrent_posts_and_deletes(
    history: Api, caller: Caller, course: str
) -> None:
    seeded = [post(history, caller, course, n, averageScore=n, timeStudied=0.1) for n in range(12)]
    doomed = seeded[::2]
    start = threading.Barrier(24)

    def post_one(n: int) -> Reply:
        start.wait()
        body = {"totalModulesStudied": n, "timeStudied": 0.3, "averageScore": n / 10}
        return history.session(caller, course, {**body, "completedAt": at(20 + n)})

    def delete_one(session: dict[str, Any]) -> Reply:
        start.wait()
        return history.call("DELETE", f"/courses/{course}/sessions/{session['sessionId']}", caller)

    with ThreadPoolExecutor(24) as pool:
        posts = [pool.submit(post_one, n) for n in range(1, 19)]
        deletes = [pool.submit(delete_one, session) for session in doomed]

    assert [f.result().status for f in posts] == [201] * 18
    assert [f.result().status for f in deletes] == [204] * 6
    left = [s for page in pages(history, caller, f"/courses/{course}/sessions") for s in page]
    stats = history.call("GET", f"/courses/{course}", caller).exact_body
    assert len(left) == stats["sessionCount"] == 24
    assert stats["totalModulesStudied"] == sum(s["totalModulesStudied"] for s in left)
    assert stats["timeStudied"] == sum(Decimal(str(s["timeStudied"])) for s in left)
