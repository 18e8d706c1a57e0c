"""The items the analytics table holds, each declared once: their attributes as stored, and
the domain values they hold. Their keys are ``analytics_keys``'; the numbers they hold are
stored as a learner's course stats are (``stored_items.totals_attributes``).

Renaming anything here is a data migration: the aggregator reads markers and counts written
by earlier releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stats_api import analytics_keys, stored_items
from stats_api.course_analytics import TotalsShare
from stats_api.learner_stats import Totals

if TYPE_CHECKING:
    from stats_api.contributions import Contribution, Marker

USER_ID = "userId"
SESSION_ID = "sessionId"
# A marker's record (its stream sequence number) and UTC day.
SEQUENCE = "sequence"
DAY = "day"
# A share of the totals or of a day.
COURSE_ID = "courseId"
UPDATED_AT = "updatedAt"
LEARNER_COUNT = "learnerCount"  # a share of the totals only
# A learner's count of sessions in the course.
SESSION_COUNT = stored_items.SESSION_COUNT
# Stream sequence numbers run to 40 digits, past a DynamoDB number's 38: a marker keeps its
# record's as text of one width, so text order is number order.
SEQUENCE_DIGITS = 40


def marker_item(change: Contribution) -> dict[str, Any]:
    """The marker of a session ``change`` adds: the numbers it adds, its day and its record."""
    session = change.session
    return {
        **analytics_keys.marker_key(change.course_id, change.user_id, session.session_id),
        USER_ID: change.user_id,
        SESSION_ID: session.session_id,
        SEQUENCE: sequence_text(change.sequence),
        DAY: change.day,
        **stored_items.totals_attributes(Totals.of_session(session)),
    }


def marker(item: Mapping[str, Any]) -> Marker:
    # Here, not at the top: the routes' functions read shares only, and need not compile
    # how contributions are kept at their cold start.
    from stats_api.contributions import Marker  # noqa: PLC0415

    return Marker(int(item[SEQUENCE]), str(item[DAY]), stored_items.totals(item))


def sequence_text(sequence: int) -> str:
    return f"{sequence:0{SEQUENCE_DIGITS}d}"


def learner_item(course_id: str, user_id: str, session_count: int) -> dict[str, Any]:
    return {
        **analytics_keys.learner_key(course_id, user_id),
        USER_ID: user_id,
        SESSION_COUNT: session_count,
    }


def learner_count(item: Mapping[str, Any]) -> tuple[str, int]:
    """(the learner, its count of sessions in the course)."""
    return str(item[USER_ID]), int(item[SESSION_COUNT])


def marker_id(item: Mapping[str, Any]) -> tuple[str, str]:
    """Whose session a marker records: (user id, session id)."""
    return str(item[USER_ID]), str(item[SESSION_ID])


def share_settings(course_id: str, updated_at: str) -> dict[str, str]:
    """What a change sets on a share it adds to (a share of the totals or of a day)."""
    return {COURSE_ID: course_id, UPDATED_AT: updated_at}


def share_change(totals: Totals, learners: int | None = None) -> dict[str, Any]:
    """What a change adds to a share, by stored name: ``totals``, and to a share of the
    totals, ``learners``."""
    added: dict[str, Any] = dict(stored_items.totals_attributes(totals))
    if learners is not None:
        added[LEARNER_COUNT] = learners
    return added


def totals_share(item: Mapping[str, Any]) -> TotalsShare:
    return TotalsShare(
        totals=stored_items.totals(item),
        learner_count=int(item.get(LEARNER_COUNT, 0)),
        updated_at=str(item[UPDATED_AT]),
    )


def day_share(item: Mapping[str, Any]) -> tuple[str, Totals]:
    """(the day, its share of the day's totals)."""
    return str(item[analytics_keys.SORT_KEY]), stored_items.totals(item)
