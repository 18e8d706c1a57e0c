"""The API contract over HTTP, in every auth mode, against the local run or a deployed stage."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from stats_api.session_body import MAX_BODY_BYTES
from tests.support.api_client import Api, Caller

BODY = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}


def test_should_record_a_session_and_serve_it_back(api: Api, caller: Caller, course: str) -> None:
    recorded = api.session(caller, course, BODY)
    session = api.call("GET", f"/courses/{course}/sessions/{recorded.body['sessionId']}", caller)

    assert recorded.status == 201
    assert recorded.headers["content-type"] == "application/json"
    assert recorded.body == {
        "sessionId": recorded.body["sessionId"],
        "courseId": course,
        **BODY,
        "completedAt": recorded.body["completedAt"],  # the time it was handled, in UTC
    }
    assert recorded.body["completedAt"].endswith("Z")
    assert uuid.UUID(recorded.body["sessionId"]).version == 4
    assert (session.status, session.body) == (200, recorded.body)


def test_should_serve_exact_course_stats(api: Api, caller: Caller, course: str) -> None:
    for modules, minutes, score in [(1, 0.1, 90), (2, 0.2, 80), (0, 0.000001, 70.5)]:
        body = {"totalModulesStudied": modules, "timeStudied": minutes, "averageScore": score}
        assert api.session(caller, course, body).status == 201

    stats = api.call("GET", f"/courses/{course}", caller)

    assert stats.status == 200
    assert stats.exact_body == {
        "courseId": course,
        "totalModulesStudied": 3,
        "timeStudied": Decimal("0.300001"),
        "averageScore": Decimal("80.166667"),
        "sessionCount": 3,
    }


def test_should_keep_minutes_as_clients_compute_them_to_6_places(
    api: Api, caller: Caller, course: str
) -> None:
    body = {**BODY, "timeStudied": 100 / 60}  # 1.6666666666666667

    recorded = api.session(caller, course, body)
    replay = api.session(caller, course, {**body, "sessionId": recorded.body["sessionId"]})

    assert (recorded.status, replay.status) == (201, 200)
    assert recorded.exact_body["timeStudied"] == Decimal("1.666667")
    assert api.call("GET", f"/courses/{course}", caller).exact_body["timeStudied"] == Decimal(
        "1.666667"
    )


def test_should_count_a_replay_once_and_refuse_a_reused_id_with_409(
    api: Api, caller: Caller, course: str
) -> None:
    session_id = str(uuid.uuid4())

    first = api.session(caller, course, {**BODY, "sessionId": session_id})
    replay = api.session(caller, course, {**BODY, "sessionId": session_id.upper()})
    conflict = api.session(caller, course, {**BODY, "sessionId": session_id, "averageScore": 1})

    assert (first.status, replay.status, conflict.status) == (201, 200, 409)
    assert replay.body == first.body
    assert session_id in conflict.body["message"]
    stats = api.call("GET", f"/courses/{course}", caller).body
    assert (stats["sessionCount"], stats["averageScore"]) == (1, 87.5)


@pytest.mark.parametrize(
    ("path", "raw_body", "names"),
    [
        ("/courses/bad%20course", json.dumps(BODY).encode(), "courseId"),
        ("/courses/{course}", b'{"totalModulesStudied": 1', "JSON"),
        ("/courses/{course}", b"", "body"),
        ("/courses/{course}", b'{"totalModulesStudied": 1.5}', "timeStudied and averageScore"),
        ("/courses/{course}", b'{"x": "\xff"}', "JSON"),
        # Out of range as sent, though it would be kept as 100.
        (
            "/courses/{course}",
            b'{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 100.0000001}',
            "averageScore",
        ),
        ("/courses/{course}", json.dumps({**BODY, "userId": "someone-else"}).encode(), "body"),
    ],
)
def test_should_answer_400_with_a_message_and_store_nothing_for_a_bad_post(
    api: Api, caller: Caller, course: str, path: str, raw_body: bytes, names: str
) -> None:
    response = api.call("POST", path.format(course=course), caller, raw_body=raw_body)

    assert response.status == 400
    assert response.headers["content-type"] == "application/json"
    assert names in response.body["message"]
    assert api.call("GET", f"/courses/{course}", caller).status == 404


def test_should_answer_400_for_a_session_id_that_is_not_a_uuid(
    api: Api, caller: Caller, course: str
) -> None:
    response = api.call("GET", f"/courses/{course}/sessions/not-a-uuid", caller)

    assert response.status == 400
    assert "sessionId" in response.body["message"]


def test_should_answer_413_for_a_body_above_the_limit(
    api: Api, caller: Caller, course: str
) -> None:
    padded = json.dumps(BODY).encode() + b" " * MAX_BODY_BYTES

    response = api.call("POST", f"/courses/{course}", caller, raw_body=padded)

    assert response.status == 413
    assert str(MAX_BODY_BYTES) in response.body["message"]
    assert api.call("GET", f"/courses/{course}", caller).status == 404


@pytest.mark.parametrize("path", ["/courses/{course}", "/courses/{course}/sessions/{session}"])
def test_should_answer_404_when_the_caller_has_no_such_resource(
    api: Api, caller: Caller, course: str, path: str
) -> None:
    response = api.call("GET", path.format(course=course, session=uuid.uuid4()), caller)

    assert response.status == 404
    assert response.body["message"]


def test_should_answer_404_for_another_callers_session_and_course(
    api: Api, new_caller: Callable[[], Caller], course: str
) -> None:
    owner, other = new_caller(), new_caller()
    session_id = api.session(owner, course, BODY).body["sessionId"]

    assert api.call("GET", f"/courses/{course}/sessions/{session_id}", other).status == 404
    assert api.call("GET", f"/courses/{course}", other).status == 404
    assert api.call("GET", f"/courses/{course}/sessions/{session_id}", owner).status == 200


def test_should_answer_404_for_a_session_of_another_course(
    api: Api, caller: Caller, course: str
) -> None:
    session_id = api.session(caller, course, BODY).body["sessionId"]

    other_course = api.new_course()
    response = api.call("GET", f"/courses/{other_course}/sessions/{session_id}", caller)

    assert response.status == 404


@pytest.mark.parametrize("path", ["/", "/courses/{course}/sessions/x/y", "/nowhere"])
def test_should_answer_404_for_a_path_no_route_has(
    api: Api, caller: Caller, course: str, path: str
) -> None:
    response = api.call("GET", path.format(course=course), caller)

    assert response.status == 404
    assert response.body == {"message": "Not Found"}


def test_should_url_decode_path_parameters(api: Api, caller: Caller, course: str) -> None:
    encoded = course.replace("-", "%2D")

    recorded = api.call("POST", f"/courses/{encoded}", caller, body=BODY)

    assert recorded.status == 201
    assert recorded.body["courseId"] == course
    assert api.call("GET", f"/courses/{course}", caller).status == 200
