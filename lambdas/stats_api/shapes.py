"""The API's response bodies, each declared once: its JSON properties, their schemas, and
the domain attribute that fills each one.

The handlers render with these, the OpenAPI document publishes them, and the tests read
them back. What the table stores is declared apart (``stored_items``), so renaming a field
here changes no data at rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from stats_api import identifiers, session_body

_BODY = session_body.SESSION_BODY_SCHEMA["properties"]


@dataclass(frozen=True)
class Field:
    name: str  # the JSON property
    attribute: str  # the domain object's attribute (dotted: an attribute's attribute)
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Shape:
    name: str  # the schema's name in the OpenAPI document
    description: str
    fields: tuple[Field, ...]

    def render(self, value: object) -> dict[str, Any]:
        """The JSON object for ``value``, a domain object with the fields' attributes."""
        return {field.name: attrgetter(field.attribute)(value) for field in self.fields}

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "required": [field.name for field in self.fields],
            "properties": {field.name: dict(field.schema) for field in self.fields},
            "additionalProperties": False,
        }


def _as_published(name: str) -> dict[str, Any]:
    # The request rule without its request-specific wording.
    return {key: value for key, value in _BODY[name].items() if key != "description"}


COURSE_ID = Field("courseId", "course_id", identifiers.COURSE_ID_SCHEMA)

SESSION = Shape(
    name="Session",
    description="A recorded session, as stored.",
    fields=(
        Field(
            "sessionId",
            "session_id",
            {"type": "string", "format": "uuid", "description": "The session's UUID, lower-case."},
        ),
        COURSE_ID,
        Field("totalModulesStudied", "total_modules_studied", _as_published("totalModulesStudied")),
        Field("timeStudied", "time_studied", _as_published("timeStudied")),
        Field("averageScore", "average_score", _as_published("averageScore")),
        Field(
            "completedAt",
            "completed_at",
            {
                "type": "string",
                "format": "date-time",
                "description": "When the session ended, in UTC with microseconds.",
            },
        ),
    ),
)


def _session_count(description: str | None = None) -> Field:
    described = {} if description is None else {"description": description}
    return Field(
        "sessionCount", "totals.session_count", {"type": "integer", "minimum": 1, **described}
    )


# A course's sums and mean (``learner_stats.Totals``), as the learner's course stats and the
# course analytics publish them.
_SUMS_AND_MEAN = (
    Field(
        "totalModulesStudied",
        "totals.total_modules_studied",
        {"type": "integer", "minimum": 0, "description": "Exact sum over the sessions."},
    ),
    Field(
        "timeStudied",
        "totals.time_studied",
        {"type": "number", "minimum": 0, "description": "Exact sum of the sessions' minutes."},
    ),
    Field(
        "averageScore",
        "totals.average_score",
        {
            "type": "number",
            "minimum": session_body.MIN_SCORE,
            "maximum": session_body.MAX_SCORE,
            "description": "Arithmetic mean of the sessions' average scores, rounded "
            f"half-even to {session_body.MAX_DECIMAL_PLACES} decimal places.",
        },
    ),
)

COURSE_STATS = Shape(
    name="CourseStats",
    description="The caller's lifetime totals for a course.",
    fields=(COURSE_ID, *_SUMS_AND_MEAN, _session_count()),
)


@dataclass(frozen=True)
class PageShape:
    """A page of a longer list: its items, and the cursor of the next page (null: the end)."""

    name: str
    description: str
    items: str  # the JSON property holding the items
    item_shape: Shape

    def render(self, values: Iterable[object], next_cursor: str | None) -> dict[str, Any]:
        return {
            self.items: [self.item_shape.render(value) for value in values],
            "nextCursor": next_cursor,
        }

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "required": [self.items, "nextCursor"],
            "properties": {
                self.items: {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{self.item_shape.name}"},
                },
                "nextCursor": {
                    "type": ["string", "null"],
                    "description": "Opaque: pass it as `cursor` for the next page; null on "
                    "the last page. Valid only for the same caller and query.",
                },
            },
            "additionalProperties": False,
        }


COURSE_PAGE = PageShape("CoursePage", "The caller's courses, by courseId.", "courses", COURSE_STATS)
SESSION_PAGE = PageShape(
    "SessionPage", "The caller's sessions of a course, newest first.", "sessions", SESSION
)


COURSE_ANALYTICS = Shape(
    name="CourseAnalytics",
    description="A course's totals across all its learners, maintained from the recorded "
    "sessions within seconds; exact once writes stop.",
    fields=(
        COURSE_ID,
        Field(
            "learnerCount",
            "learner_count",
            {
                "type": "integer",
                "minimum": 1,
                "description": "Learners with at least one session in the course.",
            },
        ),
        _session_count("Sessions recorded in the course, by every learner."),
        *_SUMS_AND_MEAN,
        Field(
            "updatedAt",
            "updated_at",
            {
                "type": "string",
                "format": "date-time",
                "description": "When these totals last changed, in UTC with microseconds.",
            },
        ),
    ),
)
DAILY_ANALYTICS = Shape(
    name="DailyAnalytics",
    description="A course's totals over the sessions completed on one UTC day.",
    fields=(
        Field("date", "date", {"type": "string", "format": "date", "description": "The UTC day."}),
        _session_count("Sessions completed that day, by every learner."),
        *_SUMS_AND_MEAN,
    ),
)
DAILY_PAGE = PageShape(
    "DailyPage", "A course's days with sessions, oldest first.", "days", DAILY_ANALYTICS
)

SHAPES: dict[str, Shape | PageShape] = {
    shape.name: shape
    for shape in (
        SESSION,
        COURSE_STATS,
        COURSE_PAGE,
        SESSION_PAGE,
        COURSE_ANALYTICS,
        DAILY_ANALYTICS,
        DAILY_PAGE,
    )
}
