"""GET /courses: the caller's courses with their lifetime stats, by courseId, a page at a time."""

from __future__ import annotations

from stats_api import cursors
from stats_api.history_reads import history_reads
from stats_api.http import Request, Response, endpoint
from stats_api.shapes import COURSE_PAGE


@endpoint
def handler(request: Request) -> Response:
    user_id, limit = request.user_id, request.page_size
    courses, next_cursor = cursors.page_of(
        request.cursor,
        scope=f"courses\n{user_id}",
        fetch=lambda after: history_reads().list_courses(user_id, limit, after),
    )
    return Response(200, COURSE_PAGE.render(courses, next_cursor))
