"""How course analytics are kept: each session's contribution as sessions are recorded,
withdrawn and erased, and the planning of how a batch of contributions is applied, which
needs no table (``analytics_writes`` applies it).

A contribution is applied once however often it arrives because each session's *marker*
says what it added: an addition takes effect only while the session has no marker, a
withdrawal only while the marker it finds is older than itself, and takes off exactly what
that marker holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
