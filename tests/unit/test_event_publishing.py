"""Publishing a batch of stream records: one PutEvents entry per learning event, at most 10
a call, in order, stopping at the first entry not taken and naming its record for Lambda to
retry from; checked against a scripted PutEvents and against moto's EventBridge."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from moto import mock_aws

from stats_api.event_publishing import publish
from tests.support.event_bus import ConsumedBus, consumed_bus
from tests.support.stream_records import course_stats_image, session_image, stream_record

BUS = "stats-events"
RECORDED_AT = "2026-11-02T08:00:01.250000Z"


def records(count: int) -> list[dict[str, Any]]:
    """``count`` recordings of different sessions, sequence numbers 1..count."""
    return [
        stream_record(
            "INSERT",
            new=session_image(
                session_id=f"0f6ad1f0-3c1e-4b8e-9a55-{n:012d}", recordedAt=RECORDED_AT
            ),
            sequence=str(n),
        )
        for n in range(1, count + 1)
    ]


class ScriptedPut:
    """PutEvents that takes every entry but those named (by position in the whole run)."""

    def __init__(self, refuse: set[int] | None = None, raise_on_call: int | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.refuse = refuse or set()
        self.raise_on_call = raise_on_call

    def __call__(self, entries: list[dict[str, Any]]) -> Mapping[str, Any]:
        self.calls.append(entries)
        if self.raise_on_call == len(self.calls):
            raise ConnectionError("no route to events")
        seen = sum(len(call) for call in self.calls[:-1])
        return {
            "Entries": [
                {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
                if seen + i in self.refuse
                else {"EventId": f"id-{seen + i}"}
                for i in range(len(entries))
            ]
        }


def test_should_put_one_entry_per_event_with_its_kind_detail_and_time() -> None:
    put = ScriptedPut()
    outcome = publish(records(1), BUS, put)
    assert (outcome.published, outcome.first_failure) == (1, None)
    ((entry,),) = put.calls
    assert entry["EventBusName"] == BUS
    assert entry["Source"] == "stats-service"
    assert entry["DetailType"] == "SessionRecorded"
    assert json.loads(entry["Detail"])["recordedAt"] == RECORDED_AT
    assert entry["Time"] == datetime.datetime(2026, 11, 2, 8, 0, 1, 250000, tzinfo=datetime.UTC)


def test_should_put_nothing_for_records_that_make_no_event() -> None:
    put = ScriptedPut()
    batch = [stream_record("MODIFY", new=course_stats_image(), old=course_stats_image())]
    assert publish(batch, BUS, put).published == 0
    assert put.calls == []


def test_should_put_at_most_ten_entries_a_call_in_the_records_order() -> None:
    put = ScriptedPut()
    assert publish(records(21), BUS, put).published == 21
    assert [len(call) for call in put.calls] == [10, 10, 1]
    details = [json.loads(entry["Detail"]) for call in put.calls for entry in call]
    assert [d["session"]["sessionId"][-2:] for d in details] == [f"{n:02d}" for n in range(1, 22)]


def test_should_stop_at_the_first_entry_not_taken_and_name_its_record() -> None:
    put = ScriptedPut(refuse={12, 14})  # the 13th and 15th events
    outcome = publish(records(25), BUS, put)
    assert (outcome.published, outcome.first_failure) == (12, "13")
    assert outcome.reason == "InternalFailure: try again"
    assert [len(call) for call in put.calls] == [10, 10]  # nothing put after it


def test_should_name_the_first_record_of_a_call_that_failed_whole() -> None:
    put = ScriptedPut(raise_on_call=2)
    outcome = publish(records(15), BUS, put)
    assert (outcome.published, outcome.first_failure) == (10, "11")
    assert outcome.reason is not None
    assert "no route to events" in outcome.reason


@pytest.fixture
def bus() -> Iterator[ConsumedBus]:
    with mock_aws(), consumed_bus(BUS, region="eu-west-1") as consumed:
        yield consumed


def test_should_deliver_through_eventbridge_the_detail_consumers_read(bus: ConsumedBus) -> None:
    batch = [
        stream_record("INSERT", new=session_image(recordedAt=RECORDED_AT)),
        stream_record("REMOVE", old=session_image(recordedAt=RECORDED_AT), sequence="2"),
    ]
    outcome = publish(batch, BUS, lambda entries: bus.events.put_events(Entries=entries))
    assert (outcome.published, outcome.first_failure) == (2, None)
    delivered = bus.received()
    assert [d["detail-type"] for d in delivered] == ["SessionRecorded", "SessionWithdrawn"]
    assert {d["source"] for d in delivered} == {"stats-service"}
    assert delivered[1]["detail"]["withdrawnAt"] == "2026-11-02T08:05:02.000000Z"
