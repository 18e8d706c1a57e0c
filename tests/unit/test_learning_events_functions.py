"""The learning events' two functions, as Lambda invokes them, on moto: the publisher (a
stream batch in, events on the bus) and the forwarder (a queue batch in, statements to an
LRS), each answering with the items Lambda must retry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from stats_api.learning_events_stream import learning_event
from stats_api.shared_names import (
    EVENT_BUS_NAME_ENV,
    FORWARDER_HANDLER,
    LRS_ACTOR_HOME_PAGE_ENV,
    LRS_COURSE_IRI_TEMPLATE_ENV,
    LRS_CREDENTIALS_SECRET_ENV,
    LRS_STATEMENTS_URL_ENV,
    PUBLISHER_HANDLER,
)
from stats_api.xapi_statements import statement_id
from tests.support.event_bus import ConsumedBus, consumed_bus
from tests.support.fake_lrs import FakeLrs, bus_message, fake_lrs
from tests.support.stream_records import course_stats_image, session_image, stream_record

BUS = "stats-events"
RECORDED_AT = "2026-11-02T08:00:01.250000Z"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConsumedBus]:
    monkeypatch.setenv(EVENT_BUS_NAME_ENV, BUS)
    with mock_aws(), consumed_bus(BUS) as consumed:
        yield consumed


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


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    with fake_lrs() as server:
        yield server


@pytest.fixture
def forwarder_settings(monkeypatch: pytest.MonkeyPatch, lrs: FakeLrs) -> Iterator[Any]:
    """moto's Secrets Manager holding the LRS's credentials, and the forwarder's settings."""
    parameters.clear_caches()  # type: ignore[no-untyped-call] # kept for its max age
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        arn = secrets.create_secret(
            Name="lrs", SecretString=json.dumps({"username": "stats", "password": "s3cret"})
        )["ARN"]
        for name, value in {
            LRS_STATEMENTS_URL_ENV: lrs.url,
            LRS_CREDENTIALS_SECRET_ENV: arn,
            LRS_ACTOR_HOME_PAGE_ENV: "https://learn.example.com",
            LRS_COURSE_IRI_TEMPLATE_ENV: "https://learn.example.com/courses/{courseId}",
        }.items():
            monkeypatch.setenv(name, value)
        yield secrets


def forward(messages: list[dict[str, Any]]) -> Any:
    return load_handler_path(FORWARDER_HANDLER)({"Records": messages}, LambdaContext())


def recorded_event() -> Any:
    return learning_event(stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT)))


def test_should_send_the_queues_events_as_statements_with_the_secrets_credentials(
    forwarder_settings: Any, lrs: FakeLrs
) -> None:
    assert forward([bus_message(recorded_event(), "m-1")]) == {"batchItemFailures": []}
    ((_, headers, body),) = lrs.received
    assert headers["authorization"] == "Basic c3RhdHM6czNjcmV0"  # stats:s3cret
    assert [s["id"] for s in body] == [
        statement_id("learner-42", "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21", RECORDED_AT)
    ]
    assert body[0]["object"]["id"] == "https://learn.example.com/courses/algebra-1"


def test_should_name_every_message_for_another_try_when_the_lrs_is_down(
    forwarder_settings: Any, lrs: FakeLrs
) -> None:
    lrs.answers = [503]
    answer = forward([bus_message(recorded_event(), "m-1"), bus_message(recorded_event(), "m-2")])
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]}


def test_should_read_the_credentials_even_for_an_empty_batch(
    forwarder_settings: Any, lrs: FakeLrs
) -> None:
    # What the release check sends: it proves the secret is there and readable.
    assert forward([]) == {"batchItemFailures": []}
    assert lrs.received == []


@pytest.mark.parametrize(
    "secret", ['{"username": "stats"}', '{"username": "", "password": "x"}', "[]", "plain"]
)
def test_should_fail_on_a_secret_that_holds_no_credentials(
    forwarder_settings: Any, secret: str
) -> None:
    forwarder_settings.put_secret_value(SecretId="lrs", SecretString=secret)
    with pytest.raises((ValueError, parameters.exceptions.TransformParameterError)):
        forward([])
