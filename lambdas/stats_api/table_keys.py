"""The table's key schema and item keys: the one place that says how items are addressed.

One table holds two kinds of item under a user's partition:
- a session, sort key = the session's UUID;
- the user's course stats aggregate, sort key = ``course#<courseId>``.
Session ids are validated UUIDs and never contain ``#``, so the two cannot collide.
"""

from __future__ import annotations

PARTITION_KEY = "userId"
SORT_KEY = "sessionId"
COURSE_STATS_PREFIX = "course#"


def session_key(user_id: str, session_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_id, SORT_KEY: session_id}


def course_stats_key(user_id: str, course_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_id, SORT_KEY: COURSE_STATS_PREFIX + course_id}
