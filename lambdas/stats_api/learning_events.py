"""Learning events: what happened to a learner's session, as the service publishes it on
EventBridge for the platform's other parts (badges, notifications, grade books, data teams)
and as the LRS forwarding reads it back.

Three kinds, each an EventBridge ``detail-type`` with its JSON Schema (``EVENT_KINDS``,
published in docs/events/ and in the construct's schema registry):

- ``SessionRecorded``: a session was recorded; the detail carries it as the API returns it.
- ``SessionWithdrawn``: its learner withdrew it; the session as it was.
- ``SessionErased``: an operator erased its learner; the session's ids only, so that a
  learner being forgotten has no numbers published again.

An event's ``eventId`` is derived from the change (its kind, the learner, the session and
the session's recording, ``recordedAt``), never from its delivery: a stream record delivered
twice, a retried batch or an archive replay carry the same id, so a consumer drops what it
has seen. A session recorded again after its withdrawal is a new recording: new ids.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stats_api import identifiers, shapes
from stats_api.learner_stats import Session
from stats_api.shared_names import SERVICE_NAME

# Every event's ``source``: what a rule matches to take this service's events.
SOURCE = SERVICE_NAME
# The namespace of the event ids (UUID v5). Never change it: every id would change with it,
# and consumers would take every redelivered or replayed event for a new one.
_EVENT_ID_NAMESPACE = uuid.UUID("f8f7da25-bb0d-4951-b2f7-76a8123e5ddb")
_DRAFT_4 = "http://json-schema.org/draft-04/schema#"

# An erased learner's session, published by its ids alone.
SESSION_REFERENCE = shapes.Shape(
    name="SessionReference",
    description="The erased session's ids; its numbers are not published again.",
    fields=tuple(f for f in shapes.SESSION.fields if f.name in ("sessionId", "courseId")),
)


@dataclass(frozen=True)
class EventKind:
    """One kind of event: its ``detail-type``, the detail's field saying when the change
    happened (none: it happened at ``recordedAt``), and what it tells of the session."""

    detail_type: str
    description: str
    happened_field: str | None
    session_shape: shapes.Shape

    def detail_schema(self) -> dict[str, Any]:
        instant = {"type": "string", "format": "date-time"}
        happened = {self.happened_field: instant} if self.happened_field else {}
        properties = {
            "eventId": {
                "type": "string",
                "format": "uuid",
                "description": "Derived from the change, never from its delivery: the same for "
                "every delivery and replay of this event, so a consumer drops ids it has seen.",
            },
            "userId": {
                "type": "string",
                "minLength": 1,
                "maxLength": identifiers.USER_ID_MAX_LENGTH,
                "description": "The learner: the caller who recorded the session.",
            },
            "recordedAt": {
                **instant,
                "description": "When the session was recorded (UTC, microseconds): with the "
                "learner and the session id, it names this recording of the session.",
            },
            **happened,
            "session": self.session_shape.json_schema(),
        }
        return {
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "additionalProperties": False,
        }

    def event_schema(self) -> dict[str, Any]:
        """The whole EventBridge event, as a rule, an archive or a target receives it."""
        text = {"type": "string"}
        return {
            "$schema": _DRAFT_4,
            "title": self.detail_type,
            "description": self.description,
            "type": "object",
            "required": ["version", "id", "detail-type", "source", "time", "detail"],
            "properties": {
                "version": text,
                "id": {
                    **text,
                    "description": "EventBridge's own id: it differs between "
                    "deliveries of one change; deduplicate on detail.eventId.",
                },
                "detail-type": {"type": "string", "enum": [self.detail_type]},
                "source": {"type": "string", "enum": [SOURCE]},
                "account": text,
                "time": {"type": "string", "format": "date-time"},
                "region": text,
                "resources": {"type": "array", "items": text},
                "detail": self.detail_schema(),
            },
        }


SESSION_RECORDED = EventKind(
    "SessionRecorded",
    "A learner's session was recorded (POST /courses/{courseId}); a replayed POST records "
    "nothing and publishes nothing.",
    None,
    shapes.SESSION,
)
SESSION_WITHDRAWN = EventKind(
    "SessionWithdrawn",
    "A learner withdrew a recorded session (DELETE /courses/{courseId}/sessions/{sessionId}); "
    "undo what its SessionRecorded did.",
    "withdrawnAt",
    shapes.SESSION,
)
SESSION_ERASED = EventKind(
    "SessionErased",
    "An operator erased the learner (make erase): one event per session they had. Forget "
    "everything held about the session, and about the learner.",
    "erasedAt",
    SESSION_REFERENCE,
)
EVENT_KINDS = {
    kind.detail_type: kind for kind in (SESSION_RECORDED, SESSION_WITHDRAWN, SESSION_ERASED)
}


@dataclass(frozen=True)
class SessionIds:
    """What an erasure event tells of its session."""

    session_id: str
    course_id: str


@dataclass(frozen=True)
class LearningEvent:
    """One change to a session. ``recorded_at`` names the recording the change concerns;
    ``happened_at`` is when the change happened (for a recording, ``recorded_at``).
    ``session`` is the whole session, but for an erasure: its ids only."""

    kind: EventKind
    user_id: str
    session: Session | SessionIds
    recorded_at: str
    happened_at: str

    @property
    def event_id(self) -> str:
        # A JSON array: no user id, however spelled, can make two changes' names collide.
        name = json.dumps(
            [self.kind.detail_type, self.user_id, self.session.session_id, self.recorded_at]
        )
        return str(uuid.uuid5(_EVENT_ID_NAMESPACE, name))

    def detail(self) -> dict[str, Any]:
        happened = {self.kind.happened_field: self.happened_at} if self.kind.happened_field else {}
        return {
            "eventId": self.event_id,
            "userId": self.user_id,
            "recordedAt": self.recorded_at,
            **happened,
            "session": self.kind.session_shape.render(self.session),
        }

    @classmethod
    def of_change(
        cls, kind: EventKind, user_id: str, session: Session, recorded_at: str, happened_at: str
    ) -> LearningEvent:
        """The event of a change to ``session``: an erasure keeps its ids only."""
        told = (
            session
            if kind.session_shape is shapes.SESSION
            else SessionIds(session.session_id, session.course_id)
        )
        return cls(kind, user_id, told, recorded_at, happened_at)

    @classmethod
    def from_bus(cls, event: Mapping[str, Any]) -> LearningEvent:
        """The event as a rule's target receives it (numbers parsed as ``Decimal``).

        Raises ``KeyError``, ``TypeError``, ``ValueError`` or ``ArithmeticError`` (a number
        that is none) for an event this service did not publish.
        """
        kind = EVENT_KINDS[event["detail-type"]]
        detail = event["detail"]
        told = detail["session"]
        session: Session | SessionIds = SessionIds(str(told["sessionId"]), str(told["courseId"]))
        if kind.session_shape is shapes.SESSION:
            session = Session(
                session_id=session.session_id,
                course_id=session.course_id,
                total_modules_studied=int(told["totalModulesStudied"]),
                time_studied=Decimal(str(told["timeStudied"])),
                average_score=Decimal(str(told["averageScore"])),
                completed_at=str(told["completedAt"]),
            )
        recorded_at = str(detail["recordedAt"])
        happened_at = str(detail[kind.happened_field]) if kind.happened_field else recorded_at
        return cls(kind, str(detail["userId"]), session, recorded_at, happened_at)
