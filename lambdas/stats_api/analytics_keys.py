"""The analytics table's key schema and item keys: how course analytics are addressed.

A table of its own, apart from the sessions table: the aggregator's writes land where no
stream is read (they can never feed back into it), learners' partitions hold only their
own items, and user ids (any printable text, ``#`` included) can never collide with an
analytics key. Items, each under a partition key that starts with its kind:

- ``total#<courseId>#<shard>`` / ``total``: a share of the course's totals and learner
  count; a course's totals are the sum of its ``SHARDS`` shares (a hot course's writes
  spread over ``SHARDS`` partitions, a read is ``SHARDS`` items whatever the course holds);
- ``daily#<courseId>#<shard>`` / ``<YYYY-MM-DD>``: a share of one UTC day's totals;
- ``learner#<courseId>#<userId>`` / ``learner``: how many sessions that learner has in the
  course (a learner counts while it is above zero);
- ``learner#<courseId>#<userId>`` / ``session#<sessionId>``: the contribution marker of one
  session: present while the session is counted, holding the numbers it added.

Course ids never contain ``#``, so the course ends at the first ``#`` after the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stats_api.table_schema import TableSchema

PARTITION_KEY = "pk"
SORT_KEY = "sk"
# No stream: the aggregator's own writes can never feed back into what it reads.
SCHEMA = TableSchema(partition_key=PARTITION_KEY, sort_key=SORT_KEY)
# Enough that 10,000 sessions/s into one course stay far below a partition's 1,000 write
# units/s (the arithmetic is in docs/design.md and make bench), few enough that a read of
# every share stays one small BatchGetItem.
SHARDS = 10

_TOTAL_SORT = "total"
_LEARNER_SORT = "learner"
_MARKER_PREFIX = "session#"


def total_key(course_id: str, shard: int) -> dict[str, str]:
    return {PARTITION_KEY: f"total#{course_id}#{shard}", SORT_KEY: _TOTAL_SORT}


def daily_partition(course_id: str, shard: int) -> str:
    return f"daily#{course_id}#{shard}"


def daily_key(course_id: str, shard: int, day: str) -> dict[str, str]:
    return {PARTITION_KEY: daily_partition(course_id, shard), SORT_KEY: day}


def learner_key(course_id: str, user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"learner#{course_id}#{user_id}", SORT_KEY: _LEARNER_SORT}


def is_learner_count(key: Mapping[str, Any]) -> bool:
    """Whether ``key`` (or an item) is a learner's count rather than one of its markers."""
    return bool(key[SORT_KEY] == _LEARNER_SORT)


def marker_key(course_id: str, user_id: str, session_id: str) -> dict[str, str]:
    return {
        PARTITION_KEY: f"learner#{course_id}#{user_id}",
        SORT_KEY: _MARKER_PREFIX + session_id,
    }
