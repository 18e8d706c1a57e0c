"""The domain of course analytics: a course's totals across its learners and per UTC day,
built from each session's contribution as sessions are recorded, withdrawn and erased; and
the planning of how a batch of contributions is applied, which needs no table.

A contribution is applied once however often it arrives because each session's *marker*
says what it added: an addition takes effect only while the session has no marker, a
withdrawal only while the marker it finds is older than itself, and takes off exactly what
that marker holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from stats_api.learner_stats import Session, Totals

# DynamoDB's limit of items in one TransactWriteItems.
TRANSACTION_ITEMS = 100


@dataclass(frozen=True)
class Contribution:
    """What one session adds to (``sign`` +1: recorded) or takes off (-1: withdrawn or its
    learner erased) its course's analytics. ``sequence`` orders a session's changes: the
    stream record's sequence number, 0 for the operator's backfill (older than any record)."""

    user_id: str
    session: Session
    sign: int
    sequence: int

    @property
    def course_id(self) -> str:
        return self.session.course_id

    @property
    def marker_id(self) -> tuple[str, str]:
        """Whose marker records it: (user id, session id)."""
        return self.user_id, self.session.session_id

    @property
    def day(self) -> str:
        """The UTC day it counts in: ``completedAt`` is kept in UTC, date first."""
        return self.session.completed_at[:10]

    @property
    def totals(self) -> Totals:
        """The signed numbers this change adds."""
        return Totals.of_session(self.session).times(self.sign)


@dataclass(frozen=True)
class Marker:
    """A counted session's marker: the record that added it, its day and what it added."""

    sequence: int
    day: str
    totals: Totals


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


def takes_effect(change: Contribution, marker: Marker | None) -> bool:
    """Whether ``change`` changes the analytics, given its session's marker as stored."""
    if change.sign > 0:
        return marker is None  # recorded once; a replay finds its marker
    # A withdrawal takes off what a marker older than itself added; a replayed one finds
    # no marker, or the marker of a later re-recording.
    return marker is not None and marker.sequence < change.sequence


def by_course(changes: Iterable[Contribution]) -> list[list[Contribution]]:
    """The changes of each course, in their order: a course's changes share transactions."""
    courses: dict[str, list[Contribution]] = {}
    for change in changes:
        courses.setdefault(change.course_id, []).append(change)
    return list(courses.values())


def rounds(changes: list[Contribution]) -> Iterator[list[Contribution]]:
    """The changes in rounds that touch each session at most once (a transaction may not
    touch an item twice), each session's changes in their order."""
    remaining = list(changes)
    while remaining:
        seen: set[tuple[str, str]] = set()
        round_: list[Contribution] = []
        later: list[Contribution] = []
        for change in remaining:
            (later if change.marker_id in seen else round_).append(change)
            seen.add(change.marker_id)
        yield round_
        remaining = later


def chunks(changes: list[Contribution], *, checked: bool) -> Iterator[list[Contribution]]:
    """Slices of one course's round whose transaction fits in ``TRANSACTION_ITEMS``."""
    chunk: list[Contribution] = []
    for change in changes:
        candidate = [*chunk, change]
        if chunk and transaction_size(candidate, checked=checked) > TRANSACTION_ITEMS:
            yield chunk
            candidate = [change]
        chunk = candidate
    if chunk:
        yield chunk


def transaction_size(changes: Iterable[Contribution], *, checked: bool) -> int:
    """The items of one course's transaction: per session its marker (and, ``checked``, the
    check that it is still stored), per learner its count, per day its share, and the
    share of the course's totals."""
    chosen = list(changes)
    per_session = 2 if checked else 1
    return (
        per_session * len(chosen)
        + len({c.user_id for c in chosen})
        + len({c.day for c in chosen})
        + 1
    )


@dataclass(frozen=True)
class Effect:
    """What a transaction of changes does to its course, given the markers and learners'
    counts read before it."""

    total: Totals  # added to the course's totals
    days: dict[str, Totals]  # added to each day's
    counts: dict[str, tuple[int, int]]  # learner -> (count read, count after), where it moves
    learners: int  # added to the course's learner count

    @classmethod
    def of(
        cls,
        changes: Iterable[Contribution],
        markers: Mapping[tuple[str, str], Marker],
        counts: Mapping[str, int],
    ) -> Effect:
        """``changes`` must each take effect: a withdrawal takes off exactly what its marker
        added, on the marker's day, whatever its record says."""
        total = Totals()
        days: dict[str, Totals] = {}
        after = dict(counts)
        for change in changes:
            if change.sign > 0:
                delta, day = change.totals, change.day
            else:
                marker = markers.get(change.marker_id)
                if marker is None:  # takes_effect keeps only withdrawals of a marker
                    raise AssertionError(change)
                delta, day = marker.totals.times(-1), marker.day
            total = total.plus(delta)
            days[day] = days.get(day, Totals()).plus(delta)
            after[change.user_id] += change.sign
        moved = {user: (seen, after[user]) for user, seen in counts.items() if after[user] != seen}
        # A learner counts while its count is above zero.
        learners = sum((now > 0) - (seen > 0) for seen, now in moved.values())
        return cls(total, days, moved, learners)


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
