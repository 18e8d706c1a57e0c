"""Learner history: completedAt, the caller's courses, a course's sessions newest first, and
course stats over a time window; pages through cursors bound to the caller and the query."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from stats_api.query_parameters import MAX_PAGE_SIZE
from stats_api.shared_names import HISTORY_ENV
from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    fetch_course_stats,
    fetch_session,
    list_courses,
    list_sessions,
    record,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

DAY = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
EDX_COURSE = "course-v1:MITx+6.00x+2T2024"


def at(hours: float) -> str:
    return (DAY + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def kept(hours: float) -> str:
    return (DAY + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_at(hours: float, course: str = COURSE, **fields: Any) -> dict[str, Any]:
    response = record(course, body=session_body(completedAt=at(hours), **fields))
    assert response.status == 201, response.body
    body: dict[str, Any] = response.body
    return body


def all_pages(fetch: Any, **query: str) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        response = fetch(**query, **({"cursor": cursor} if cursor else {}))
        assert response.status == 200, response.body
        items = response.body["sessions" if "sessions" in response.body else "courses"]
        pages.append(items)
        cursor = response.body["nextCursor"]
        if cursor is None:
            return pages


# completedAt


def test_should_default_completed_at_to_the_time_the_request_is_handled() -> None:
    before = datetime.datetime.now(datetime.UTC)

    recorded = record(body=session_body()).body

    completed = datetime.datetime.strptime(recorded["completedAt"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert before <= completed <= datetime.datetime.now(datetime.UTC)
    assert recorded["completedAt"].endswith("Z")


def test_should_keep_a_given_completed_at_in_utc() -> None:
    recorded = record(body=session_body(completedAt="2026-11-02T10:00:00.5+02:00")).body

    assert recorded["completedAt"] == "2026-11-02T08:00:00.500000Z"
    assert fetch_session(recorded["sessionId"]).body == recorded


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-02T08:00:00",  # no zone
        "2026-11-02",
        "02/11/2026 08:00",
        "2026-02-30T08:00:00Z",
        "2026-11-02T08:00:00.1234567Z",  # finer than kept: never cut silently
        "1999-12-31T23:59:59Z",
        "2999-01-01T00:00:00Z",
        12345,
        None,
    ],
)
def test_should_refuse_a_completed_at_outside_the_rules_and_store_nothing(
    dynamodb: Any, value: object
) -> None:
    response = record(body=session_body(completedAt=value))

    assert response.status == 400
    assert "completedAt" in response.body["message"]
    assert table_items(dynamodb) == []


def test_should_accept_a_completed_at_up_to_5_minutes_ahead_of_the_clock() -> None:
    now = datetime.datetime.now(datetime.UTC)
    ahead = (now + datetime.timedelta(minutes=4)).isoformat()
    too_far = (now + datetime.timedelta(minutes=6)).isoformat()

    assert record(body=session_body(completedAt=ahead)).status == 201
    assert record(body=session_body(completedAt=too_far)).status == 400


def test_should_treat_a_replay_without_completed_at_as_the_same_session() -> None:
    session_id = str(uuid.uuid4())
    first = record(body=session_body(sessionId=session_id)).body

    replay = record(body=session_body(sessionId=session_id))

    assert (replay.status, replay.body) == (200, first)
    assert fetch_course_stats().body["sessionCount"] == 1


def test_should_answer_409_to_a_replay_that_names_another_completion_time() -> None:
    session_id = str(uuid.uuid4())
    record(body=session_body(sessionId=session_id, completedAt=at(1)))

    same = record(body=session_body(sessionId=session_id, completedAt=kept(1)))
    other = record(body=session_body(sessionId=session_id, completedAt=at(2)))

    assert (same.status, other.status) == (200, 409)


# GET /courses


def test_should_list_the_callers_courses_with_their_stats_by_course_id() -> None:
    for course in ("physics", EDX_COURSE, "algebra"):
        record_at(1, course, totalModulesStudied=2)
    record_at(1, "chemistry", totalModulesStudied=5)
    assert record("someone-elses", user="other", body=session_body()).status == 201

    response = list_courses()

    assert response.status == 200
    courses = response.body["courses"]
    assert [c["courseId"] for c in courses] == ["algebra", "chemistry", EDX_COURSE, "physics"]
    assert courses[1] == fetch_course_stats("chemistry").body
    assert response.body["nextCursor"] is None


def test_should_page_through_the_courses_each_once() -> None:
    names = [f"course-{n:02d}" for n in range(7)]
    for name in names:
        record_at(1, name)

    pages = all_pages(list_courses, limit="3")

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [c["courseId"] for page in pages for c in page] == names


def test_should_answer_an_empty_page_for_a_caller_without_courses() -> None:
    response = list_courses(user="newcomer")

    assert (response.status, response.body) == (200, {"courses": [], "nextCursor": None})


# GET /courses/{courseId}/sessions


def test_should_page_25_sessions_by_10_newest_first_each_once() -> None:
    recorded = [record_at(hours) for hours in range(25)]
    record_at(3, "other-course")

    pages = all_pages(list_sessions, limit="10")

    assert [len(page) for page in pages] == [10, 10, 5]
    listed = [session for page in pages for session in page]
    assert listed == sorted(recorded, key=lambda s: s["completedAt"], reverse=True)
    assert len({s["sessionId"] for s in listed}) == 25


def test_should_order_sessions_completed_at_the_same_instant_by_session_id() -> None:
    ids = sorted(str(uuid.uuid4()) for _ in range(3))
    for session_id in ids:
        record_at(5, sessionId=session_id)

    listed = list_sessions().body["sessions"]

    assert [s["sessionId"] for s in listed] == list(reversed(ids))


def test_should_keep_to_the_window_since_inclusive_until_exclusive() -> None:
    for hours in (0, 1, 2, 3, 4):
        record_at(hours)

    listed = list_sessions(since=at(1), until=at(3)).body["sessions"]

    assert [s["completedAt"] for s in listed] == [kept(2), kept(1)]


def test_should_answer_an_empty_page_for_a_window_without_sessions() -> None:
    record_at(1)

    response = list_sessions(since=at(5))

    assert (response.status, response.body) == (200, {"sessions": [], "nextCursor": None})


def test_should_read_only_about_a_page_whatever_the_course_holds(store_probe: StoreProbe) -> None:
    for hours in range(12):
        record_at(hours)
    store_probe.reset()

    assert len(list_sessions(limit="5").body["sessions"]) == 5

    (query,) = [call for call in store_probe.calls if call.operation == "Query"]
    assert query.params["Limit"] == 6  # one more tells whether the page is the last
    assert query.params["ConsistentRead"] is True
    assert len(query.response["Items"]) == 6


# Cursors and parameters


def tampered(cursor: str) -> str:
    plain = json.loads(base64.urlsafe_b64decode(cursor))
    plain["k"]["sessionId"] = str(uuid.uuid4())
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def test_should_refuse_a_tampered_foreign_or_malformed_cursor_with_400() -> None:
    for hours in range(4):
        record_at(hours)
        record_at(hours, "other-course")
    assert record(user="other", body=session_body(completedAt=at(1))).status == 201
    assert record(user="other", body=session_body(completedAt=at(2))).status == 201
    cursor = list_sessions(limit="1").body["nextCursor"]
    others = list_sessions(limit="1", user="other").body["nextCursor"]

    refused = [
        list_sessions(cursor=tampered(cursor)),
        list_sessions(cursor=cursor[:-4]),
        list_sessions(cursor="not a cursor"),
        list_sessions(cursor=others),  # another caller's
        list_sessions("other-course", cursor=cursor),  # another course
        list_sessions(cursor=cursor, since=at(0)),  # another window
        list_courses(cursor=cursor),  # another route
    ]

    assert [r.status for r in refused] == [400] * len(refused)
    assert all("cursor" in r.body["message"] for r in refused)
    assert list_sessions(limit="1", cursor=cursor).status == 200


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": str(MAX_PAGE_SIZE + 1)},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"since": "yesterday"},
        {"until": "2026-11-02"},
        {"since": "2026-11-02T11:00:00Z", "until": "2026-11-02T10:00:00Z"},
    ],
)
def test_should_refuse_a_bad_limit_or_window_with_400(query: dict[str, str]) -> None:
    response = list_sessions(**query)

    assert response.status == 400
    assert set(query) & set(response.body["message"].split())


def test_should_refuse_a_parameter_given_twice() -> None:
    response = list_sessions(limit="5,5")

    assert response.status == 400


# GET /courses/{courseId}?since=&until=


def test_should_compute_the_course_stats_over_a_window() -> None:
    record_at(0, totalModulesStudied=9, timeStudied=9, averageScore=10)
    record_at(1, totalModulesStudied=1, timeStudied=0.1, averageScore=90)
    record_at(2, totalModulesStudied=2, timeStudied=0.2, averageScore=81)
    record_at(3, totalModulesStudied=9, timeStudied=9, averageScore=10)

    response = fetch_course_stats(query={"since": at(1), "until": at(3)})

    assert response.status == 200
    assert response.body == {
        "courseId": COURSE,
        "totalModulesStudied": 3,
        "timeStudied": 0.3,
        "averageScore": 85.5,
        "sessionCount": 2,
    }
    assert Decimal(str(response.body["timeStudied"])) == Decimal("0.3")


def test_should_answer_404_for_a_window_without_sessions() -> None:
    record_at(1)

    assert fetch_course_stats(query={"since": at(2)}).status == 404
    assert fetch_course_stats().status == 200


def test_should_read_lifetime_stats_with_one_get_item_and_a_window_from_the_index(
    store_probe: StoreProbe,
) -> None:
    record_at(1)
    store_probe.reset()

    fetch_course_stats()
    lifetime = store_probe.operations
    store_probe.reset()
    fetch_course_stats(query={"until": at(2)})

    assert lifetime == ["GetItem"]
    assert store_probe.operations == ["Query"]
    assert store_probe.calls[0].params["IndexName"] == "byCourseCompletedAt"


def test_should_refuse_a_window_where_the_history_routes_are_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_at(1)
    monkeypatch.delenv(HISTORY_ENV)

    response = fetch_course_stats(query={"since": at(0)})

    assert response.status == 400
    assert "history" in response.body["message"]
    assert fetch_course_stats().status == 200


def test_should_serve_an_open_edx_course_key_on_every_route() -> None:
    recorded = record_at(1, EDX_COURSE)

    assert fetch_course_stats(EDX_COURSE).body["courseId"] == EDX_COURSE
    assert fetch_session(recorded["sessionId"], EDX_COURSE).body == recorded
    assert list_sessions(EDX_COURSE).body["sessions"] == [recorded]
