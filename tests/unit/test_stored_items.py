"""Items as the table holds them today, frozen here as DynamoDB stores them: the service must
keep reading them and keep writing exactly them. Renaming a response field must never show up
here; a change to these literals is a data migration (see ``stats_api.stored_items``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from stats_api import timestamps
from tests.support.handler_client import (
    TABLE,
    fetch_course_stats,
    fetch_session,
    list_courses,
    list_sessions,
    record,
    table_items,
    withdraw,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

USER = "learner-7"
COURSE = "algebra-1"
FIRST = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
SECOND = "6b1e8a3c-2d4f-4e5a-9b7c-8d9e0f1a2b3c"

# What POST /courses/algebra-1 stored for these two sessions before stored_items existed.
FIRST_SESSION_AS_STORED = {
    "userId": {"S": USER},
    "sessionId": {"S": FIRST},
    "courseId": {"S": COURSE},
    "totalModulesStudied": {"N": "3"},
    "timeStudied": {"N": "42.5"},
    "averageScore": {"N": "87.5"},
    "completedAt": {"S": "2026-11-02T08:00:00.000000Z"},
    "courseCompletedAt": {"S": f"{COURSE}#2026-11-02T08:00:00.000000Z#{FIRST}"},
}
SECOND_SESSION_AS_STORED = {
    "userId": {"S": USER},
    "sessionId": {"S": SECOND},
    "courseId": {"S": COURSE},
    "totalModulesStudied": {"N": "2"},
    "timeStudied": {"N": "0.333333"},
    "averageScore": {"N": "60"},
    "completedAt": {"S": "2026-11-03T09:30:15.250000Z"},
    "courseCompletedAt": {"S": f"{COURSE}#2026-11-03T09:30:15.250000Z#{SECOND}"},
}
COURSE_STATS_AS_STORED = {
    "userId": {"S": USER},
    "sessionId": {"S": f"course#{COURSE}"},
    "courseId": {"S": COURSE},
    "totalModulesStudied": {"N": "5"},
    "timeStudied": {"N": "42.833333"},
    "averageScoreSum": {"N": "147.5"},
    "sessionCount": {"N": "2"},
}
# Since issue 26, a session also keeps when it was recorded (the clock frozen below): what
# names its recording in learning events and xAPI statements. Sessions stored before lack it
# and must still read (``test_should_answer_from_items_stored_today``).
RECORDED_AT = "2026-11-04T10:00:00.000000Z"
FIRST_SESSION_AS_RECORDED = {**FIRST_SESSION_AS_STORED, "recordedAt": {"S": RECORDED_AT}}
SECOND_SESSION_AS_RECORDED = {**SECOND_SESSION_AS_STORED, "recordedAt": {"S": RECORDED_AT}}
FIRST_COURSE_STATS_AS_STORED = {
    **COURSE_STATS_AS_STORED,
    "totalModulesStudied": {"N": "3"},
    "timeStudied": {"N": "42.5"},
    "averageScoreSum": {"N": "87.5"},
    "sessionCount": {"N": "1"},
}

FIRST_SESSION = {
    "sessionId": FIRST,
    "courseId": COURSE,
    "totalModulesStudied": 3,
    "timeStudied": 42.5,
    "averageScore": 87.5,
    "completedAt": "2026-11-02T08:00:00.000000Z",
}
SECOND_SESSION = {
    "sessionId": SECOND,
    "courseId": COURSE,
    "totalModulesStudied": 2,
    "timeStudied": 0.333333,
    "averageScore": 60,
    "completedAt": "2026-11-03T09:30:15.250000Z",
}
COURSE_STATS = {
    "courseId": COURSE,
    "totalModulesStudied": 5,
    "timeStudied": 42.833333,
    "averageScore": 73.75,
    "sessionCount": 2,
}


def by_key(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items in key order, numbers compared by value: moto's ADD keeps trailing zeros
    (42.500000) that DynamoDB drops, and either spelling is the same number at rest."""
    return sorted(
        (
            {
                name: {"N": Decimal(value["N"])} if "N" in value else value
                for name, value in item.items()
            }
            for item in items
        ),
        key=lambda item: (item["userId"]["S"], item["sessionId"]["S"]),
    )


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime.datetime(2026, 11, 4, 10, tzinfo=datetime.UTC)
    monkeypatch.setattr(timestamps, "now", lambda: moment)


def record_both() -> None:
    for body in (FIRST_SESSION, SECOND_SESSION):
        sent = {name: value for name, value in body.items() if name != "courseId"}
        assert record(COURSE, user=USER, body=sent).status == 201


def test_should_store_recorded_sessions_and_course_stats_as_stored_today(dynamodb: Any) -> None:
    record_both()

    assert by_key(table_items(dynamodb)) == by_key(
        [FIRST_SESSION_AS_RECORDED, SECOND_SESSION_AS_RECORDED, COURSE_STATS_AS_STORED]
    )


def test_should_leave_the_course_stats_as_stored_today_after_a_withdrawal(dynamodb: Any) -> None:
    record_both()

    assert withdraw(SECOND, COURSE, user=USER).status == 204

    assert by_key(table_items(dynamodb)) == by_key(
        [FIRST_SESSION_AS_RECORDED, FIRST_COURSE_STATS_AS_STORED]
    )


@pytest.mark.parametrize(
    "sessions",
    [
        (FIRST_SESSION_AS_STORED, SECOND_SESSION_AS_STORED),
        (FIRST_SESSION_AS_RECORDED, SECOND_SESSION_AS_RECORDED),
    ],
    ids=["before-recordedAt", "with-recordedAt"],
)
def test_should_answer_from_items_stored_today(
    dynamodb: Any, sessions: tuple[dict[str, Any], ...]
) -> None:
    for item in (*sessions, COURSE_STATS_AS_STORED):
        dynamodb.put_item(TableName=TABLE, Item=item)

    assert fetch_session(FIRST, COURSE, user=USER).body == FIRST_SESSION
    assert fetch_course_stats(COURSE, user=USER).body == COURSE_STATS
    assert list_courses(user=USER).body == {"courses": [COURSE_STATS], "nextCursor": None}
    assert list_sessions(COURSE, user=USER).body == {
        "sessions": [SECOND_SESSION, FIRST_SESSION],
        "nextCursor": None,
    }
    window = {"since": "2026-11-03T00:00:00Z", "until": "2026-11-04T00:00:00Z"}
    assert fetch_course_stats(COURSE, user=USER, query=window).body == {
        **COURSE_STATS,
        "totalModulesStudied": 2,
        "timeStudied": 0.333333,
        "averageScore": 60,
        "sessionCount": 1,
    }
