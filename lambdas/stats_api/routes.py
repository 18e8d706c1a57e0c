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
QUERY = "dynamodb:Query"
# A POST's transaction puts the session and updates the aggregate; a replay is told from
# a conflict by reading the stored session.
RECORD_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", GET_ITEM)
# A withdrawal reads the session and the aggregate, then deletes the session and updates
# (or, after the last session, deletes) the aggregate in one transaction.
WITHDRAW_ACTIONS = ("dynamodb:DeleteItem", "dynamodb:UpdateItem", GET_ITEM)

# The analytics routes read the analytics table (the course's shares, its days).
ANALYTICS_READ_ACTIONS = ("dynamodb:BatchGetItem", QUERY)

# The JWT scope the analytics routes demand by default (an OAuth resource server's custom
# scope, as a Cognito resource server named ``stats`` spells it); a deployment may name
# its own (JwtAuth.analytics_scopes, -c jwtAnalyticsScopes, the local JWT_ANALYTICS_SCOPES).
ANALYTICS_SCOPE = "stats/analytics.read"

# The groups the OpenAPI document files operations under.
SESSIONS_TAG = "sessions"
COURSE_STATS_TAG = "course stats"
ANALYTICS_TAG = "course analytics"


@dataclass(frozen=True)
class Success:
    status: int
    description: str
    body: str | None  # the name of its shape (``stats_api.shapes``); None: no content


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
    query_parameters: tuple[str, ...] = ()
    # On the history index; granted where the history routes are turned on.
    history_index_actions: tuple[str, ...] = ()
    history: bool = False  # one of the history routes (off unless turned on)
    # One of the analytics routes (off unless turned on): across learners, so never a
    # learner's to call; its actions are on the analytics table.
    analytics: bool = False
    analytics_table_actions: tuple[str, ...] = ()

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
    refusals=(400, 409, 413, 415),
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
    summary="The caller's stats for a course: lifetime, or over a time window",
    description="Without a window, one strongly consistent read of the lifetime totals, "
    "whatever the number of sessions. With `since` and/or `until` (history routes on), the "
    "same fields over the sessions completed in the window. Strongly consistent: a session "
    "recorded or withdrawn just before is counted accordingly.",
    successes=(Success(200, "The course stats.", "CourseStats"),),
    refusals=(400, 404),
    query_parameters=("since", "until"),
    history_index_actions=(QUERY,),
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

LIST_COURSES = Route(
    method="GET",
    path="/courses",
    handler="stats_api.handlers.list_courses.handler",
    function_id="ListCourses",
    table_actions=(QUERY,),
    operation_id="listCourses",
    tag=COURSE_STATS_TAG,
    summary="The caller's courses with their lifetime stats",
    description="Ordered by courseId, a page at a time; reads only the page.",
    successes=(Success(200, "A page of courses.", "CoursePage"),),
    refusals=(400,),
    query_parameters=("limit", "cursor"),
    history=True,
)
LIST_SESSIONS = Route(
    method="GET",
    path="/courses/{courseId}/sessions",
    handler="stats_api.handlers.list_sessions.handler",
    function_id="ListSessions",
    table_actions=(),
    operation_id="listSessions",
    tag=SESSIONS_TAG,
    summary="The caller's sessions of a course, newest first",
    description="Newest `completedAt` first (ties by sessionId, descending), a page at a "
    "time, optionally within a window; reads only the page. Paging through returns every "
    "session exactly once.",
    successes=(Success(200, "A page of sessions (an empty page is [] ).", "SessionPage"),),
    refusals=(400,),
    query_parameters=("limit", "cursor", "since", "until"),
    history_index_actions=(QUERY,),
    history=True,
)
WITHDRAW_SESSION = Route(
    method="DELETE",
    path="/courses/{courseId}/sessions/{sessionId}",
    handler="stats_api.handlers.withdraw_session.handler",
    function_id="WithdrawSession",
    table_actions=WITHDRAW_ACTIONS,
    operation_id="withdrawSession",
    tag=SESSIONS_TAG,
    summary="Withdraw a wrongly recorded session",
    description="Removes the session and takes exactly its numbers off the course stats, in "
    "the same transaction; after the course's last session the course is 404 again. A POST "
    "of the same sessionId afterwards records it anew.",
    successes=(Success(204, "The session was withdrawn.", None),),
    refusals=(400, 404),
    history=True,
)

FETCH_COURSE_ANALYTICS = Route(
    method="GET",
    path="/analytics/courses/{courseId}",
    handler="stats_api.handlers.fetch_course_analytics.handler",
    function_id="FetchCourseAnalytics",
    table_actions=(),
    analytics_table_actions=ANALYTICS_READ_ACTIONS,
    operation_id="fetchCourseAnalytics",
    tag=ANALYTICS_TAG,
    summary="A course's totals across all its learners",
    description="Learners, sessions, modules, minutes and the mean score of every session "
    "recorded in the course, maintained from the table's stream within seconds of each "
    "write; exact (each session counted once, each withdrawal and erasure taken off) once "
    "writes stop. One read of the course's shares, whatever the number of learners.",
    successes=(Success(200, "The course's analytics.", "CourseAnalytics"),),
    refusals=(400, 404),
    analytics=True,
)
LIST_COURSE_DAYS = Route(
    method="GET",
    path="/analytics/courses/{courseId}/daily",
    handler="stats_api.handlers.list_course_days.handler",
    function_id="ListCourseDays",
    table_actions=(),
    analytics_table_actions=ANALYTICS_READ_ACTIONS,
    operation_id="listCourseDays",
    tag=ANALYTICS_TAG,
    summary="A course's totals per UTC day, across all its learners",
    description="One entry per UTC day with sessions (by completedAt), oldest first, up to "
    "366 days a page; the days whose start (00:00 UTC) lies in [since, until). An empty "
    "window of a studied course is an empty page.",
    successes=(Success(200, "A page of days (an empty page is [] ).", "DailyPage"),),
    refusals=(400, 404),
    query_parameters=("limit", "cursor", "since", "until"),
    analytics=True,
)

# The mission's three routes, always deployed; the history and analytics routes where
# turned on.
CORE_ROUTES: tuple[Route, ...] = (RECORD_SESSION, FETCH_COURSE_STATS, FETCH_SESSION)
HISTORY_ROUTES: tuple[Route, ...] = (LIST_COURSES, LIST_SESSIONS, WITHDRAW_SESSION)
ANALYTICS_ROUTES: tuple[Route, ...] = (FETCH_COURSE_ANALYTICS, LIST_COURSE_DAYS)
ROUTES: tuple[Route, ...] = CORE_ROUTES + HISTORY_ROUTES + ANALYTICS_ROUTES
# The routes a learner calls: every route but the analytics ones.
LEARNER_ROUTES: tuple[Route, ...] = CORE_ROUTES + HISTORY_ROUTES


def deployed_routes(history: bool, analytics: bool = False) -> tuple[Route, ...]:
    return (
        CORE_ROUTES + (HISTORY_ROUTES if history else ()) + (ANALYTICS_ROUTES if analytics else ())
    )
