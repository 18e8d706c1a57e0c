"""The local run's bus (``local_run.learning_events``) on moto: what the deployed publisher
puts on it is kept for ``GET /local/events``, oldest first; with an LRS, its queue goes to
the deployed forwarder, a message it could not deliver coming back until it is."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from local_run import learning_events as local_events
from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from local_run.learning_events import BUS_NAME, LocalBus
from local_run.local_lrs import LocalLrs
from local_run.messages import HttpRequest
from stats_api.shared_names import EVENT_BUS_NAME_ENV, FORWARDER_HANDLER, PUBLISHER_HANDLER
from stats_devkit.fake_lrs import FakeLrs
from tests.support.stream_records import session_image, stream_record

RECORDED_AT = "2026-11-02T08:00:01.250000Z"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch, lrs: FakeLrs) -> Iterator[LocalBus]:
    monkeypatch.setattr(local_events, "VISIBILITY_SECONDS", 1)  # retried within the test
    settings = {"LRS_ENDPOINT": lrs.url, "LRS_USERNAME": "u", "LRS_PASSWORD": "p"}
    parameters.clear_caches()  # type: ignore[no-untyped-call] # Powertools keeps a secret
    with mock_aws():
        local = LocalBus("us-east-1", LocalLrs.from_environment(settings, "http://127.0.0.1:3000"))
        environ: dict[str, str] = {}
        with local.running(environ):
            for name, value in environ.items():
                monkeypatch.setenv(name, value)
            yield local


def publish(*records: dict[str, Any]) -> None:
    load_handler_path(PUBLISHER_HANDLER)({"Records": list(records)}, LambdaContext())


def test_should_keep_the_published_events_oldest_first(bus: LocalBus) -> None:
    publish(
        stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT), sequence="1"),
        stream_record("REMOVE", old=session_image(recordedAt=RECORDED_AT), sequence="2"),
    )
    listed = json.loads(bus.events_route()(HttpRequest("GET", "/local/events")).body)
    assert [e["detail-type"] for e in listed] == ["SessionRecorded", "SessionWithdrawn"]
    # As a rule's target receives them: EventBridge's envelope, the detail as published.
    recorded = listed[0]
    assert recorded["source"] == "stats-service"
    assert recorded["time"] == "2026-11-02T08:00:01Z"  # when the change happened
    assert (recorded["account"], recorded["region"]) == ("123456789012", "us-east-1")
    assert recorded["detail"]["recordedAt"] == RECORDED_AT
    assert len({e["id"] for e in listed}) == 2


def test_should_keep_only_the_most_recent_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_events, "RECENT_EVENTS", 3)
    with mock_aws(), LocalBus("us-east-1", None).running({}) as bus:
        monkeypatch.setenv(EVENT_BUS_NAME_ENV, BUS_NAME)
        publish(
            *(
                stream_record(
                    "INSERT",
                    new=session_image(session_id=f"{n}", recordedAt=RECORDED_AT),
                    sequence=str(n),
                )
                for n in range(1, 6)
            )
        )
        listed = json.loads(bus.events_route()(HttpRequest("GET", "/local/events")).body)

    # The oldest two dropped, oldest first.
    assert [e["detail"]["session"]["sessionId"] for e in listed] == ["3", "4", "5"]


def test_should_keep_nothing_of_another_bus(bus: LocalBus) -> None:
    entry = {"Source": "stats-service", "DetailType": "SessionRecorded", "Detail": "{}"}
    events = boto3.client("events", region_name="us-east-1")
    events.create_event_bus(Name="elsewhere")
    events.put_events(Entries=[{**entry, "EventBusName": "elsewhere"}])
    events.put_events(Entries=[{**entry, "Detail": "not json", "EventBusName": BUS_NAME}])

    assert list(bus.recent) == []


def test_should_send_the_lrs_queue_to_the_forwarder_until_it_delivers(
    bus: LocalBus, lrs: FakeLrs
) -> None:
    publish(stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT), sequence="1"))
    forwarder, lock = load_handler_path(FORWARDER_HANDLER), threading.Lock()
    lrs.answers = [503]  # down, once

    assert bus.forward(forwarder, lock) == 0
    assert bus.failures == ["LRS forwarder delivered 0 of 1 events; the rest come back in 1 s"]
    assert bus.forward(forwarder, lock) == 0  # not visible again yet
    time.sleep(1.2)
    assert bus.forward(forwarder, lock) == 1
    assert bus.forward(forwarder, lock) == 0  # delivered: deleted
    assert [len(body) for _, _, body in lrs.received] == [1, 1]
