"""The domain of course analytics as the routes answer it: a course's totals across its
learners, summed from its shares, and its totals per UTC day, a page of days merged from the
shares' answers; and which days a window holds. How the totals are kept, session by session,
is ``contributions``': only the aggregator (and the backfill) imports it, so the routes'
functions do not compile it at their cold start.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stats_api.learner_stats import Totals


@dataclass(frozen=True)
class TotalsShare:
    """One of a course's shares of its totals (a hot course's writes spread over them)."""

    totals: Totals
    learner_count: int
    updated_at: str


@dataclass(frozen=True, kw_only=True)
class CourseAnalytics:
    course_id: str
    learner_count: int
    totals: Totals
    updated_at: str

    @classmethod
    def of_shares(cls, course_id: str, shares: Sequence[TotalsShare]) -> CourseAnalytics | None:
        """The course's analytics, its shares summed; None when no session is counted."""
        totals = Totals.sum(share.totals for share in shares)
        if totals.session_count <= 0:
            return None
        return cls(
            course_id=course_id,
            learner_count=sum(share.learner_count for share in shares),
            totals=totals,
            updated_at=max(share.updated_at for share in shares),
        )


@dataclass(frozen=True, kw_only=True)
class DailyAnalytics:
    date: str  # YYYY-MM-DD, UTC
    totals: Totals


def page_of_days(
    shares: Iterable[tuple[str, Totals]], limit: int
) -> tuple[list[DailyAnalytics], str | None]:
    """The first ``limit`` days of the shares' answers, each day's shares summed, and the
    last of them when more days follow (None: the end). Each share answered its first
    ``limit`` + 1 days, so a day among the first ``limit`` dates is complete: a share missing
    it would have answered ``limit`` + 1 earlier dates."""
    sums: dict[str, Totals] = {}
    for day, totals in shares:
        sums[day] = sums.get(day, Totals()).plus(totals)
    dates = sorted(sums)
    page = dates[:limit]
    last = page[-1] if len(dates) > limit else None
    # A day whose sessions were all withdrawn sums to zero: not a day with sessions.
    days = [
        DailyAnalytics(date=day, totals=sums[day]) for day in page if sums[day].session_count > 0
    ]
    return days, last


def day_range(
    since: datetime.datetime | None, until: datetime.datetime | None
) -> tuple[str, str] | None:
    """The first and last day (inclusive, ``YYYY-MM-DD``) whose start, 00:00 UTC, lies in
    [``since``, ``until``); None when no day does."""
    first = datetime.date.min if since is None else _first_midnight_from(since)
    last = datetime.date.max if until is None else _last_midnight_before(until)
    if first is None or last is None or first > last:
        return None
    return _day(first), _day(last)


def _first_midnight_from(moment: datetime.datetime) -> datetime.date | None:
    utc = moment.astimezone(datetime.UTC)
    if utc.time() == datetime.time(0):
        return utc.date()
    return None if utc.date() == datetime.date.max else utc.date() + datetime.timedelta(days=1)


def _last_midnight_before(moment: datetime.datetime) -> datetime.date | None:
    utc = moment.astimezone(datetime.UTC)
    if utc.time() != datetime.time(0):
        return utc.date()
    return None if utc.date() == datetime.date.min else utc.date() - datetime.timedelta(days=1)


def _day(date: datetime.date) -> str:
    # isoformat pads the year to four digits, as completedAt is kept (text order = time order).
    return date.isoformat()
