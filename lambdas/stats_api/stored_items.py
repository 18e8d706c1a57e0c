"""The items the table holds, each declared once: their attributes as stored.

Apart from the response bodies (``shapes``) on purpose: a JSON field can be renamed without
changing data at rest, so items written before still read. Renaming anything here is a
data migration; ``tests/unit/test_stored_items.py`` holds items as stored today.
The keys (``userId``, ``sessionId``, the history index's key) are ``table_keys``'.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stats_api import table_keys
from stats_api.learner_stats import CourseStats, Session, Totals

# Both kinds of item.
COURSE_ID = "courseId"
TOTAL_MODULES_STUDIED = "totalModulesStudied"
TIME_STUDIED = "timeStudied"
# A session only.
AVERAGE_SCORE = "averageScore"
COMPLETED_AT = "completedAt"
# When the session was recorded: with the user and session ids, it names this recording, from
# which the learning events' and xAPI statements' ids derive (a session recorded again after
# its withdrawal is another recording). Sessions stored before it have none: their
# completedAt stands in.
RECORDED_AT = "recordedAt"
# Set by the erasure on each session just before deleting it, so that the stream's REMOVE
# tells an erasure from a withdrawal.
ERASED_AT = "erasedAt"
# A course stats aggregate's totals (and the analytics items', stored alike): running sums,
# so that a mean is exact until it is published.
AVERAGE_SCORE_SUM = "averageScoreSum"
SESSION_COUNT = "sessionCount"


def session_item(user_id: str, session: Session, recorded_at: str) -> dict[str, Any]:
    """A session as stored: its key (the session id is the sort key), its numbers, its key
    in the history index, and when it was recorded (``recorded_at``, in the kept form)."""
    return {
        **table_keys.session_key(user_id, session.session_id),
        COURSE_ID: session.course_id,
        TOTAL_MODULES_STUDIED: session.total_modules_studied,
        TIME_STUDIED: session.time_studied,
        AVERAGE_SCORE: session.average_score,
        COMPLETED_AT: session.completed_at,
        table_keys.HISTORY_SORT_KEY: table_keys.history_key(
            session.course_id, session.completed_at, session.session_id
        ),
        RECORDED_AT: recorded_at,
    }


def recording(item: Mapping[str, Any]) -> str:
    """What names a stored session's recording: its ``recordedAt``, or for a session stored
    before that attribute existed its ``completedAt``."""
    return str(item.get(RECORDED_AT, item[COMPLETED_AT]))


def session(item: Mapping[str, Any]) -> Session:
    return Session(
        session_id=str(item[table_keys.SORT_KEY]),
        course_id=str(item[COURSE_ID]),
        total_modules_studied=int(item[TOTAL_MODULES_STUDIED]),
        time_studied=Decimal(item[TIME_STUDIED]),
        average_score=Decimal(item[AVERAGE_SCORE]),
        completed_at=str(item[COMPLETED_AT]),
    )


def course_stats_item(user_id: str, stats: CourseStats) -> dict[str, Any]:
    """The aggregate item the transactions' ``ADD``s build up (written whole by the benchmark
    and the tests' data set)."""
    return {
        **table_keys.course_stats_key(user_id, stats.course_id),
        COURSE_ID: stats.course_id,
        **totals_attributes(stats.totals),
    }


def course_stats_change(session: Session, sign: int) -> dict[str, int | Decimal]:
    """What recording (``sign`` +1) or withdrawing (-1) ``session`` adds to its course's
    running sums, by stored name."""
    return totals_attributes(Totals.of_session(session).times(sign))


def course_stats(item: Mapping[str, Any]) -> CourseStats:
    return CourseStats(course_id=str(item[COURSE_ID]), totals=totals(item))


def totals_attributes(totals: Totals) -> dict[str, int | Decimal]:
    """``totals`` by stored name: an ``ADD`` of these adds them to an item's totals."""
    return {
        TOTAL_MODULES_STUDIED: totals.total_modules_studied,
        TIME_STUDIED: totals.time_studied,
        AVERAGE_SCORE_SUM: totals.average_score_sum,
        SESSION_COUNT: totals.session_count,
    }


def totals(item: Mapping[str, Any]) -> Totals:
    """The totals an item holds (a course stats aggregate, or an analytics item)."""
    return Totals(
        session_count=int(item[SESSION_COUNT]),
        total_modules_studied=int(item[TOTAL_MODULES_STUDIED]),
        time_studied=Decimal(item[TIME_STUDIED]),
        average_score_sum=Decimal(item[AVERAGE_SCORE_SUM]),
    )
