"""What the pre-traffic check (``release_check``) sends a function that serves no route: a
batch, as its event source mapping would deliver it, that changes nothing whatever the
tables and the bus hold, and the answer a working version gives it.

- The aggregator: the withdrawal (``REMOVE``) of a made-up learner's session, with sequence
  number 0. A withdrawal only takes off a contribution marker older than itself, and no
  marker is older than 0 (the backfill's are 0), so the new version must read the analytics
  table and recognise the record as already applied: ``{"applied": 0}``. Its writes are not
  exercised (they would change data); the release alarms watch those.
- The learning events' publisher: a change to a made-up learner's course stats, which is no
  session's change, so it publishes nothing (a check that published would reach every
  consumer of the bus): ``{"batchItemFailures": []}``. Its code, settings and reading of the
  record are exercised; its PutEvents is watched by the release alarms.
- The LRS forwarder: an empty batch, for which it still reads the LRS's credentials from
  Secrets Manager (the secret, its permission and its shape) and sends nothing:
  ``{"batchItemFailures": []}``.
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (the stream event's records)
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stats_api import stored_items, table_keys
from stats_api.dynamodb_calls import to_attributes
from stats_api.learner_stats import CourseStats, Session, Totals
from stats_api.shared_names import (
    AGGREGATOR_RELEASE_CHECK,
    FORWARDER_RELEASE_CHECK,
    PUBLISHER_RELEASE_CHECK,
)

NOTHING_TAKEN_AMISS: dict[str, Any] = {"batchItemFailures": []}


@dataclass(frozen=True)
class BatchProbe:
    """A batch for a made-up caller, and what a working version answers it."""

    function: str  # for the report
    event: Callable[[str], dict[str, Any]]
    expected: dict[str, Any]


def stream_event(caller: str) -> dict[str, Any]:
    """A DynamoDB Streams batch holding one record that no aggregator may apply: the
    withdrawal of ``caller``'s made-up session, sequence number 0 (older than every
    contribution marker)."""
    session = Session(
        session_id=str(uuid.uuid4()),
        course_id="release-check",
        total_modules_studied=1,
        time_studied=Decimal(1),
        average_score=Decimal(1),
        completed_at="2000-01-01T00:00:00.000000Z",
    )
    return _stream_batch("REMOVE", stored_items.session_item(caller, session, session.completed_at))


def course_stats_event(caller: str) -> dict[str, Any]:
    """A DynamoDB Streams batch holding one record that makes no learning event: the
    creation of ``caller``'s made-up course stats (not a session)."""
    stats = CourseStats("release-check", Totals(1, 1, Decimal(1), Decimal(1)))
    return _stream_batch("INSERT", stored_items.course_stats_item(caller, stats))


def _stream_batch(event_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """One record of ``item``, as Lambda's event source mapping delivers it: sequence
    number 0, its image (old for a REMOVE, new otherwise) the item."""
    image = "OldImage" if event_name == "REMOVE" else "NewImage"
    region = os.environ.get("AWS_REGION", "us-east-1")
    keys = {name: item[name] for name in (table_keys.PARTITION_KEY, table_keys.SORT_KEY)}
    return {
        "Records": [
            {
                "eventID": uuid.uuid4().hex,
                "eventName": event_name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "dynamodb": {
                    "ApproximateCreationDateTime": int(time.time()),
                    "Keys": to_attributes(keys),
                    image: to_attributes(item),
                    "SequenceNumber": "0",
                    "SizeBytes": len(json.dumps(item, default=str)),
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": f"arn:aws:dynamodb:{region}:000000000000:table/"
                "release-check/stream/2000-01-01T00:00:00.000",
            }
        ]
    }


BATCH_PROBES: dict[str, BatchProbe] = {
    AGGREGATOR_RELEASE_CHECK: BatchProbe("the aggregator", stream_event, {"applied": 0}),
    PUBLISHER_RELEASE_CHECK: BatchProbe("the publisher", course_stats_event, NOTHING_TAKEN_AMISS),
    FORWARDER_RELEASE_CHECK: BatchProbe(
        "the forwarder", lambda _caller: {"Records": []}, NOTHING_TAKEN_AMISS
    ),
}
