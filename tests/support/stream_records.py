"""The sessions table's stream records as Lambda hands them to a function, shaped as AWS
documents them (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): DynamoDB
JSON images, the sequence number as a string, the record's time in epoch seconds."""

from __future__ import annotations

from typing import Any

from stats_api.learning_events import LearningEvent
from stats_api.learning_events_stream import learning_event
from stats_api.table_keys import SESSION_CHANGE_FILTERS

USER = "learner-42"
COURSE = "algebra-1"
SESSION_ID = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
COMPLETED_AT = "2026-11-02T08:00:00.000000Z"
RECORDED_AT = "2026-11-02T08:00:01.250000Z"
STREAM_ARN = (
    "arn:aws:dynamodb:eu-west-1:123456789012:table/StatsService-dev-Sessions/stream/"
    "2026-11-01T00:00:00.000"
)


def session_image(
    *,
    user: str = USER,
    session_id: str = SESSION_ID,
    course: str = COURSE,
    modules: str = "3",
    minutes: str = "42.5",
    score: str = "87.5",
    completed_at: str = COMPLETED_AT,
    **extra: str,
) -> dict[str, Any]:
    """A session item as the table stores it, with ``extra`` string attributes
    (``recordedAt``, ``erasedAt``)."""
    return {
        "userId": {"S": user},
        "sessionId": {"S": session_id},
        "courseId": {"S": course},
        "totalModulesStudied": {"N": modules},
        "timeStudied": {"N": minutes},
        "averageScore": {"N": score},
        "completedAt": {"S": completed_at},
        "courseCompletedAt": {"S": f"{course}#{completed_at}#{session_id}"},
        **{name: {"S": value} for name, value in extra.items()},
    }


def course_stats_image(user: str = USER, course: str = COURSE) -> dict[str, Any]:
    return {
        "userId": {"S": user},
        "sessionId": {"S": f"course#{course}"},
        "courseId": {"S": course},
        "totalModulesStudied": {"N": "3"},
        "timeStudied": {"N": "42.5"},
        "averageScoreSum": {"N": "87.5"},
        "sessionCount": {"N": "1"},
    }


def stream_record(
    event_name: str,
    *,
    new: dict[str, Any] | None = None,
    old: dict[str, Any] | None = None,
    sequence: str = "4421584500000000017450439091",
    created: int = 1793606702,  # 2026-11-02T08:05:02Z
    event_id: str = "c4ca4238a0b923820dcc509a6f75849b",
) -> dict[str, Any]:
    image = new or old or {}
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": created,
        "Keys": {name: image[name] for name in ("userId", "sessionId")},
        "SequenceNumber": sequence,
        "SizeBytes": 312,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    return {
        "eventID": event_id,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": change,
        "eventSourceARN": STREAM_ARN,
    }


def session_change(event_name: str, **image: str) -> LearningEvent:
    """The learning event of a session's ``INSERT`` or ``REMOVE`` record, the session
    ``session_image(**image)``."""
    stored = session_image(**image)
    if event_name == "INSERT":
        made = learning_event(stream_record(event_name, new=stored))
    else:
        made = learning_event(stream_record(event_name, old=stored))
    assert made is not None
    return made


def passes_session_change_filters(record: dict[str, Any]) -> bool:
    """Whether Lambda's event filtering passes ``record`` through ``SESSION_CHANGE_FILTERS``
    (the rules they use: a list of literals or ``exists``, nested objects)."""

    def matches(pattern: dict[str, Any], value: Any) -> bool:
        for name, rule in pattern.items():
            present = isinstance(value, dict) and name in value
            if isinstance(rule, dict):
                if not present or not matches(rule, value[name]):
                    return False
            elif not any(
                (option == {"exists": True} and present) or (present and option == value[name])
                for option in rule
            ):
                return False
        return True

    return any(matches(pattern, record) for pattern in SESSION_CHANGE_FILTERS)
