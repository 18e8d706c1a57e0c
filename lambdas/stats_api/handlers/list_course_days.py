"""GET /analytics/courses/{courseId}/daily: a course's totals per UTC day, oldest first, a
page of days at a time, optionally within a window."""

from __future__ import annotations

from stats_api import cursors
from stats_api.analytics_reads import analytics_reads
from stats_api.course_analytics import CourseAnalytics, day_range
from stats_api.cursors import Page
from stats_api.errors import NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.shapes import DAILY_PAGE


@endpoint
def handler(request: Request) -> Response:
    course_id, window, limit = request.course_id, request.window, request.days_per_page
    days = day_range(window.since, window.until)
    analytics = analytics_reads()
    # Which shards hold days (AnalyticsReads.daily), and whether anyone studied the course.
    totals = analytics.totals(course_id)
    entries, next_cursor = cursors.page_of(
        request.cursor,
        # A cursor serves the query it came from: same course and window.
        scope=f"daily\n{course_id}\n{window.since}\n{window.until}",
        fetch=lambda after: (
            Page([], None)
            if days is None
            else analytics.daily(course_id, totals.keys(), days, limit, after)
        ),
    )
    # An empty first page of a course nobody studied is a 404, as for its totals; of a
    # studied course, an empty window is an empty page.
    studied = CourseAnalytics.of_shares(course_id, list(totals.values())) is not None
    if not entries and request.cursor is None and not studied:
        raise NotFound(f"no sessions recorded for course {course_id}")
    return Response(200, DAILY_PAGE.render(entries, next_cursor))
