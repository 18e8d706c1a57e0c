"""GET /analytics/courses/{courseId}: a course's totals across all its learners."""

from __future__ import annotations

from stats_api.analytics_reads import analytics_reads
from stats_api.errors import NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.shapes import COURSE_ANALYTICS


@endpoint
def handler(request: Request) -> Response:
    course_id = request.course_id
    analytics = analytics_reads().course_analytics(course_id)
    if analytics is None:
        raise NotFound(f"no sessions recorded for course {course_id}")
    return Response(200, COURSE_ANALYTICS.render(analytics))
