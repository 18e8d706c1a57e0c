"""The HTTP API's route table: one declaration read by the CDK construct, the local run,
the OpenAPI document and the tests, so that none of them can drift from the others."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str  # dotted path of the Lambda handler, relative to the asset root
    function_id: str  # construct id of the route's function
    operation_id: str  # OpenAPI operationId

    @property
    def route_key(self) -> str:
        """API Gateway's route key, e.g. ``GET /courses/{courseId}``."""
        return f"{self.method} {self.path}"


RECORD_SESSION = Route(
    method="POST",
    path="/courses/{courseId}",
    handler="stats_api.handlers.record_session.handler",
    function_id="RecordSession",
    operation_id="recordSession",
)
FETCH_COURSE_STATS = Route(
    method="GET",
    path="/courses/{courseId}",
    handler="stats_api.handlers.fetch_course_stats.handler",
    function_id="FetchCourseStats",
    operation_id="fetchCourseStats",
)
FETCH_SESSION = Route(
    method="GET",
    path="/courses/{courseId}/sessions/{sessionId}",
    handler="stats_api.handlers.fetch_session.handler",
    function_id="FetchSession",
    operation_id="fetchSession",
)

ROUTES: tuple[Route, ...] = (RECORD_SESSION, FETCH_COURSE_STATS, FETCH_SESSION)
