"""POST /courses/{courseId}: recording a completed learning session."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from local_run.events import api_event
from stats_api import timestamps
from stats_api.routes import RECORD_SESSION
from stats_api.session_body import MAX_BODY_BYTES
from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    USER,
    assert_internal_error,
    fetch_course_stats,
    fetch_session,
    invoke,
    record,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_should_save_session_stats_successfully(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = str(uuid.uuid4())
    recorded = datetime.datetime(2026, 11, 20, 17, 31, 2, 5000, tzinfo=datetime.UTC)
    monkeypatch.setattr(timestamps, "now", lambda: recorded)

    completed = "2026-11-20T17:30:00.250000Z"

    response = record(
        body=session_body(sessionId=session_id, completedAt="2026-11-20T18:30:00.25+01:00")
    )

    assert response.status == 201
    assert response.body == {
        "sessionId": session_id,
        "courseId": COURSE,
        "totalModulesStudied": 3,
        "timeStudied": 45.5,
        "averageScore": 87.25,
        "completedAt": completed,
    }
    stored = {item["sessionId"]["S"]: item for item in table_items(dynamodb)}
    assert stored[session_id] == {
        "userId": {"S": USER},
        "sessionId": {"S": session_id},
        "courseId": {"S": COURSE},
        "totalModulesStudied": {"N": "3"},
        "timeStudied": {"N": "45.5"},
        "averageScore": {"N": "87.25"},
        "completedAt": {"S": completed},
        "courseCompletedAt": {"S": f"{COURSE}#{completed}#{session_id}"},
        # When it was written: what names this recording in its events and statements.
        "recordedAt": {"S": "2026-11-20T17:31:02.005000Z"},
    }
    assert fetch_session(session_id).body == response.body


def test_should_generate_session_id_if_not_provided() -> None:
    first = record(body=session_body())
    second = record(body=session_body())

    assert first.status == second.status == 201
    generated = uuid.UUID(first.body["sessionId"])
    assert generated.version == 4
    assert str(generated) == first.body["sessionId"]
    assert first.body["sessionId"] != second.body["sessionId"]
    assert fetch_course_stats().body["sessionCount"] == 2


@pytest.mark.parametrize("missing", ["totalModulesStudied", "timeStudied", "averageScore"])
def test_should_return_400_if_required_fields_are_missing(dynamodb: Any, missing: str) -> None:
    body = session_body()
    del body[missing]

    response = record(body=body)

    assert response.status == 400
    assert missing in response.body["message"]
    assert table_items(dynamodb) == []


def test_should_return_400_if_the_user_header_is_missing(dynamodb: Any) -> None:
    response = record(user=None, body=session_body())

    assert response.status == 400
    assert "userId" in response.body["message"]
    assert table_items(dynamodb) == []


def test_should_return_500_if_database_operation_fails(
    dynamodb: Any, store_probe: StoreProbe, service_log: Any
) -> None:
    store_probe.fail("TransactWriteItems", "ResourceNotFoundException", status=400)

    response = record(body=session_body())

    assert_internal_error(response, service_log(), "injected ResourceNotFoundException")
    assert table_items(dynamodb) == []


@pytest.mark.parametrize(
    ("raw_body", "reason"),
    [
        ('{"totalModulesStudied": true, "timeStudied": 1, "averageScore": 1}', "boolean integer"),
        ('{"totalModulesStudied": 1, "timeStudied": false, "averageScore": 1}', "boolean number"),
        ('{"totalModulesStudied": "1", "timeStudied": 1, "averageScore": 1}', "string integer"),
        ('{"totalModulesStudied": 1, "timeStudied": "1", "averageScore": 1}', "string number"),
        ('{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": null}', "null"),
        ('{"totalModulesStudied": 1, "timeStudied": NaN, "averageScore": 1}', "NaN"),
        ('{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": Infinity}', "Infinity"),
        ('{"totalModulesStudied": 1, "timeStudied": -Infinity, "averageScore": 1}', "-Infinity"),
        ('{"totalModulesStudied": 1.5, "timeStudied": 1, "averageScore": 1}', "fraction"),
        ('{"totalModulesStudied": 1E+999999999, "timeStudied": 1, "averageScore": 1}', "huge"),
        ('{"totalModulesStudied": -1, "timeStudied": 1, "averageScore": 1}', "negative modules"),
        ('{"totalModulesStudied": 1001, "timeStudied": 1, "averageScore": 1}', "too many modules"),
        ('{"totalModulesStudied": 1, "timeStudied": -0.5, "averageScore": 1}', "negative time"),
        ('{"totalModulesStudied": 1, "timeStudied": 1440.5, "averageScore": 1}', "too much time"),
        ('{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": -1}', "negative score"),
        ('{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 100.01}', "score over 100"),
        ('{"totalModulesStudied": 1, "timeStudied": 1e999, "averageScore": 1}', "overflow"),
        # Beyond the 28 digits of Decimal's default context: never rounded into range.
        (
            '{"totalModulesStudied": 1, "timeStudied": 1440.00000000000000000000000000001, '
            '"averageScore": 1}',
            "just above 1440",
        ),
        (
            '{"totalModulesStudied": 1, "timeStudied": 1, '
            '"averageScore": 100.00000000000000000000000000001}',
            "a score just above 100",
        ),
        (
            '{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 1, "sessionId": "abc"}',
            "non-UUID session id",
        ),
        (
            '{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 1, "sessionId": 7}',
            "numeric session id",
        ),
        (
            '{"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 1, "userId": "bob"}',
            "owner in the body",
        ),
        ("[1, 2, 3]", "array body"),
        ('"a string"', "string body"),
        ("42", "number body"),
        ("null", "null body"),
        ('{"totalModulesStudied": 1,', "malformed JSON"),
        ("", "empty body"),
        ("   ", "blank body"),
    ],
)
def test_should_return_400_and_store_nothing_if_the_body_is_invalid(
    dynamodb: Any, raw_body: str, reason: str
) -> None:
    response = record(raw_body=raw_body)

    assert response.status == 400, reason
    assert response.body["message"]
    assert table_items(dynamodb) == []


def test_should_return_400_if_the_body_is_not_utf8(dynamodb: Any) -> None:
    response = record(raw_body=b'{"totalModulesStudied": 1, "x": "\xff"}')

    assert response.status == 400
    assert table_items(dynamodb) == []


def test_should_return_413_if_the_body_is_above_the_size_limit(dynamodb: Any) -> None:
    padded = json.dumps(session_body()) + " " * MAX_BODY_BYTES

    response = record(raw_body=padded)

    assert response.status == 413
    assert str(MAX_BODY_BYTES) in response.body["message"]
    assert table_items(dynamodb) == []


@pytest.mark.parametrize(
    "course", ["has space", "a" * 129, "course#1", "x/y", "ünï", "a\tb", "", "c?d", "%41"]
)
def test_should_return_400_if_the_course_id_is_outside_the_alphabet(
    dynamodb: Any, course: str
) -> None:
    response = record(course, body=session_body())

    assert response.status == 400
    assert "courseId" in response.body["message"]
    assert table_items(dynamodb) == []


@pytest.mark.parametrize("user", ["", "   ", "u" * 129, "bad\x01user"])
def test_should_return_400_if_the_user_id_is_invalid(dynamodb: Any, user: str) -> None:
    response = record(user=user, body=session_body())

    assert response.status == 400
    assert table_items(dynamodb) == []


def test_should_find_the_user_header_whatever_its_case() -> None:
    response = record(user=None, headers={"USERID": "shouty"}, body=session_body())

    assert response.status == 201
    assert fetch_course_stats(user="shouty").status == 200


def test_should_count_a_replayed_session_once() -> None:
    body = session_body(sessionId=str(uuid.uuid4()))

    first = record(body=body)
    replay = record(body=body)

    assert first.status == 201
    assert replay.status == 200
    assert replay.body == first.body
    stats = fetch_course_stats().body
    assert stats["sessionCount"] == 1
    assert stats["totalModulesStudied"] == 3


def test_should_treat_a_replay_with_equal_numbers_in_another_notation_as_the_same() -> None:
    session_id = str(uuid.uuid4())
    first = record(
        raw_body=f'{{"sessionId": "{session_id}", "totalModulesStudied": 3, '
        '"timeStudied": 45.50, "averageScore": 87.250}'
    )
    replay = record(
        raw_body=f'{{"sessionId": "{session_id.upper()}", "totalModulesStudied": 3, '
        '"timeStudied": 45.5, "averageScore": 8725e-2}'
    )

    assert (first.status, replay.status) == (201, 200)
    assert fetch_course_stats().body["sessionCount"] == 1


@pytest.mark.parametrize(
    ("change", "course"),
    [
        ({"totalModulesStudied": 4}, COURSE),
        ({"timeStudied": 45.6}, COURSE),
        ({"averageScore": 50}, COURSE),
        ({}, "another-course"),
    ],
)
def test_should_return_409_if_a_session_id_is_reused_for_other_stats(
    change: dict[str, Any], course: str
) -> None:
    session_id = str(uuid.uuid4())
    assert record(body=session_body(sessionId=session_id)).status == 201

    response = record(course, body=session_body(sessionId=session_id, **change))

    assert response.status == 409
    assert session_id in response.body["message"]
    assert fetch_session(session_id).body["totalModulesStudied"] == 3
    assert fetch_course_stats().body["sessionCount"] == 1
    assert fetch_course_stats("another-course").status == 404


def test_should_keep_users_apart_even_with_the_same_session_id() -> None:
    session_id = str(uuid.uuid4())

    alice = record(user="alice", body=session_body(sessionId=session_id))
    bob = record(user="bob", body=session_body(sessionId=session_id, totalModulesStudied=9))

    assert (alice.status, bob.status) == (201, 201)
    assert fetch_session(session_id, user="alice").body["totalModulesStudied"] == 3
    assert fetch_session(session_id, user="bob").body["totalModulesStudied"] == 9


def test_should_store_numbers_exactly(dynamodb: Any) -> None:
    response = record(
        raw_body='{"totalModulesStudied": 0, "timeStudied": 0.000001, "averageScore": 99.999999}'
    )

    assert response.status == 201
    assert response.body["timeStudied"] == 0.000001
    item = next(
        i for i in table_items(dynamodb) if i["sessionId"]["S"] == response.body["sessionId"]
    )
    assert Decimal(item["timeStudied"]["N"]) == Decimal("0.000001")
    assert Decimal(item["averageScore"]["N"]) == Decimal("99.999999")


@pytest.mark.parametrize(
    ("spelled", "stored"),
    [
        ("0E-999999999", "0"),
        ("12.50000000000000000000000000000000000000", "12.5"),
        ("1.5E+1", "15"),
        ("0.000001000000000000000000000000000", "0.000001"),
    ],
)
def test_should_store_each_number_exactly_in_its_shortest_positional_form(
    dynamodb: Any, spelled: str, stored: str
) -> None:
    response = record(
        raw_body=f'{{"totalModulesStudied": 1, "timeStudied": {spelled}, "averageScore": 1}}'
    )

    assert response.status == 201
    assert [item["timeStudied"] for item in table_items(dynamodb)] == [{"N": stored}] * 2


@pytest.mark.parametrize("modules", ["3.0", "3.000", "0.3E1", "300e-2"])
def test_should_accept_an_integral_number_of_modules_in_any_notation(
    dynamodb: Any, modules: str
) -> None:
    # JSON Schema, and so the published document, counts 3.0 as the integer 3.
    response = record(
        raw_body=f'{{"totalModulesStudied": {modules}, "timeStudied": 1, "averageScore": 1}}'
    )

    assert response.status == 201
    assert response.body["totalModulesStudied"] == 3
    assert isinstance(response.body["totalModulesStudied"], int)
    assert [item["totalModulesStudied"] for item in table_items(dynamodb)] == [{"N": "3"}] * 2


def test_should_accept_a_base64_encoded_body() -> None:
    event = api_event(RECORD_SESSION, {"courseId": COURSE}, headers={"userId": USER})
    event["body"] = base64.b64encode(json.dumps(session_body()).encode()).decode()
    event["isBase64Encoded"] = True

    assert invoke(RECORD_SESSION, event).status == 201


def test_should_return_400_if_a_base64_body_is_corrupt(dynamodb: Any) -> None:
    event = api_event(RECORD_SESSION, {"courseId": COURSE}, headers={"userId": USER})
    event["body"] = "not base64!"
    event["isBase64Encoded"] = True

    assert invoke(RECORD_SESSION, event).status == 400
    assert table_items(dynamodb) == []
