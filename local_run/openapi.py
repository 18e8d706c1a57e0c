"""The API's OpenAPI 3.1 document, generated from the declarations the handlers run on.

Paths and operations come from the route table (``stats_api.routes``), the request body from
``session_rules.SESSION_BODY_SCHEMA`` and the path and header rules from the same module, so
the document cannot drift from the handlers. ``make openapi`` writes it to
``docs/openapi.json``; a test fails when the committed file is stale, and the local run
serves it at ``/openapi.json``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stats_api import session_rules
from stats_api.errors import TemporarilyUnavailable
from stats_api.routes import FETCH_COURSE_STATS, FETCH_SESSION, RECORD_SESSION, ROUTES, Route

COMMITTED_DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
LOCAL_SERVER_URL = "http://127.0.0.1:3000"

# JSON numbers are decimals, so "a multiple of 0.000001" is exactly "at most 6 decimal
# places". The handlers check it on the exact Decimal instead of through the schema, since
# validators reading numbers as binary floats get multipleOf wrong (0.3 / 0.000001 is not
# a whole number in floating point).
DECIMAL_STEP = 10.0**-session_rules.MAX_DECIMAL_PLACES

USER_ID_PATTERN = (
    # Printable ASCII without surrounding spaces: the form a header value takes on the wire.
    f"^[!-~](?:[ -~]{{0,{session_rules.USER_ID_MAX_LENGTH - 2}}}[!-~])?$"
)


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str
    parameters: tuple[str, ...]  # names in components/parameters
    responses: dict[str, Any]
    request_body: bool = False


def session_input_schema() -> dict[str, Any]:
    """The POST body schema as published: the handlers' schema plus the decimal-places rule."""
    schema = copy.deepcopy(session_rules.SESSION_BODY_SCHEMA)
    for field_schema in schema["properties"].values():
        if field_schema.get("type") == "number":
            field_schema["multipleOf"] = DECIMAL_STEP
    return schema


def _session_schema() -> dict[str, Any]:
    body = session_rules.SESSION_BODY_SCHEMA["properties"]
    return {
        "type": "object",
        "description": "A recorded session, as stored.",
        "required": ["sessionId", "courseId", "totalModulesStudied", "timeStudied", "averageScore"],
        "properties": {
            "sessionId": {
                "type": "string",
                "format": "uuid",
                "description": "The session's UUID, lower-case.",
            },
            "courseId": {"type": "string", "pattern": f"^{session_rules.COURSE_ID_PATTERN}$"},
            "totalModulesStudied": _without_description(body["totalModulesStudied"]),
            "timeStudied": _without_description(body["timeStudied"]),
            "averageScore": _without_description(body["averageScore"]),
        },
        "additionalProperties": False,
    }


def _course_stats_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The caller's lifetime totals for a course.",
        "required": [
            "courseId",
            "totalModulesStudied",
            "timeStudied",
            "averageScore",
            "sessionCount",
        ],
        "properties": {
            "courseId": {"type": "string", "pattern": f"^{session_rules.COURSE_ID_PATTERN}$"},
            "totalModulesStudied": {
                "type": "integer",
                "minimum": 0,
                "description": "Exact sum over the sessions.",
            },
            "timeStudied": {
                "type": "number",
                "minimum": 0,
                "description": "Exact sum of the sessions' minutes.",
            },
            "averageScore": {
                "type": "number",
                "minimum": session_rules.MIN_SCORE,
                "maximum": session_rules.MAX_SCORE,
                "description": "Arithmetic mean of the sessions' average scores, rounded "
                f"half-even to {session_rules.MAX_DECIMAL_PLACES} decimal places.",
            },
            "sessionCount": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": False,
    }


def _without_description(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "description"}


def _components() -> dict[str, Any]:
    def error(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": _ref("schemas", "Error")}},
        }

    return {
        "parameters": {
            "userId": {
                "name": session_rules.USER_ID_HEADER,
                "in": "header",
                "required": True,
                "description": "The caller; every read and write is scoped to it. "
                f"1-{session_rules.USER_ID_MAX_LENGTH} printable characters, surrounding "
                "white space trimmed. Ignored behind a JWT authorizer (the token's `sub` "
                "is the caller).",
                "schema": {"type": "string", "pattern": USER_ID_PATTERN},
            },
            "courseId": {
                "name": "courseId",
                "in": "path",
                "required": True,
                "description": "1-64 characters of A-Z a-z 0-9 . _ -",
                "schema": {"type": "string", "pattern": f"^{session_rules.COURSE_ID_PATTERN}$"},
            },
            "sessionId": {
                "name": "sessionId",
                "in": "path",
                "required": True,
                "description": "A UUID, any case.",
                "schema": {"type": "string", "pattern": f"^{session_rules.UUID_PATTERN}$"},
            },
        },
        "schemas": {
            "SessionInput": session_input_schema(),
            "Session": _session_schema(),
            "CourseStats": _course_stats_schema(),
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
        },
        "responses": {
            "BadRequest": error(
                "The userId header, a path parameter or the body breaks a rule; nothing is stored."
            ),
            "NotFound": error("The caller has no such resource (another user's is as absent)."),
            "Conflict": error("The sessionId was already recorded with other stats or course."),
            "PayloadTooLarge": error(
                f"The body is above {session_rules.MAX_BODY_BYTES} bytes; nothing is stored."
            ),
            "ServiceUnavailable": {
                **error(
                    "The database is busy (throttling, contention, timeouts): retry after the "
                    "given seconds. Safe for POSTs too: a replayed session is counted once."
                ),
                "headers": {
                    "Retry-After": {
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]+$"},
                    }
                },
            },
            "InternalError": error("The database failed; the message is generic."),
            # API Gateway's own answers on deployed stages; the local run has no authorizer
            # and no throttling.
            "Unauthorized": error("JWT stages: the bearer token is missing or invalid."),
            "Forbidden": error("IAM stages: the request is not SigV4-signed by an allowed caller."),
            "TooManyRequests": error("The stage's throttling limit was exceeded."),
        },
    }


