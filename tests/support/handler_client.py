"""Calls the deployed handlers in-process with the events API Gateway would send."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from local_run.events import LambdaContext, api_event
from local_run.gateway import load_handler
from stats_api.routes import (
    FETCH_COURSE_STATS,
    FETCH_SESSION,
    LIST_COURSES,
    LIST_SESSIONS,
    RECORD_SESSION,
    WITHDRAW_SESSION,
    Route,
)

TABLE = "stats-test"
USER = "user-1"
COURSE = "course-101"


@dataclass
class HttpResponse:
    status: int
    body: Any  # the parsed JSON, None without content
    headers: dict[str, str]
    raw: str | None = None

    def exact_body(self) -> Any:
        """The JSON body with every fraction as the exact Decimal it spells."""
        return None if self.raw is None else json.loads(self.raw, parse_float=Decimal)


def call(
    route: Route,
    path_parameters: dict[str, str],
    *,
    user: str | None = USER,
    body: Any = None,
    raw_body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
) -> HttpResponse:
    """Invoke ``route``'s handler with the event API Gateway would send (behind
    ``authorizer``'s context, when given)."""
    all_headers = {"content-type": "application/json", **(headers or {})}
    if user is not None:
        all_headers["userId"] = user
    payload = raw_body if raw_body is not None else None if body is None else json.dumps(body)
    event = api_event(
        route,
        path_parameters,
        headers=all_headers,
        body=payload,
        authorizer=authorizer,
        raw_query=urlencode(query or {}),
    )
    return invoke(route, event)


def invoke(route: Route, event: dict[str, Any]) -> HttpResponse:
    """Run ``route``'s deployed handler on ``event``, as Lambda would."""
    result = load_handler(route)(event, LambdaContext())
    raw = result.get("body")
    body = None if raw is None else json.loads(raw)
    return HttpResponse(result["statusCode"], body, result["headers"], raw)


def record(
    course: str = COURSE, *, user: str | None = USER, body: Any = None, **kwargs: Any
) -> HttpResponse:
    return call(RECORD_SESSION, {"courseId": course}, user=user, body=body, **kwargs)


def fetch_course_stats(
    course: str = COURSE, *, user: str | None = USER, **kwargs: Any
) -> HttpResponse:
    return call(FETCH_COURSE_STATS, {"courseId": course}, user=user, **kwargs)


def fetch_session(
    session_id: str, course: str = COURSE, *, user: str | None = USER, **kwargs: Any
) -> HttpResponse:
    return call(FETCH_SESSION, {"courseId": course, "sessionId": session_id}, user=user, **kwargs)


def list_courses(*, user: str | None = USER, **query: str) -> HttpResponse:
    return call(LIST_COURSES, {}, user=user, query=query)


def list_sessions(course: str = COURSE, *, user: str | None = USER, **query: str) -> HttpResponse:
    return call(LIST_SESSIONS, {"courseId": course}, user=user, query=query)


def withdraw(
    session_id: str, course: str = COURSE, *, user: str | None = USER, **kwargs: Any
) -> HttpResponse:
    return call(
        WITHDRAW_SESSION, {"courseId": course, "sessionId": session_id}, user=user, **kwargs
    )


def lambda_authorizer(context: dict[str, Any]) -> dict[str, Any]:
    """A Lambda authorizer's context (whatever its simple response put in ``context``): no
    stage has one, but a consumer of the construct may put one in front of the handlers."""
    return {"lambda": dict(context)}


def session_body(**overrides: Any) -> dict[str, Any]:
    return {"totalModulesStudied": 3, "timeStudied": 45.5, "averageScore": 87.25, **overrides}


def table_items(client: Any) -> list[dict[str, Any]]:
    """Every item in the table (tests only: the service itself never scans)."""
    items: list[dict[str, Any]] = client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return items


def assert_internal_error(response: HttpResponse, log: list[dict[str, Any]], detail: str) -> None:
    """A fault answers a generic 500; its detail goes to one error log line, correlated."""
    assert response.status == 500
    assert response.body == {"message": "internal error"}
    errors = [line for line in log if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert detail in errors[0]["exception"]
    assert errors[0]["correlation_id"]
