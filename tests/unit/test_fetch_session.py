"""GET /courses/{courseId}/sessions/{sessionId}: one session."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    USER,
    assert_internal_error,
    fetch_session,
    record,
    session_body,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

# A well-formed session id, the same in every run (test ids must not change between runs).
ANY_SESSION_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_should_fetch_stats_for_a_specific_session() -> None:
    recorded = record(body=session_body()).body
    record(body=session_body(totalModulesStudied=7))

    response = fetch_session(recorded["sessionId"])

    assert response.status == 200
    assert response.body == recorded
    assert response.headers["content-type"] == "application/json"


def test_should_find_a_session_whatever_the_case_of_its_id() -> None:
    recorded = record(body=session_body()).body

    assert fetch_session(recorded["sessionId"].upper()).body == recorded


def test_should_return_404_if_session_is_not_found() -> None:
    response = fetch_session(str(uuid.uuid4()))

    assert response.status == 404
    assert response.body["message"]


def test_should_return_404_if_the_session_belongs_to_another_course() -> None:
    session_id = record(body=session_body()).body["sessionId"]

    assert fetch_session(session_id, "another-course").status == 404


def test_should_return_404_if_the_session_belongs_to_another_user() -> None:
    session_id = record(user="alice", body=session_body()).body["sessionId"]

    response = fetch_session(session_id, user="bob")

    assert response.status == 404


@pytest.mark.parametrize(
    ("session_id", "course", "user", "field"),
    [
        (ANY_SESSION_ID, COURSE, None, "userId"),
        ("not-a-uuid", COURSE, USER, "sessionId"),
        ("course#" + COURSE, COURSE, USER, "sessionId"),
        (ANY_SESSION_ID, "bad/course", USER, "courseId"),
    ],
    ids=["no-user", "session-id-not-a-uuid", "course-stats-key", "course-id-not-allowed"],
)
def test_should_return_400_if_required_fields_are_missing(
    session_id: str, course: str, user: str | None, field: str
) -> None:
    response = fetch_session(session_id, course, user=user)

    assert response.status == 400
    assert field in response.body["message"]


def test_should_return_500_if_database_operation_fails(
    store_probe: StoreProbe, service_log: Any
) -> None:
    session_id = record(body=session_body()).body["sessionId"]
    store_probe.fail("GetItem", "ResourceNotFoundException", status=400)

    response = fetch_session(session_id)

    assert_internal_error(response, service_log(), "injected ResourceNotFoundException")
