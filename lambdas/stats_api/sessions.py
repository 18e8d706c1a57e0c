"""The domain: a learning session, a user's course stats, and the rule for recording."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

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

    @classmethod
    def from_request(cls, course_id: str, body: dict[str, Any]) -> Session:
        """A session from a validated POST body; ``sessionId`` is generated when absent."""
        return cls(
            session_id=body.get("sessionId", "").lower() or str(uuid.uuid4()),
            course_id=course_id,
            total_modules_studied=body["totalModulesStudied"],
            time_studied=body["timeStudied"],
            average_score=body["averageScore"],
        )


@dataclass(frozen=True)
class CourseStats:
    """A user's lifetime totals for one course, kept as exact running sums."""

    course_id: str
    total_modules_studied: int
    time_studied: Decimal
    average_score_sum: Decimal
    session_count: int

    @property
    def average_score(self) -> Decimal:
        """The arithmetic mean of the sessions' average scores."""
        mean = self.average_score_sum / self.session_count
        return mean.quantize(MEAN_QUANTUM, rounding=ROUND_HALF_EVEN)


class SessionAlreadyRecorded(Exception):
    """The store refused a session whose id the user has already recorded."""


class SessionRecorder(Protocol):
    def add_session(self, user_id: str, session: Session) -> None: ...

    def fetch_session(self, user_id: str, session_id: str) -> Session | None: ...


def record_session(store: SessionRecorder, user_id: str, session: Session) -> tuple[Session, bool]:
    """Record ``session`` once; returns the stored session and whether this call created it.

    Replaying the same session is harmless (at-least-once clients retry); reusing its id for
    other stats or another course is a conflict, never an overwrite.
    """
    try:
        store.add_session(user_id, session)
    except SessionAlreadyRecorded:
        stored = store.fetch_session(user_id, session.session_id)
        if stored != session:  # numbers compare by value: 1.50 == 1.5
            raise Conflict(
                f"session {session.session_id} was already recorded with other stats"
            ) from None
        return stored, False
    return session, True
