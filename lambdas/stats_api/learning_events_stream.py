"""The sessions table's stream, read as learning events.

A session's ``INSERT`` is its recording; its ``REMOVE`` is a withdrawal, or an erasure when
the erasure marked the session first (``stored_items.ERASED_AT``). Every other record (the
course stats items', the erasure's marking ``MODIFY``) makes no event.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from stats_api import stored_items, table_keys, timestamps
from stats_api.dynamodb_calls import from_attributes
from stats_api.learning_events import (
    SESSION_ERASED,
    SESSION_RECORDED,
    SESSION_WITHDRAWN,
    LearningEvent,
)


def learning_event(record: Mapping[str, Any]) -> LearningEvent | None:
    """The event a stream record (as Lambda delivers it) makes; None for those making none."""
    change = record.get("dynamodb") or {}
    event_name = record.get("eventName")
    image = change.get({"INSERT": "NewImage", "REMOVE": "OldImage"}.get(str(event_name), ""))
    if not image or table_keys.HISTORY_SORT_KEY not in image:  # only sessions have one
        return None
    item = from_attributes(image)
    session = stored_items.session(item)
    user_id = str(item[table_keys.PARTITION_KEY])
    recorded_at = stored_items.recording(item)
    if event_name == "INSERT":
        return LearningEvent.of_change(SESSION_RECORDED, user_id, session, recorded_at, recorded_at)
    if stored_items.ERASED_AT in item:
        erased_at = str(item[stored_items.ERASED_AT])
        return LearningEvent.of_change(SESSION_ERASED, user_id, session, recorded_at, erased_at)
    # Lambda delivers the record's time in seconds since the epoch (to the second).
    removed = datetime.datetime.fromtimestamp(
        float(change["ApproximateCreationDateTime"]), datetime.UTC
    )
    return LearningEvent.of_change(
        SESSION_WITHDRAWN, user_id, session, recorded_at, timestamps.kept(removed)
    )
