"""The table's key schema and item keys: the one place that says how items are addressed.

One table holds two kinds of item under a user's partition:
- a session, sort key = the session's UUID;
- the user's course stats aggregate, sort key = ``course#<courseId>``.
Session ids are validated UUIDs and never contain ``#``, so the two cannot collide.

The history index (a local secondary index: same partition, strongly consistent reads)
orders a user's sessions by ``<courseId>#<completedAt>#<sessionId>``. Course ids never
contain ``#`` and completedAt is kept at one fixed width, so a course's sessions sit
together, in time order, and a time window is one key range. Aggregates lack that
attribute, so the index holds sessions only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stats_api.table_schema import LocalIndex, TableSchema

PARTITION_KEY = "userId"
SORT_KEY = "sessionId"
COURSE_STATS_PREFIX = "course#"

HISTORY_INDEX = "byCourseCompletedAt"
HISTORY_SORT_KEY = "courseCompletedAt"

HISTORY_INDEX_SCHEMA = LocalIndex(HISTORY_INDEX, HISTORY_SORT_KEY)
SCHEMA = TableSchema(
    partition_key=PARTITION_KEY,
    sort_key=SORT_KEY,
    # On every table, history routes on or off: a local index exists only if the table is
    # created with it, and only a local index reads strongly consistently (a global one can
    # be added later, but reads eventually only).
    local_indexes=(HISTORY_INDEX_SCHEMA,),
    # What the analytics aggregator reads: a withdrawal's record must carry the session it
    # removed, so old and new images.
    stream_view_type="NEW_AND_OLD_IMAGES",
)
_SEPARATOR = "#"
_AFTER_SEPARATOR = chr(ord(_SEPARATOR) + 1)  # sorts after every "<courseId>#..." key


def is_session(item: Mapping[str, object]) -> bool:
    """Whether ``item`` (as stored, or a stream record's image) is a session: only sessions
    carry a history key. How the aggregator, its stream filter and the backfill tell a
    session from a course stats aggregate."""
    return HISTORY_SORT_KEY in item


# The stream's records its consumers take (Lambda event filtering on their event source
# mappings): a session's INSERT (its new image) and REMOVE (its old image), each a session
# recorded, or withdrawn or erased. Only sessions carry a history key (``is_session``), so
# the course stats items' records (one MODIFY per POST) and an erasure's marking MODIFY
# invoke nobody. Plain data: the construct deploys it; the aggregator (``analytics_stream``)
# and the learning events' publisher (``learning_events_stream``) read the same records.
SESSION_CHANGE_FILTERS: tuple[dict[str, Any], ...] = tuple(
    {
        "eventName": [event_name],
        "dynamodb": {image: {HISTORY_SORT_KEY: {"S": [{"exists": True}]}}},
    }
    for event_name, image in (("INSERT", "NewImage"), ("REMOVE", "OldImage"))
)


def session_key(user_id: str, session_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_id, SORT_KEY: session_id}


def course_stats_key(user_id: str, course_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_id, SORT_KEY: COURSE_STATS_PREFIX + course_id}


def history_key(course_id: str, completed_at: str, session_id: str) -> str:
    """A session's sort key in the history index (``completed_at`` in its kept form)."""
    return _SEPARATOR.join((course_id, completed_at, session_id))


def history_range(course_id: str, since: str | None, until: str | None) -> tuple[str, str]:
    """The inclusive key range (for BETWEEN) of a course's sessions completed in
    [``since``, ``until``): a key at ``until`` is longer than the bound, so it falls out."""
    low = course_id + _SEPARATOR + (since or "")
    high = course_id + _SEPARATOR + until if until else course_id + _AFTER_SEPARATOR
    return low, high
