"""The API's OpenAPI 3.1 document, built from the declarations the handlers run on.

Operations come from the route table (``routes``), the request body and the identifiers'
rules from ``identifiers`` and ``session_body``, the response bodies from ``shapes``; nothing
here restates a limit. ``make openapi`` writes it to ``docs/openapi.json`` (a test fails
while that file is stale), the local run serves it at ``/openapi.json``, and Redocly and
Spectral lint it.
Not imported by any handler: it costs the functions nothing.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from stats_api import auth_modes, identifiers, query_parameters, session_body, timestamps
from stats_api.errors import TemporarilyUnavailable
from stats_api.routes import (
    ANALYTICS_SCOPE,
    ANALYTICS_TAG,
    COURSE_STATS_TAG,
    FETCH_COURSE_STATS,
    FETCH_SESSION,
    RECORD_SESSION,
    ROUTES,
    SESSIONS_TAG,
    Route,
    Success,
)
from stats_api.shapes import SHAPES

LOCAL_SERVER_URL = "http://127.0.0.1:3000"
SESSION_INPUT = "SessionInput"

# Printable ASCII without surrounding spaces: the form a header value takes on the wire.
USER_ID_PATTERN = f"^[!-~](?:[ -~]{{0,{identifiers.USER_ID_MAX_LENGTH - 2}}}[!-~])?$"

# The auth modes a stage deploys with; a stage uses one of them. Header-auth stages (dev,
# the local run) authenticate no one: their requirement is empty.
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    name: scheme
    for schemes in auth_modes.SECURITY_SCHEMES.values()
    for name, scheme in schemes.items()
}
SECURITY: list[dict[str, list[str]]] = [
    {name: [] for name in schemes} for schemes in auth_modes.SECURITY_SCHEMES.values()
]
USER_ID_PARAMETER = {
    "name": identifiers.USER_ID_HEADER,
    "in": "header",
    # Required on header-auth and IAM stages; a JWT stage ignores it.
    "required": False,
    "description": "The caller, on header-auth and IAM stages (missing there: 400); ignored "
    "on JWT stages, where the token's `sub` is the caller. "
    f"1-{identifiers.USER_ID_MAX_LENGTH} printable characters, surrounding white space "
    "trimmed.",
    "schema": {"type": "string", "pattern": USER_ID_PATTERN},
}

TAGS = {
    SESSIONS_TAG: "Learning sessions, recorded and read back one by one.",
    COURSE_STATS_TAG: "A caller's totals for a course, kept exact as sessions are recorded.",
    ANALYTICS_TAG: "A course's totals across all its learners, for the people who run it "
    "(not for learners).",
}

# The error answers, by status: what a route's refusals and every route's common answers
# mean. A function answers 400-413, 500 and 503; API Gateway 401, 403 and 429.
ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "A path parameter, the caller or the body breaks a rule; nothing is stored.",
    ),
    401: ("Unauthorized", "JWT stages: the bearer token is missing or invalid."),
    403: (
        "Forbidden",
        "IAM stages: not signed by an allowed caller. JWT stages: the token "
        "has none of the route's scopes.",
    ),
    404: ("NotFound", "The caller has no such resource (another user's is as absent)."),
    409: ("Conflict", "The sessionId was already recorded with other stats or course."),
    413: (
        "PayloadTooLarge",
        f"The body is above {session_body.MAX_BODY_BYTES} bytes; nothing is stored.",
    ),
    429: ("TooManyRequests", "The stage's throttling limit was exceeded."),
    500: ("InternalError", "The database failed; the message is generic."),
    TemporarilyUnavailable.status: (
        "ServiceUnavailable",
        "The database is busy (throttling, contention, timeouts): retry after the given "
        "seconds. Safe for POSTs too: a replayed session is counted once.",
    ),
}
COMMON_ERRORS = (401, 403, 429, 500, TemporarilyUnavailable.status)

PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "courseId": {
        "description": identifiers.COURSE_ID_RULE,
        "schema": identifiers.COURSE_ID_SCHEMA,
    },
    "sessionId": {"description": "A UUID, any case.", "schema": identifiers.SESSION_ID_SCHEMA},
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
_DAY_PARAMETER_OF = {p["name"]: key for key, p in DAY_PARAMETERS.items()}
ANALYTICS_NOTE = (
    " An analytics route: deployed where course analytics are turned on (the construct's "
    "`analytics` prop, `cdk deploy -c analytics=true`); the local run serves it. JWT "
    f"stages demand the scope `{ANALYTICS_SCOPE}` (or the deployment's own); IAM stages "
    "grant it by policy, apart from the learners' routes. It ignores `userId`."
)
HISTORY_NOTE = (
    " A history route: deployed where the history routes are turned on (the construct's "
    "`history` prop, `cdk deploy -c history=true`); the local run serves it."
)


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def session_input_schema() -> dict[str, Any]:
    """The POST body, as the handlers validate it."""
    return {
        **session_body.SESSION_BODY_SCHEMA,
        "description": f"A JSON object of at most {session_body.MAX_BODY_BYTES} bytes. "
        "Numbers are read as exact decimals; the range is checked on the number as sent, "
        f"then `{session_body.DECIMAL_PLACES_KEYWORD}` says to how many decimal places it "
        "is kept (rounded half-even); the response shows the kept values.",
    }


def _links() -> dict[str, Any]:
    # The reads that follow from a recorded session, as the same caller.
    course = {"path.courseId": "$response.body#/courseId"}
    return {
        FETCH_SESSION.operation_id: {
            "operationId": FETCH_SESSION.operation_id,
            "parameters": {**course, "path.sessionId": "$response.body#/sessionId"},
        },
        FETCH_COURSE_STATS.operation_id: {
            "operationId": FETCH_COURSE_STATS.operation_id,
            "parameters": course,
        },
    }


def _success(route: Route, success: Success) -> dict[str, Any]:
    if success.body is None:
        return {"description": success.description}
    return {
        "description": success.description,
        "content": {"application/json": {"schema": _ref("schemas", success.body)}},
        **({"links": _links()} if route is RECORD_SESSION else {}),
    }


def _operation(route: Route) -> dict[str, Any]:
    responses = {str(success.status): _success(route, success) for success in route.successes}
    for status in sorted((*route.refusals, *COMMON_ERRORS)):
        responses[str(status)] = _ref("responses", ERRORS[status][0])
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "tags": [route.tag],
        "summary": route.summary,
        "description": route.description
        + (HISTORY_NOTE if route.history else "")
        + (ANALYTICS_NOTE if route.analytics else ""),
        "parameters": [_ref("parameters", name) for name in route.path_parameters]
        + [
            _ref("parameters", _DAY_PARAMETER_OF.get(name, name) if route.analytics else name)
            for name in route.query_parameters
        ]
        + ([] if route.analytics else [_ref("parameters", identifiers.USER_ID_HEADER)]),
    }
    if route.takes_session_body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("schemas", SESSION_INPUT)}},
        }
    operation["responses"] = responses
    return operation


def _components() -> dict[str, Any]:
    error_body = {"application/json": {"schema": _ref("schemas", "Error")}}
    responses: dict[str, Any] = {
        name: {"description": description, "content": error_body}
        for name, description in ERRORS.values()
    }
    responses[ERRORS[TemporarilyUnavailable.status][0]]["headers"] = {
        "Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    }
    return {
        "securitySchemes": SECURITY_SCHEMES,
        "parameters": {
            **{
                name: {"name": name, "in": "path", "required": True, **rule}
                for name, rule in PATH_PARAMETERS.items()
            },
            **{
                name: {"name": name, "in": "query", "required": False, **rule}
                for name, rule in QUERY_PARAMETERS.items()
            },
            **{key: {"in": "query", "required": False, **p} for key, p in DAY_PARAMETERS.items()},
            identifiers.USER_ID_HEADER: USER_ID_PARAMETER,
        },
        "schemas": {
            SESSION_INPUT: session_input_schema(),
            **{name: shape.json_schema() for name, shape in SHAPES.items()},
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
        },
        "responses": responses,
    }


def _version() -> str:
    try:
        return version("stats-service")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0.0.0"


def document(server_url: str = LOCAL_SERVER_URL) -> dict[str, Any]:
    """The OpenAPI document; ``server_url`` is where the API is served."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stats-service",
            "version": _version(),
            "description": "Records learners' completed study sessions and serves their "
            "per-course stats. Each stage authenticates callers one way (see the security "
            'schemes). Every error is JSON `{"message": ...}`. A path no route has answers '
            "404; the local run answers 405 (with `Allow`) for a known path with another "
            "method, where API Gateway answers 404.",
            "contact": {"name": "stats-service maintainers"},
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "security": SECURITY,
        "paths": paths,
        "components": _components(),
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"


def main(argv: list[str]) -> None:
    """``make openapi``: ``python -m stats_tools.openapi docs/openapi.json``."""
    (target,) = argv
    Path(target).write_text(render(document()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