def _links_from_session() -> dict[str, Any]:
    # The follow-up reads of a recorded session, as the same caller.
    caller = "$request.header." + session_rules.USER_ID_HEADER
    header = "header." + session_rules.USER_ID_HEADER
    return {
        "fetchSession": {
            "operationId": FETCH_SESSION.operation_id,
            "parameters": {
                "path.courseId": "$response.body#/courseId",
                "path.sessionId": "$response.body#/sessionId",
                header: caller,
            },
        },
        "fetchCourseStats": {
            "operationId": FETCH_COURSE_STATS.operation_id,
            "parameters": {"path.courseId": "$response.body#/courseId", header: caller},
        },
    }


def _session_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("schemas", "Session")}},
        "links": _links_from_session(),
    }


_COMMON_RESPONSES = {
    "401": _ref("responses", "Unauthorized"),
    "403": _ref("responses", "Forbidden"),
    "429": _ref("responses", "TooManyRequests"),
    "500": _ref("responses", "InternalError"),
    str(TemporarilyUnavailable.status): _ref("responses", "ServiceUnavailable"),
}

OPERATIONS: dict[Route, Operation] = {
    RECORD_SESSION: Operation(
        summary="Record a completed learning session",
        description="Stores the session and adds it to the caller's course stats, atomically. "
        f"The body is a JSON object of at most {session_rules.MAX_BODY_BYTES} bytes. "
        "Numbers are exact decimals with at most "
        f"{session_rules.MAX_DECIMAL_PLACES} decimal places. Replaying a session (same "
        "sessionId, course and stats) answers 200 and counts it once.",
        parameters=("courseId", "userId"),
        request_body=True,
        responses={
            "201": _session_response("The session was recorded."),
            "200": _session_response("A replay of a session already recorded, counted once."),
            "400": _ref("responses", "BadRequest"),
            "409": _ref("responses", "Conflict"),
            "413": _ref("responses", "PayloadTooLarge"),
            **_COMMON_RESPONSES,
        },
    ),
    FETCH_COURSE_STATS: Operation(
        summary="The caller's lifetime stats for a course",
        description="One strongly consistent read: a session recorded just before is included.",
        parameters=("courseId", "userId"),
        responses={
            "200": {
                "description": "The course stats.",
                "content": {"application/json": {"schema": _ref("schemas", "CourseStats")}},
            },
            "400": _ref("responses", "BadRequest"),
            "404": _ref("responses", "NotFound"),
            **_COMMON_RESPONSES,
        },
    ),
    FETCH_SESSION: Operation(
        summary="One of the caller's sessions",
        description="The session as POST returned it.",
        parameters=("courseId", "sessionId", "userId"),
        responses={
            "200": {
                "description": "The session.",
                "content": {"application/json": {"schema": _ref("schemas", "Session")}},
            },
            "400": _ref("responses", "BadRequest"),
            "404": _ref("responses", "NotFound"),
            **_COMMON_RESPONSES,
        },
    ),
}


def _operation(route: Route) -> dict[str, Any]:
    spec = OPERATIONS[route]
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": spec.summary,
        "description": spec.description,
        "parameters": [_ref("parameters", name) for name in spec.parameters],
    }
    if spec.request_body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("schemas", "SessionInput")}},
        }
    operation["responses"] = spec.responses
    return operation


def document(server_url: str = LOCAL_SERVER_URL) -> dict[str, Any]:
    """The OpenAPI document; ``server_url`` is where the API is served."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stats-service",
            "version": version("stats-service"),
            "description": "Records learners' completed study sessions and serves their "
            "per-course stats. The caller is the `userId` header (a stage deployed with JWT "
            "auth takes it from the token's `sub` claim instead; one with IAM auth needs "
            "SigV4-signed requests). "
            'Every error is JSON `{"message": ...}`. A path no route '
            "has answers 404; the local run answers 405 (with `Allow`) for a known path "
            "with another method, where API Gateway answers 404.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": _components(),
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"


def main() -> None:
    """``make openapi``: write the document to ``docs/openapi.json``."""
    COMMITTED_DOCUMENT.write_text(render(document()), encoding="utf-8")
    print(f"wrote {COMMITTED_DOCUMENT}")


if __name__ == "__main__":
    main()
