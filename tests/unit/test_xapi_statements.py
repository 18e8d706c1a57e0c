"""xAPI statements of learning events: one ``completed`` statement per recording, its
``voided`` statement per withdrawal or erasure, ids derived from the recording, and every
statement valid xAPI 1.0.3 as Ralph's models read the specification."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from stats_api import json_text
from stats_api.learning_events import LearningEvent
from stats_api.learning_events_stream import learning_event
from stats_api.xapi_statements import LrsProfile, duration, score, statements_for
from tests.support.stream_records import (
    RECORDED_AT,
    SESSION_ID,
    session_change,
    session_image,
    stream_record,
)

PROFILE = LrsProfile("https://learn.example.com", "https://learn.example.com/courses/{courseId}")
ERASED_AT = "2026-12-01T10:00:00.000000Z"
COMPLETED_ID = "f9aed371-7822-5def-b4bb-f62a93bd3e3c"
VOIDING_ID = "489f5121-e3b2-5a34-a69a-4d0ed16bd303"
ACTOR = {
    "objectType": "Agent",
    "account": {"homePage": "https://learn.example.com", "name": "learner-42"},
}
COMPLETED_STATEMENT: dict[str, Any] = {
    "id": COMPLETED_ID,
    "actor": ACTOR,
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "objectType": "Activity",
        "id": "https://learn.example.com/courses/algebra-1",
        "definition": {"type": "http://adlnet.gov/expapi/activities/course"},
    },
    "result": {
        "completion": True,
        "duration": "PT42M30S",
        "score": {"raw": 87.5, "min": 0, "max": 100, "scaled": 0.875},
        "extensions": {"https://learn.example.com/xapi/extensions/modules-studied": 3},
    },
    "context": {"extensions": {"https://learn.example.com/xapi/extensions/session-id": SESSION_ID}},
    "timestamp": "2026-11-02T08:00:00.000000Z",
}


def sent(learning: LearningEvent, profile: LrsProfile = PROFILE) -> list[dict[str, Any]]:
    """The statements as the LRS receives them: JSON."""
    statements: list[dict[str, Any]] = json.loads(
        json_text.dumps(statements_for(learning, profile))
    )
    return statements


def test_should_send_a_recorded_session_as_one_completed_statement() -> None:
    assert sent(session_change("INSERT", recordedAt=RECORDED_AT)) == [COMPLETED_STATEMENT]


def test_should_send_a_withdrawal_as_the_statement_it_voids_then_the_voiding_one() -> None:
    assert sent(session_change("REMOVE", recordedAt=RECORDED_AT)) == [
        COMPLETED_STATEMENT,
        {
            "id": VOIDING_ID,
            "actor": ACTOR,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": COMPLETED_ID},
            "timestamp": "2026-11-02T08:05:02.000000Z",
        },
    ]


def test_should_send_an_erasure_as_the_voiding_statement_alone() -> None:
    assert sent(session_change("REMOVE", recordedAt=RECORDED_AT, erasedAt=ERASED_AT)) == [
        {
            "id": VOIDING_ID,
            "actor": ACTOR,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": COMPLETED_ID},
            "timestamp": ERASED_AT,
        }
    ]


def test_should_send_a_recording_again_as_the_same_statement() -> None:
    first = sent(session_change("INSERT", recordedAt=RECORDED_AT))
    again = learning_event(
        stream_record(
            "INSERT", new=session_image(recordedAt=RECORDED_AT), sequence="9", event_id="other"
        )
    )
    assert again is not None
    assert sent(again) == first


def test_should_send_a_session_recorded_again_after_its_withdrawal_as_a_new_statement() -> None:
    again = sent(session_change("INSERT", recordedAt="2026-11-03T08:00:00.000000Z"))[0]
    assert again["id"] != COMPLETED_ID
    assert {**again, "id": COMPLETED_ID} == COMPLETED_STATEMENT
    withdrawn_again = sent(session_change("REMOVE", recordedAt="2026-11-03T08:00:00.000000Z"))
    assert withdrawn_again[1]["object"]["id"] == again["id"]
    assert withdrawn_again[1]["id"] != VOIDING_ID


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ("0", "PT0S"),
        ("42.5", "PT42M30S"),
        ("60", "PT1H"),
        ("61.5", "PT1H1M30S"),
        ("1440", "PT24H"),  # the most a session may last
        ("0.005", "PT0.3S"),
        ("1.666667", "PT1M40S"),  # 100.00002 s
        ("0.000083", "PT0S"),  # 0.00498 s: below xAPI's 0.01 s
        ("0.000084", "PT0.01S"),  # 0.00504 s
        ("0.000250", "PT0.02S"),  # 0.015 s: half-even
        ("0.000417", "PT0.03S"),  # 0.02502 s
    ],
)
def test_should_give_time_studied_as_an_iso_8601_duration_to_the_hundredth_second(
    minutes: str, expected: str
) -> None:
    assert duration(Decimal(minutes)) == expected


@pytest.mark.parametrize(
    ("average", "scaled"),
    [("0", "0"), ("100", "1"), ("87.5", "0.875"), ("33.333333", "0.33333333")],
)
def test_should_scale_the_average_score_from_the_apis_0_to_100(average: str, scaled: str) -> None:
    assert score(Decimal(average)) == {
        "raw": Decimal(average),
        "min": Decimal(0),
        "max": Decimal(100),
        "scaled": Decimal(scaled),
    }


@pytest.mark.parametrize(
    "image",
    [
        {"recordedAt": RECORDED_AT},
        {"modules": "0", "minutes": "0", "score": "0"},
        {"modules": "1000", "minutes": "1440", "score": "100"},
        {"minutes": "1.666667", "score": "33.333333"},
        {"course": "course-v1:MITx+6.00x+2T2024", "user": "auth0|5f7c8ec7c33c6c004bbafe82"},
    ],
)
@pytest.mark.parametrize("name", ["INSERT", "REMOVE"])
def test_should_send_only_statements_valid_under_xapi_1_0_3(
    name: str, image: dict[str, str]
) -> None:
    for statement in sent(session_change(name, **image)):
        BaseXapiStatement.model_validate(statement)


def test_should_send_a_valid_voiding_statement_for_an_erasure() -> None:
    (voiding,) = sent(session_change("REMOVE", recordedAt=RECORDED_AT, erasedAt=ERASED_AT))
    BaseXapiStatement.model_validate(voiding)


@pytest.mark.parametrize(
    "breakage",
    [
        {
            "result": {
                **COMPLETED_STATEMENT["result"],
                "score": {"raw": 101, "max": 100, "scaled": 1.01},
            }
        },
        {"object": {"objectType": "Activity", "id": "courses/algebra-1"}},
        {
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": "learn.example.com", "name": "x"},
            }
        },
        {"result": {**COMPLETED_STATEMENT["result"], "duration": "42.5"}},
        {"verb": {"id": "completed"}},
    ],
    ids=[
        "scaled-score-above-1",
        "relative-activity-iri",
        "home-page-not-a-url",
        "duration",
        "verb",
    ],
)
def test_should_use_a_validator_that_refuses_invalid_statements(breakage: dict[str, Any]) -> None:
    # So the validity checks above can fail.
    with pytest.raises(ValueError, match="validation error"):
        BaseXapiStatement.model_validate({**COMPLETED_STATEMENT, **breakage})


def test_should_place_the_course_id_in_the_iri_template_as_it_is() -> None:
    profile = LrsProfile("https://lms.example.org", "https://lms.example.org/c/{courseId}/about")
    assert profile.course_iri("course-v1:MITx+6.00x+2T2024") == (
        "https://lms.example.org/c/course-v1:MITx+6.00x+2T2024/about"
    )


@pytest.mark.parametrize(
    ("home_page", "template", "complaint"),
    [
        ("learn.example.com", "https://learn.example.com/courses/{courseId}", "home page"),
        ("ftp://learn.example.com", "https://learn.example.com/courses/{courseId}", "home page"),
        ("https://learn.example.com", "https://learn.example.com/courses/", "exactly once"),
        ("https://learn.example.com", "https://x/{courseId}/{courseId}", "exactly once"),
        ("https://learn.example.com", "/courses/{courseId}", "IRI template"),
        ("https://learn example.com", "https://learn.example.com/{courseId}", "home page"),
    ],
)
def test_should_refuse_a_profile_that_would_make_invalid_statements(
    home_page: str, template: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        LrsProfile(home_page, template)
