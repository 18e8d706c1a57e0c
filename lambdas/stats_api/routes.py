"""The HTTP API's route table: every fact about a route, declared once, and read by the CDK
construct (function, role, integration), the local run (routing), the OpenAPI document
(the operation) and the tests, so that none of them can drift from the others.

Plain data on purpose: the CDK construct imports it, and nothing of the runtime's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What the functions may do on the table. The read functions only get items.
GET_ITEM = "dynamodb:GetItem"
# A POST's transaction puts the session and updates the aggregate; a replay is told from
# a conflict by reading the stored session.
RECORD_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", GET_ITEM)

# The groups the OpenAPI document files operations under.
SESSIONS_TAG = "sessions"
COURSE_STATS_TAG = "course stats"


@dataclass(frozen=True)
class Success:
    status: int
    description: str
    body: str  # the name of its shape (``stats_api.shapes``)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str  # dotted path of the Lambda handler, relative to the asset root
    function_id: str  # construct id of the route's function
    table_actions: tuple[str, ...]  # the IAM actions its function may run on the table
    # The OpenAPI operation.
    operation_id: str
    tag: str
    summary: str
    description: str
    successes: tuple[Success, ...]
    refusals: tuple[int, ...]  # the 4xx its function answers (besides every route's)
    takes_session_body: bool = False

    @property
    def route_key(self) -> str:
        """API Gateway's route key, e.g. ``GET /courses/{courseId}``."""
        return f"{self.method} {self.path}"

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))


RECORD_SESSION = Route(
    method="POST",
    path="/courses/{courseId}",
    handler="stats_api.handlers.record_session.handler",
    function_id="RecordSession",
    table_actions=RECORD_ACTIONS,
    operation_id="recordSession",
    tag=SESSIONS_TAG,
    summary="Record a completed learning session",
    description="Stores the session and adds it to the caller's course stats, atomically. "
    "Replaying a session (same sessionId, course and stats) answers 200 and counts it once.",
    successes=(
        Success(201, "The session was recorded.", "Session"),
        Success(200, "A replay of a session already recorded, counted once.", "Session"),
    ),
    refusals=(400, 409, 413),
    takes_session_body=True,
)
FETCH_COURSE_STATS = Route(
    method="GET",
    path="/courses/{courseId}",
    handler="stats_api.handlers.fetch_course_stats.handler",
    function_id="FetchCourseStats",
    table_actions=(GET_ITEM,),
    operation_id="fetchCourseStats",
    tag=COURSE_STATS_TAG,
    summary="The caller's lifetime stats for a course",
    description="One strongly consistent read: a session recorded just before is included.",
    successes=(Success(200, "The course stats.", "CourseStats"),),
    refusals=(400, 404),
)
FETCH_SESSION = Route(
    method="GET",
    path="/courses/{courseId}/sessions/{sessionId}",
    handler="stats_api.handlers.fetch_session.handler",
    function_id="FetchSession",
    table_actions=(GET_ITEM,),
    operation_id="fetchSession",
    tag=SESSIONS_TAG,
    summary="One of the caller's sessions",
    description="The session as POST returned it.",
    successes=(Success(200, "The session.", "Session"),),
    refusals=(400, 404),
)

ROUTES: tuple[Route, ...] = (RECORD_SESSION, FETCH_COURSE_STATS, FETCH_SESSION)
