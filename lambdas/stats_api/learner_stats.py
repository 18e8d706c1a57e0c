"""The learner's domain: a learning session, a user's course stats, the totals of sessions
(which course analytics sum too), and the rule for recording."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

from stats_api import timestamps
from stats_api.errors import Conflict

# The mean is the only derived figure that is not exact; it is published to this precision.
MEAN_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class Session:
    session_id: str
    course_id: str
    total_modules_studied: int
    time_studied: Decimal
    average_score: Decimal
    completed_at: str  # when it ended, in the kept form (timestamps.kept)

    @classmethod
    def from_request(
        cls, course_id: str, body: dict[str, Any], received_at: datetime.datetime
    ) -> Session:
        """A session from a validated POST body; ``sessionId`` is generated when absent,
        ``completedAt`` is the time the request is handled when absent."""
        return cls(
            session_id=body.get("sessionId", "").lower() or str(uuid.uuid4()),
            course_id=course_id,
            total_modules_studied=body["totalModulesStudied"],
            time_studied=body["timeStudied"],
            average_score=body["averageScore"],
            completed_at=timestamps.kept(body.get("completedAt", received_at)),
        )


@dataclass(frozen=True)
class Totals:
    """Exact running sums over some sessions, and the mean score they give: the one value of
    a learner's course stats and of a course's analytics. Additive, so a learner's course,
    a course's shares and its days all sum alike."""

    session_count: int = 0
    total_modules_studied: int = 0
    time_studied: Decimal = Decimal(0)
    average_score_sum: Decimal = Decimal(0)

    @property
    def average_score(self) -> Decimal:
        """The arithmetic mean of the sessions' average scores."""
        mean = self.average_score_sum / self.session_count
        return mean.quantize(MEAN_QUANTUM, rounding=ROUND_HALF_EVEN)

    def plus(self, other: Totals) -> Totals:
        return Totals(
            self.session_count + other.session_count,
            self.total_modules_studied + other.total_modules_studied,
            self.time_studied + other.time_studied,
            self.average_score_sum + other.average_score_sum,
        )

    def times(self, sign: int) -> Totals:
        """These totals added (``sign`` +1) or taken off (-1)."""
        return Totals(
            sign * self.session_count,
            sign * self.total_modules_studied,
            sign * self.time_studied,
            sign * self.average_score_sum,
        )

    @classmethod
    def of_session(cls, session: Session) -> Totals:
        return cls(1, session.total_modules_studied, session.time_studied, session.average_score)

    @classmethod
    def sum(cls, parts: Iterable[Totals]) -> Totals:
        total = cls()
        for part in parts:
            total = total.plus(part)
        return total


@dataclass(frozen=True)
class CourseStats:
    """A user's lifetime totals for one course, kept as exact running sums."""

    course_id: str
    totals: Totals

    @classmethod
    def of(cls, course_id: str, sessions: Iterable[Session]) -> CourseStats | None:
        """The stats of ``sessions`` (None when there are none), summed exactly."""
        totals = Totals.sum(Totals.of_session(session) for session in sessions)
        return None if totals.session_count == 0 else cls(course_id, totals)


class SessionAlreadyRecorded(Exception):
    """The store refused a session whose id the user has already recorded."""


class SessionRecorder(Protocol):
    def add_session(self, user_id: str, session: Session) -> None: ...

    def fetch_session(self, user_id: str, session_id: str) -> Session | None: ...


def record_session(
    store: SessionRecorder, user_id: str, session: Session, *, completed_at_given: bool
) -> tuple[Session, bool]:
    """Record ``session`` once; returns the stored session and whether this call created it.

    Replaying the same session is harmless (at-least-once clients retry); reusing its id for
    other stats, another course or (when the replay names one) another completion time is a
    conflict, never an overwrite. A replay without ``completedAt`` got the time it was
    handled, so its time is not compared.
    """
    try:
        store.add_session(user_id, session)
    except SessionAlreadyRecorded:
        stored = store.fetch_session(user_id, session.session_id)
        if stored is not None and not completed_at_given:
            session = replace(session, completed_at=stored.completed_at)
        if stored != session:  # numbers compare by value: 1.50 == 1.5
            raise Conflict(
                f"session {session.session_id} was already recorded with other stats, "
                "course or completion time"
            ) from None
        return stored, False
    return session, True
