"""DELETE /courses/{courseId}/sessions/{sessionId}: a wrongly recorded session is withdrawn
and its numbers leave the course stats exactly, in the same transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    assert_internal_error,
    fetch_course_stats,
    fetch_session,
    list_courses,
    list_sessions,
    record,
    session_body,
    table_items,
    withdraw,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

CONDITION_FAILED = {"Code": "ConditionalCheckFailed"}
FINE = {"Code": "None"}


def recorded(**fields: Any) -> str:
    response = record(body=session_body(**fields))
    assert response.status == 201
    return str(response.body["sessionId"])


def test_should_withdraw_a_session_and_reverse_its_numbers_exactly() -> None:
    keep = recorded(totalModulesStudied=1, timeStudied=0.1, averageScore=0.1)
    wrong = recorded(totalModulesStudied=2, timeStudied=0.2, averageScore=0.2)
    before = fetch_course_stats().exact_body()

    response = withdraw(wrong)

    assert (response.status, response.body) == (204, None)
    assert before["averageScore"] == Decimal("0.15")
    assert fetch_course_stats().exact_body() == {
        "courseId": COURSE,
        "totalModulesStudied": 1,
        "timeStudied": Decimal("0.1"),
        "averageScore": Decimal("0.1"),  # exact again, not 0.09999...
        "sessionCount": 1,
    }
    assert fetch_session(wrong).status == 404
    assert fetch_session(keep).status == 200
    assert [s["sessionId"] for s in list_sessions().body["sessions"]] == [keep]


def test_should_take_the_course_away_with_its_last_session(dynamodb: Any) -> None:
    only = recorded()
    recorded_elsewhere = record("other-course", body=session_body()).body["sessionId"]

    assert withdraw(only).status == 204

    assert fetch_course_stats().status == 404
    assert [c["courseId"] for c in list_courses().body["courses"]] == ["other-course"]
    assert {item["sessionId"]["S"] for item in table_items(dynamodb)} == {
        recorded_elsewhere,
        "course#other-course",
    }


def test_should_record_a_withdrawn_session_anew() -> None:
    session_id = recorded(totalModulesStudied=4)
    assert withdraw(session_id).status == 204

    again = record(body=session_body(sessionId=session_id, totalModulesStudied=6))

    assert again.status == 201
    assert fetch_course_stats().body["totalModulesStudied"] == 6


@pytest.mark.parametrize(
    ("course", "user"),
    [(COURSE, "user-1"), ("other-course", "user-1"), (COURSE, "someone-else")],
    ids=["absent", "another-course", "another-user"],
)
def test_should_answer_404_and_change_nothing_for_a_session_the_caller_has_not_there(
    dynamodb: Any, course: str, user: str
) -> None:
    session_id = recorded()
    missing = str(uuid.uuid4()) if user == "user-1" and course == COURSE else session_id
    before = table_items(dynamodb)

    response = withdraw(missing, course, user=user)

    assert response.status == 404
    assert response.body["message"]
    assert table_items(dynamodb) == before


def test_should_answer_400_for_a_session_id_that_is_not_a_uuid() -> None:
    assert withdraw("course#" + COURSE).status == 400


def test_should_read_again_when_the_course_changed_between_read_and_write(
    store_probe: StoreProbe,
) -> None:
    # Another POST or DELETE of the course moved sessionCount between this withdrawal's
    # read and its transaction: the transaction's guard cancels it and it reads again.
    session_id = recorded(totalModulesStudied=3)
    recorded(totalModulesStudied=5)
    store_probe.reset()
    store_probe.answer_next(
        "TransactWriteItems",
        store_probe.error(
            "TransactionCanceledException", CancellationReasons=[FINE, CONDITION_FAILED]
        ),
    )

    assert withdraw(session_id).status == 204

    assert store_probe.operations.count("TransactWriteItems") == 2
    assert fetch_course_stats().body["totalModulesStudied"] == 5


def test_should_answer_404_when_the_session_was_withdrawn_meanwhile(
    store_probe: StoreProbe,
) -> None:
    session_id = recorded()
    store_probe.answer_next(
        "TransactWriteItems",
        store_probe.error(
            "TransactionCanceledException", CancellationReasons=[CONDITION_FAILED, FINE]
        ),
    )

    assert withdraw(session_id).status == 404


def test_should_answer_503_when_the_course_keeps_changing(
    store_probe: StoreProbe, service_log: Any
) -> None:
    session_id = recorded()
    contended = store_probe.error(
        "TransactionCanceledException", CancellationReasons=[FINE, CONDITION_FAILED]
    )
    store_probe.answer_next("TransactWriteItems", *[contended] * 4)

    response = withdraw(session_id)

    assert response.status == 503
    assert response.headers["retry-after"] == "1"
    assert fetch_session(session_id).status == 200


def test_should_answer_500_and_keep_both_items_if_the_transaction_fails(
    dynamodb: Any, store_probe: StoreProbe, service_log: Any
) -> None:
    session_id = recorded()
    before = table_items(dynamodb)
    store_probe.fail("TransactWriteItems", "ValidationException", status=400)

    response = withdraw(session_id)

    assert_internal_error(response, service_log(), "injected ValidationException")
    assert table_items(dynamodb) == before
