"""The learning events' two functions, as Lambda invokes them, on moto: the publisher (a
stream batch in, events on the bus) and the forwarder (a queue batch in, statements to an
LRS), each answering with the items Lambda must retry."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from stats_api.learning_events_stream import learning_event
from stats_api.shared_names import (
    EVENT_BUS_NAME_ENV,
    FORWARDER_HANDLER,
    PUBLISHER_HANDLER,
)
from stats_api.xapi_statements import statement_id
from stats_devkit.fake_lrs import FakeLrs, bus_message
from tests.support.event_bus import ConsumedBus
from tests.support.stream_records import course_stats_image, session_image, stream_record

RECORDED_AT = "2026-11-02T08:00:01.250000Z"


def publish(records: list[dict[str, Any]]) -> Any:
    return load_handler_path(PUBLISHER_HANDLER)({"Records": records}, LambdaContext())


def test_should_publish_each_sessions_change_and_report_no_failure(bus: ConsumedBus) -> None:
    answer = publish(
        [
            stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT), sequence="1"),
            stream_record("MODIFY", new=course_stats_image(), old=course_stats_image()),
            stream_record("REMOVE", old=session_image(recordedAt=RECORDED_AT), sequence="3"),
        ]
    )
    assert answer == {"batchItemFailures": []}
    assert [e["detail-type"] for e in bus.received()] == [
        "SessionRecorded",
        "SessionWithdrawn",
    ]


def test_should_report_the_first_record_whose_event_the_bus_did_not_take(
    bus: ConsumedBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EVENT_BUS_NAME_ENV, "no-such-bus")
    answer = publish(
        [
            stream_record(
                "MODIFY", new=course_stats_image(), old=course_stats_image(), sequence="1"
            ),
            stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT), sequence="2"),
        ]
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "2"}]}


def forward(messages: list[dict[str, Any]]) -> Any:
    return load_handler_path(FORWARDER_HANDLER)({"Records": messages}, LambdaContext())


def recorded_event() -> Any:
    return learning_event(stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT)))


def test_should_send_the_queues_events_as_statements_with_the_secrets_credentials(
    lrs_secret: Any, lrs: FakeLrs
) -> None:
    assert forward([bus_message(recorded_event(), "m-1")]) == {"batchItemFailures": []}
    ((_, headers, body),) = lrs.received
    assert headers["authorization"] == "Basic c3RhdHM6czNjcmV0"  # stats:s3cret
    assert [s["id"] for s in body] == [
        statement_id("learner-42", "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21", RECORDED_AT)
    ]
    assert body[0]["object"]["id"] == "https://learn.example.com/courses/algebra-1"


def test_should_name_every_message_for_another_try_when_the_lrs_is_down(
    lrs_secret: Any, lrs: FakeLrs
) -> None:
    lrs.answers = [503]
    answer = forward([bus_message(recorded_event(), "m-1"), bus_message(recorded_event(), "m-2")])
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]}


def test_should_read_the_credentials_even_for_an_empty_batch(lrs_secret: Any, lrs: FakeLrs) -> None:
    # What the release check sends: it proves the secret is there and readable.
    assert forward([]) == {"batchItemFailures": []}
    assert lrs.received == []


@pytest.mark.parametrize(
    "secret", ['{"username": "stats"}', '{"username": "", "password": "x"}', "[]", "plain"]
)
def test_should_fail_on_a_secret_that_holds_no_credentials(lrs_secret: Any, secret: str) -> None:
    lrs_secret.put_secret_value(SecretId="lrs", SecretString=secret)
    with pytest.raises((ValueError, parameters.exceptions.TransformParameterError)):
        forward([])
