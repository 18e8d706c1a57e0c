"""GET /courses/{courseId}: the caller's lifetime stats for a course, in one read."""

from __future__ import annotations

from stats_api.errors import NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.session_store import default_store
from stats_api.shapes import COURSE_STATS


@endpoint
def handler(request: Request) -> Response:
    user_id, course_id = request.user_id, request.course_id
    stats = default_store().fetch_course_stats(user_id, course_id)
    if stats is None:
        raise NotFound(f"no sessions recorded for course {course_id}")
    return Response(200, COURSE_STATS.render(stats))
