"""The domain of course analytics: a course's totals across its learners and per UTC day,
built from each session's contribution as sessions are recorded, withdrawn and erased."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from stats_api.learner_stats import MEAN_QUANTUM, Session


@dataclass(frozen=True)
class Totals:
    """Exact running sums over some sessions; additive, so shards and days sum."""

    session_count: int = 0
    total_modules_studied: int = 0
    time_studied: Decimal = Decimal(0)
    average_score_sum: Decimal = Decimal(0)

    @property
    def average_score(self) -> Decimal:
        """The mean of the sessions' average scores, as the learner's own course stats
        compute it (``CourseStats.average_score``)."""
        mean = self.average_score_sum / self.session_count
        return mean.quantize(MEAN_QUANTUM, rounding=ROUND_HALF_EVEN)

    def plus(self, other: Totals) -> Totals:
        return Totals(
            self.session_count + other.session_count,
            self.total_modules_studied + other.total_modules_studied,
            self.time_studied + other.time_studied,
            self.average_score_sum + other.average_score_sum,
        )

    @classmethod
    def sum(cls, parts: Iterable[Totals]) -> Totals:
        total = cls()
        for part in parts:
            total = total.plus(part)
        return total


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
    def day(self) -> str:
        """The UTC day it counts in: ``completedAt`` is kept in UTC, date first."""
        return self.session.completed_at[:10]

    @property
    def totals(self) -> Totals:
        """The signed numbers this change adds."""
        s = self.session
        return Totals(
            self.sign,
            self.sign * s.total_modules_studied,
            self.sign * s.time_studied,
            self.sign * s.average_score,
        )


@dataclass(frozen=True)
class _OverSessions:
    """The published figures of ``totals``: sums, and the mean score."""

    totals: Totals

    @property
    def session_count(self) -> int:
        return self.totals.session_count

    @property
    def total_modules_studied(self) -> int:
        return self.totals.total_modules_studied

    @property
    def time_studied(self) -> Decimal:
        return self.totals.time_studied

    @property
    def average_score(self) -> Decimal:
        return self.totals.average_score


@dataclass(frozen=True, kw_only=True)
class CourseAnalytics(_OverSessions):
    course_id: str
    learner_count: int
    updated_at: str


@dataclass(frozen=True, kw_only=True)
class DailyAnalytics(_OverSessions):
    date: str  # YYYY-MM-DD, UTC
