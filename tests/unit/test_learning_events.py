"""Learning events from the sessions table's stream: one per recording, withdrawal and
erasure of a session, none for anything else; ids derived from the change, so every
redelivery carries the same id and a new recording a new one; details as documented in
their JSON Schemas."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from stats_api import json_text
from stats_api.learning_events import (
    EVENT_KINDS,
    SESSION_ERASED,
    SESSION_RECORDED,
    SESSION_WITHDRAWN,
    LearningEvent,
    SessionIds,
)
from stats_api.learning_events_stream import learning_event
from stats_devkit.fake_lrs import on_the_bus
from stats_tools import event_schemas
from tests.support.stream_records import (
    COMPLETED_AT,
    RECORDED_AT,
    SESSION_ID,
    course_stats_image,
    session_change,
    session_image,
    stream_record,
)

ERASED_AT = "2026-12-01T10:00:00.000000Z"
SESSION_AS_THE_API_RETURNS_IT = {
    "sessionId": SESSION_ID,
    "courseId": "algebra-1",
    "totalModulesStudied": 3,
    "timeStudied": 42.5,
    "averageScore": 87.5,
    "completedAt": COMPLETED_AT,
}


def recorded(**image: str) -> LearningEvent:
    return session_change("INSERT", **image)


def removed(**image: str) -> LearningEvent:
    return session_change("REMOVE", **image)


def as_published(event: LearningEvent) -> dict[str, Any]:
    """The detail as JSON carries it (what a consumer parses)."""
    detail: dict[str, Any] = json.loads(json_text.dumps(event.detail()))
    return detail


def test_should_publish_a_recorded_session_as_the_api_returns_it() -> None:
    event = recorded(recordedAt=RECORDED_AT)
    assert event.kind is SESSION_RECORDED
    assert as_published(event) == {
        "eventId": "14dedf36-e3cd-590e-8548-4cc036753463",
        "userId": "learner-42",
        "recordedAt": RECORDED_AT,
        "session": SESSION_AS_THE_API_RETURNS_IT,
    }


def test_should_publish_a_withdrawal_with_the_session_as_it_was_and_when_it_went() -> None:
    event = removed(recordedAt=RECORDED_AT)
    assert event.kind is SESSION_WITHDRAWN
    assert as_published(event) == {
        "eventId": "3a74f847-bd62-5b94-981f-1826e4db6e31",
        "userId": "learner-42",
        "recordedAt": RECORDED_AT,
        # The stream record's ApproximateCreationDateTime, 1793606702 s after the epoch.
        "withdrawnAt": "2026-11-02T08:05:02.000000Z",
        "session": SESSION_AS_THE_API_RETURNS_IT,
    }


def test_should_publish_an_erasure_with_the_sessions_ids_and_no_numbers() -> None:
    event = removed(recordedAt=RECORDED_AT, erasedAt=ERASED_AT)
    assert event.kind is SESSION_ERASED
    assert event.session == SessionIds(SESSION_ID, "algebra-1")
    assert as_published(event) == {
        "eventId": "397f4054-2c2f-57b4-98c4-6872fe105c9f",
        "userId": "learner-42",
        "recordedAt": RECORDED_AT,
        "erasedAt": ERASED_AT,
        "session": {"sessionId": SESSION_ID, "courseId": "algebra-1"},
    }


@pytest.mark.parametrize(
    "record",
    [
        # The course stats item changes with every POST and DELETE: not a session.
        stream_record("INSERT", new=course_stats_image()),
        stream_record("MODIFY", new=course_stats_image(), old=course_stats_image()),
        stream_record("REMOVE", old=course_stats_image()),
        # The erasure's marking of a session, before its REMOVE.
        stream_record("MODIFY", new=session_image(erasedAt=ERASED_AT), old=session_image()),
        # Images missing (a stream of keys only would deliver these).
        {**stream_record("INSERT", new=session_image()), "dynamodb": {"Keys": {}}},
        {"eventName": "INSERT"},
    ],
    ids=["stats-insert", "stats-modify", "stats-remove", "erasure-mark", "no-image", "no-change"],
)
def test_should_make_no_event_of_a_record_that_is_not_a_sessions_recording_or_removal(
    record: dict[str, Any],
) -> None:
    assert learning_event(record) is None


def test_should_name_the_recording_by_completed_at_for_sessions_stored_before_recorded_at() -> None:
    event = recorded()
    assert event.recorded_at == COMPLETED_AT
    assert removed().recorded_at == COMPLETED_AT  # its withdrawal names the same recording


def test_should_give_every_delivery_of_a_change_the_same_event_id() -> None:
    first = learning_event(stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT)))
    # The same change redelivered: another stream record id, sequence number, time.
    again = learning_event(
        stream_record(
            "INSERT",
            new=session_image(recordedAt=RECORDED_AT),
            sequence="4421584500000000017450439999",
            created=1793606999,
            event_id="eccbc87e4b5ce2fe28308fd9f2a7baf3",
        )
    )
    assert first is not None
    assert again is not None
    assert again.event_id == first.event_id


def test_should_give_each_change_its_own_event_id() -> None:
    ids = {
        recorded(recordedAt=RECORDED_AT).event_id,
        removed(recordedAt=RECORDED_AT).event_id,
        removed(recordedAt=RECORDED_AT, erasedAt=ERASED_AT).event_id,
        # The same session recorded again after its withdrawal: another recording.
        recorded(recordedAt="2026-11-02T09:00:00.000000Z").event_id,
        removed(recordedAt="2026-11-02T09:00:00.000000Z").event_id,
        # Another learner's session of that id, another session of that learner.
        recorded(recordedAt=RECORDED_AT, user="learner-43").event_id,
        recorded(
            recordedAt=RECORDED_AT, session_id="6b1e8a3c-2d4f-4e5a-9b7c-8d9e0f1a2b3c"
        ).event_id,
    }
    assert len(ids) == 7


def test_should_keep_ids_apart_whatever_characters_the_user_id_holds() -> None:
    # Joined with a separator, these two would name the same change.
    tricky = recorded(user='a", "b', recordedAt=RECORDED_AT)
    plain = recorded(user="a", session_id='b", "' + SESSION_ID, recordedAt=RECORDED_AT)
    assert tricky.event_id != plain.event_id


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ({"recordedAt": RECORDED_AT}, SESSION_RECORDED),
        ({"recordedAt": RECORDED_AT}, SESSION_WITHDRAWN),
        ({"recordedAt": RECORDED_AT, "erasedAt": ERASED_AT}, SESSION_ERASED),
        # Both ends of every number's range.
        ({"modules": "0", "minutes": "0", "score": "0"}, SESSION_RECORDED),
        ({"modules": "1000", "minutes": "1440", "score": "100"}, SESSION_WITHDRAWN),
        ({"minutes": "1.666667", "score": "33.333333"}, SESSION_RECORDED),
    ],
)
def test_should_publish_details_that_their_kinds_json_schema_accepts(
    image: dict[str, str], kind: Any
) -> None:
    event = recorded(**image) if kind is SESSION_RECORDED else removed(**image)
    assert event.kind is kind
    jsonschema.Draft4Validator(
        kind.detail_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(as_published(event))


@pytest.mark.parametrize("kind", list(EVENT_KINDS.values()), ids=list(EVENT_KINDS))
def test_should_refuse_a_detail_without_its_fields_or_with_others(kind: Any) -> None:
    image = {
        "recordedAt": RECORDED_AT,
        **({"erasedAt": ERASED_AT} if kind is SESSION_ERASED else {}),
    }
    detail = as_published(recorded(**image) if kind is SESSION_RECORDED else removed(**image))
    validator = jsonschema.Draft4Validator(kind.detail_schema())
    for field in detail:
        assert not validator.is_valid({k: v for k, v in detail.items() if k != field}), field
    assert not validator.is_valid({**detail, "extra": 1})
    assert not validator.is_valid({**detail, "session": {**detail["session"], "extra": 1}})


def test_should_publish_no_numbers_in_an_erasure_even_where_its_schema_is_concerned() -> None:
    properties = SESSION_ERASED.detail_schema()["properties"]["session"]["properties"]
    assert set(properties) == {"sessionId", "courseId"}


def test_should_commit_each_events_schema_as_generated() -> None:
    for path, text in event_schemas.files().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run `make event-schemas`"
        )
    assert sorted(p.name for p in event_schemas.DIRECTORY.iterdir()) == [
        "SessionErased.json",
        "SessionRecorded.json",
        "SessionWithdrawn.json",
    ]


@pytest.mark.parametrize("kind", list(EVENT_KINDS.values()), ids=list(EVENT_KINDS))
def test_should_publish_draft_4_schemas_of_the_whole_event_as_eventbridge_delivers_it(
    kind: Any,
) -> None:
    schema = kind.event_schema()
    jsonschema.Draft4Validator.check_schema(schema)  # what the schema registry's type says
    image = {
        "recordedAt": RECORDED_AT,
        **({"erasedAt": ERASED_AT} if kind is SESSION_ERASED else {}),
    }
    event = recorded(**image) if kind is SESSION_RECORDED else removed(**image)
    delivered = on_the_bus(event)
    validator = jsonschema.Draft4Validator(schema)
    validator.validate(json.loads(json_text.dumps(delivered)))
    assert not validator.is_valid({**delivered, "source": "another-service"})
    other = next(name for name in EVENT_KINDS if name != kind.detail_type)
    assert not validator.is_valid({**delivered, "detail-type": other})


@pytest.mark.parametrize(
    "event",
    [
        recorded(recordedAt=RECORDED_AT, minutes="1.666667", score="33.333333"),
        removed(recordedAt=RECORDED_AT),
        removed(recordedAt=RECORDED_AT, erasedAt=ERASED_AT),
    ],
    ids=["recorded", "withdrawn", "erased"],
)
def test_should_read_back_from_the_bus_the_event_it_published(event: LearningEvent) -> None:
    assert LearningEvent.from_bus(on_the_bus(event)) == event


def test_should_refuse_from_the_bus_an_event_of_another_kind() -> None:
    with pytest.raises(KeyError):
        LearningEvent.from_bus({"detail-type": "SessionArchived", "detail": {}})
