"""GET /courses/{courseId}/sessions: the caller's sessions of a course, newest first, a page
at a time, optionally within a time window."""

from __future__ import annotations

from stats_api import cursors
from stats_api.history_reads import history_reads
from stats_api.http import Request, Response, endpoint
from stats_api.shapes import SESSION_PAGE


@endpoint
def handler(request: Request) -> Response:
    user_id, course_id = request.user_id, request.course_id
    window, limit = request.window, request.page_size
    sessions, next_cursor = cursors.page_of(
        request.cursor,
        # A cursor serves the query it came from: same caller, course and window.
        scope=f"sessions\n{user_id}\n{course_id}\n{window.since}\n{window.until}",
        fetch=lambda after: history_reads().list_sessions(user_id, course_id, window, limit, after),
    )
    return Response(200, SESSION_PAGE.render(sessions, next_cursor))
