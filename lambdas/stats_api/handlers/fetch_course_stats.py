"""GET /courses/{courseId}: the caller's stats for a course: lifetime in one read, or over a
time window (``since``/``until``) from the history index."""

from __future__ import annotations

import os

from stats_api.errors import InvalidRequest, NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.learner_store import learner_store
from stats_api.shapes import COURSE_STATS
from stats_api.shared_names import HISTORY_ENV


@endpoint
def handler(request: Request) -> Response:
    user_id, course_id, window = request.user_id, request.course_id, request.window
    if window.is_open:
        stats = learner_store().fetch_course_stats(user_id, course_id)
    elif os.environ.get(HISTORY_ENV) != "on":
        raise InvalidRequest("since and until need the history routes, off in this deployment")
    else:
        # Imported for a window only: the lifetime read's cold start need not compile it.
        from stats_api.history_reads import history_reads  # noqa: PLC0415

        stats = history_reads().window_stats(user_id, course_id, window)
    if stats is None:
        raise NotFound(f"no sessions recorded for course {course_id}")
    return Response(200, COURSE_STATS.render(stats))
