"""GET /courses/{courseId}: a user's lifetime stats for a course."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from stats_devkit.dataset import make_sessions, seed
from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    TABLE,
    USER,
    assert_internal_error,
    fetch_course_stats,
    record,
    session_body,
)

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_should_fetch_and_aggregate_lifetime_stats_for_a_course() -> None:
    for modules, minutes, score in [(3, 30, 80), (5, 45.5, 90), (0, 10.25, 71)]:
        body = session_body(totalModulesStudied=modules, timeStudied=minutes, averageScore=score)
        assert record(body=body).status == 201
    assert record("other-course", body=session_body()).status == 201
    assert record(user="someone-else", body=session_body()).status == 201

    response = fetch_course_stats()

    assert response.status == 200
    assert response.body == {
        "courseId": COURSE,
        "totalModulesStudied": 8,
        "timeStudied": 85.75,
        "averageScore": 80.333333,
        "sessionCount": 3,
    }


def test_should_return_404_if_course_is_not_found() -> None:
    assert record("another-course", body=session_body()).status == 201

    response = fetch_course_stats()

    assert response.status == 404
    assert COURSE in response.body["message"]


def test_should_return_404_for_another_users_course() -> None:
    assert record(user="alice", body=session_body()).status == 201

    assert fetch_course_stats(user="bob").status == 404


@pytest.mark.parametrize(
    ("course", "user", "field"),
    [(COURSE, None, "userId"), (COURSE, "", "userId"), ("bad course", USER, "courseId")],
)
def test_should_return_400_if_required_fields_are_missing(
    course: str, user: str | None, field: str
) -> None:
    response = fetch_course_stats(course, user=user)

    assert response.status == 400
    assert field in response.body["message"]


def test_should_return_500_if_database_operation_fails(
    store_probe: StoreProbe, service_log: Any
) -> None:
    assert record(body=session_body()).status == 201
    store_probe.fail("GetItem", "ResourceNotFoundException", status=400)

    response = fetch_course_stats()

    assert_internal_error(response, service_log(), "injected ResourceNotFoundException")


def test_should_sum_fractional_values_exactly() -> None:
    # Binary floats would give 0.30000000000000004 and 0.6000000000000001.
    for minutes, score in [("0.1", "0.1"), ("0.2", "0.2"), ("0.000001", "0.3")]:
        raw = f'{{"totalModulesStudied": 1, "timeStudied": {minutes}, "averageScore": {score}}}'
        assert record(raw_body=raw).status == 201

    body = fetch_course_stats().body

    assert body["timeStudied"] == 0.300001
    assert body["averageScore"] == 0.2
    assert Decimal(str(body["timeStudied"])) == Decimal("0.300001")


def test_should_round_the_mean_score_to_six_decimal_places() -> None:
    for score in (100, 0, 0):
        assert record(body=session_body(averageScore=score)).status == 201

    assert fetch_course_stats().body["averageScore"] == 33.333333


def test_should_include_a_session_recorded_just_before() -> None:
    assert record(body=session_body()).status == 201
    assert fetch_course_stats().body["sessionCount"] == 1
    assert record(body=session_body()).status == 201
    assert fetch_course_stats().body["sessionCount"] == 2


@pytest.mark.parametrize("sessions", [1, 10_000])
def test_should_read_the_course_stats_with_one_consistent_get_item_whatever_the_sessions(
    dynamodb: Any, store_probe: StoreProbe, sessions: int
) -> None:
    # Written as the service would have (recording 10,000 through transactions takes
    # minutes in moto).
    seed(dynamodb, TABLE, USER, make_sessions(sessions, COURSE, seed=sessions))
    store_probe.calls.clear()

    response = fetch_course_stats()

    assert response.status == 200
    assert store_probe.operations == ["GetItem"]
    assert store_probe.calls[0].params["ConsistentRead"] is True
