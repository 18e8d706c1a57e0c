"""The OpenAPI documents' shared parts, each built from the declaration it publishes: the
``userId`` header, the path and query parameters, the error answers by status, the tags,
and the notes of the routes that are turned on per stage. ``stats_tools.openapi`` puts
them together for each auth mode."""

from __future__ import annotations

from typing import Any

from stats_api import identifiers, query_parameters, session_body, timestamps
from stats_api.errors import TemporarilyUnavailable
from stats_api.routes import ANALYTICS_TAG, COURSE_STATS_TAG, SESSIONS_TAG

USER_ID_PARAMETER = {
    "name": identifiers.USER_ID_HEADER,
    "in": "header",
    "required": True,
    "description": "The caller: missing, empty or breaking its rule, 400. "
    f"{identifiers.USER_ID_RULE}; HTTP's white space around a header value is not part of it.",
    "schema": identifiers.USER_ID_SCHEMA,
}

TAGS = {
    SESSIONS_TAG: "Learning sessions, recorded and read back one by one.",
    COURSE_STATS_TAG: "A caller's totals for a course, kept exact as sessions are recorded.",
    ANALYTICS_TAG: "A course's totals across all its learners, for the people who run it "
    "(not for learners).",
}

# The error answers the functions give, by status (API Gateway's own, an authorizer's
# refusals, come with each auth mode). Each description says every cause of its status.
ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "A rule is broken: a path parameter, a query parameter (one the operation does not "
        "take, one given twice, or a value outside its rule), the caller, or the body "
        "(empty, not JSON in UTF-8, not an object, a key given twice, a field missing, "
        "unknown or outside its rule). The message names the field and its rule. Nothing "
        "is stored.",
    ),
    401: ("Unauthorized", ""),
    403: ("Forbidden", ""),
    404: (
        "NotFound",
        "The caller has no such resource (another user's is as absent); a path no route has.",
    ),
    409: (
        "Conflict",
        "The sessionId was already recorded with other stats, another course or another "
        "completedAt; nothing changed.",
    ),
    413: (
        "PayloadTooLarge",
        f"The body is above {session_body.MAX_BODY_BYTES} bytes (above 10 MB, API Gateway "
        "refuses it before any function runs); nothing is stored.",
    ),
    415: (
        "UnsupportedMediaType",
        f"The content-type is not {session_body.JSON_MEDIA_TYPE} (a charset, if given, "
        "must be utf-8); a request without one is read as JSON. Nothing is stored.",
    ),
    429: ("TooManyRequests", "The stage's throttling limit was exceeded: retry later."),
    500: (
        "InternalError",
        "The database failed; the message is generic and nothing was half written.",
    ),
    TemporarilyUnavailable.status: (
        "ServiceUnavailable",
        "The database is busy (throttling, contention, timeouts): retry after the given "
        "seconds. Safe for POSTs too: a replayed session is counted once.",
    ),
}
COMMON_ERRORS = (429, 500, TemporarilyUnavailable.status)

PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "courseId": {
        "description": identifiers.COURSE_ID_RULE,
        "schema": identifiers.COURSE_ID_SCHEMA,
    },
    "sessionId": {
        "description": f"{identifiers.SESSION_ID_RULE.capitalize()}, any case.",
        "schema": identifiers.SESSION_ID_SCHEMA,
    },
}
_INSTANT = {"type": "string", "format": "date-time"}
QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "limit": {
        "description": f"Items per page, 1-{query_parameters.MAX_PAGE_SIZE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": query_parameters.MAX_PAGE_SIZE,
            "default": query_parameters.DEFAULT_PAGE_SIZE,
        },
    },
    "cursor": {
        "description": "The `nextCursor` of the previous page, for the same caller and query.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": query_parameters.MAX_CURSOR_LENGTH,
        },
    },
    "since": {
        "description": f"Sessions completed at or after this instant ({timestamps.RFC3339_RULE}).",
        "schema": _INSTANT,
    },
    "until": {
        "description": f"Sessions completed before this instant ({timestamps.RFC3339_RULE}).",
        "schema": _INSTANT,
    },
}
# The daily analytics page in days, its window in whole UTC days: parameters of their own.
DAY_PARAMETERS: dict[str, dict[str, Any]] = {
    "dayLimit": {
        "name": "limit",
        "description": f"Days per page, 1-{query_parameters.MAX_DAYS_PER_PAGE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": query_parameters.MAX_DAYS_PER_PAGE,
            "default": query_parameters.DEFAULT_DAYS_PER_PAGE,
        },
    },
    "daySince": {
        "name": "since",
        "description": "Days whose start (00:00 UTC) is at or after this instant "
        f"({timestamps.RFC3339_RULE}).",
        "schema": _INSTANT,
    },
    "dayUntil": {
        "name": "until",
        "description": "Days whose start (00:00 UTC) is before this instant "
        f"({timestamps.RFC3339_RULE}).",
        "schema": _INSTANT,
    },
}
DAY_PARAMETER_OF = {p["name"]: key for key, p in DAY_PARAMETERS.items()}
ANALYTICS_NOTE = (
    " An analytics route: deployed where course analytics are turned on (the construct's "
    "`analytics` prop, `cdk deploy -c analytics=true`); the local run serves it. Across "
    "learners, so granted apart from the learners' routes (a JWT scope, an IAM policy). "
    "It names no caller."
)
HISTORY_NOTE = (
    " A history route: deployed where the history routes are turned on (the construct's "
    "`history` prop, `cdk deploy -c history=true`); the local run serves it."
)
