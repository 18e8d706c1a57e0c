"""A batch of the sessions table's stream records, published as learning events on the bus.

PutEvents takes at most 10 entries a call and answers for each: the first entry it did not
take is where the batch stops, and its record is reported to Lambda as the batch's first
failure (``ReportBatchItemFailures``), so Lambda retries from there and what went before is
not published again. What comes after it may be (it is retried with it): consumers drop
repeats by ``eventId``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stats_api import json_text
from stats_api.learning_events import SOURCE, LearningEvent
from stats_api.learning_events_stream import learning_event

# PutEvents' limit on entries per call (each of ours is well under its 256 KB a call).
ENTRIES_PER_CALL = 10

PutEntries = Callable[[list[dict[str, Any]]], Mapping[str, Any]]


@dataclass(frozen=True)
class Publication:
    """What became of a batch: events published, and the sequence number of the first
    record whose event was not (None: all were)."""

    published: int
    first_failure: str | None
    reason: str | None = None


def entry(event: LearningEvent, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry of ``event``: its time is when the change happened."""
    return {
        "EventBusName": bus_name,
        "Source": SOURCE,
        "DetailType": event.kind.detail_type,
        "Detail": json_text.dumps(event.detail()),
        "Time": datetime.datetime.fromisoformat(event.happened_at),
    }


def publish(records: Sequence[Mapping[str, Any]], bus_name: str, put: PutEntries) -> Publication:
    """Publish the events of ``records`` in order, ``ENTRIES_PER_CALL`` at a time, until
    one is not taken. ``put`` raising (after the SDK's retries) counts as none taken."""
    pending = [
        (str(record["dynamodb"]["SequenceNumber"]), event)
        for record in records
        if (event := learning_event(record)) is not None
    ]
    published = 0
    for start in range(0, len(pending), ENTRIES_PER_CALL):
        chunk = pending[start : start + ENTRIES_PER_CALL]
        try:
            answers = list(put([entry(event, bus_name) for _, event in chunk])["Entries"])
        except Exception as error:  # any failure: Lambda retries from this record
            return Publication(published, chunk[0][0], f"{type(error).__name__}: {error}")
        for (sequence, _), answer in zip(chunk, answers, strict=True):
            if "EventId" not in answer or answer.get("ErrorCode"):
                reason = f"{answer.get('ErrorCode')}: {answer.get('ErrorMessage')}"
                return Publication(published, sequence, reason)
            published += 1
    return Publication(published, None)
