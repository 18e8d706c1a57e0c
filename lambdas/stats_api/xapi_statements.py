"""Learning events as xAPI 1.0.3 statements, for a Learning Record Store.

A recorded session is one ``completed`` statement: the learner's account (``homePage`` and
their user id) completed the course activity (an IRI from the deployment's template), with
``result.duration`` (``timeStudied``), ``result.score`` (``averageScore`` on 0-100) and the
modules studied in an extension, at ``timestamp`` = ``completedAt``. A withdrawal or an
erasure is the ``voided`` statement that points at it: voiding is all xAPI offers; the LRS
keeps both (docs/design.md says what an operator must do at the LRS to erase).

Statement ids are derived from the recording (UUID v5 over the learner, the session and
``recordedAt``), so a statement sent again is the same statement, which the LRS stores once,
and a session recorded again after its withdrawal is a new statement (an xAPI id, once
voided, is never used again).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from urllib.parse import urlsplit

from stats_api import session_body
from stats_api.learner_stats import Session
from stats_api.learning_events import SESSION_ERASED, SESSION_RECORDED, LearningEvent

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
COURSE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/course"
COURSE_ID_PLACEHOLDER = "{courseId}"
# The namespace of the statement ids (UUID v5). Never change it: statements sent again would
# get new ids, and the LRS would store them twice.
_STATEMENT_ID_NAMESPACE = uuid.UUID("b5aaac72-cc89-4fcc-8d6d-07b823fbfea9")
# xAPI compares durations to 0.01 s (xAPI-Data 4.2.7, result.duration): finer is noise.
_DURATION_QUANTUM = Decimal("0.01")
_MODULES_EXTENSION = "modules-studied"
_SESSION_EXTENSION = "session-id"


@dataclass(frozen=True)
class LrsProfile:
    """How a deployment names its learners and courses in xAPI.

    ``actor_home_page``: the platform whose accounts the user ids are (an ``http(s)`` URL);
    ``course_iri_template``: the course activity's IRI, with ``{courseId}`` where the course
    id goes (course ids are made of characters every IRI path takes as they are).
    Extensions are named under ``<actor_home_page>/xapi/extensions/``: IRIs the platform
    controls, as xAPI wants.
    """

    actor_home_page: str
    course_iri_template: str

    def __post_init__(self) -> None:
        for name, value in (
            ("actor home page", self.actor_home_page),
            ("course IRI template", self.course_iri_template),
        ):
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
                raise ValueError(f"the {name} must be an absolute http(s) URL, not {value!r}")
        if self.course_iri_template.count(COURSE_ID_PLACEHOLDER) != 1:
            raise ValueError(
                f"the course IRI template must hold {COURSE_ID_PLACEHOLDER} exactly once, "
                f"not {self.course_iri_template!r}"
            )

    def actor(self, user_id: str) -> dict[str, Any]:
        return {
            "objectType": "Agent",
            "account": {"homePage": self.actor_home_page, "name": user_id},
        }

    def course_iri(self, course_id: str) -> str:
        return self.course_iri_template.replace(COURSE_ID_PLACEHOLDER, course_id)

    def extension(self, name: str) -> str:
        return f"{self.actor_home_page.rstrip('/')}/xapi/extensions/{name}"


def statements_for(event: LearningEvent, profile: LrsProfile) -> list[dict[str, Any]]:
    """What the LRS must hold after ``event``, in the order to send it.

    A withdrawal sends the statement it voids first: events may arrive in any order, and
    sending it again is harmless (same id, same content), so the LRS ends with both whatever
    came first. An erasure sends the voiding statement only: an erased learner's numbers are
    never sent again.
    """
    if event.kind is SESSION_ERASED:
        return [voiding(event, profile)]
    completion = completed(event, profile)
    if event.kind is SESSION_RECORDED:
        return [completion]
    return [completion, voiding(event, profile)]


def statement_id(user_id: str, session_id: str, recorded_at: str) -> str:
    """The id of the ``completed`` statement of one recording of a session."""
    return str(uuid.uuid5(_STATEMENT_ID_NAMESPACE, json.dumps([user_id, session_id, recorded_at])))


def completed(event: LearningEvent, profile: LrsProfile) -> dict[str, Any]:
    session = event.session
    if not isinstance(session, Session):
        raise TypeError(f"a {event.kind.detail_type} event does not carry the session's numbers")
    return {
        "id": statement_id(event.user_id, session.session_id, event.recorded_at),
        "actor": profile.actor(event.user_id),
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": profile.course_iri(session.course_id),
            "definition": {"type": COURSE_ACTIVITY_TYPE},
        },
        "result": {
            "completion": True,
            "duration": duration(session.time_studied),
            "score": score(session.average_score),
            "extensions": {profile.extension(_MODULES_EXTENSION): session.total_modules_studied},
        },
        "context": {
            "extensions": {profile.extension(_SESSION_EXTENSION): session.session_id},
        },
        "timestamp": session.completed_at,
    }


def voiding_statement_id(voided: str) -> str:
    """The id of the statement voiding the statement ``voided``."""
    return str(uuid.uuid5(_STATEMENT_ID_NAMESPACE, json.dumps(["voided", voided])))


def voiding(event: LearningEvent, profile: LrsProfile) -> dict[str, Any]:
    """The statement voiding the recording's ``completed`` one, by the learner's account."""
    voided = statement_id(event.user_id, event.session.session_id, event.recorded_at)
    return {
        "id": voiding_statement_id(voided),
        "actor": profile.actor(event.user_id),
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": voided},
        "timestamp": event.happened_at,
    }


def duration(minutes: Decimal) -> str:
    """ISO 8601, hours, minutes and seconds to 0.01 s: 42.5 minutes is ``PT42M30S``."""
    seconds = (minutes * 60).quantize(_DURATION_QUANTUM, rounding=ROUND_HALF_EVEN)
    hours, seconds = divmod(seconds, 3600)
    whole_minutes, seconds = divmod(seconds, 60)
    parts = [(hours, "H"), (whole_minutes, "M"), (seconds, "S")]
    text = "".join(f"{_plain(value)}{unit}" for value, unit in parts if value)
    return f"PT{text or '0S'}"


def score(average_score: Decimal) -> dict[str, Decimal]:
    """The session's average score on the API's scale, and scaled to 0-1 as xAPI defines."""
    low, high = Decimal(session_body.MIN_SCORE), Decimal(session_body.MAX_SCORE)
    return {
        "raw": average_score,
        "min": low,
        "max": high,
        "scaled": (average_score - low) / (high - low),
    }


def _plain(value: Decimal) -> str:
    # "30", "0.5", "1.25": no exponent, no trailing zeros.
    return format(value.normalize(), "f")
