"""GET /courses/{courseId}/sessions/{sessionId}: one of the caller's sessions."""

from __future__ import annotations

from stats_api.errors import NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.learner_store import learner_store
from stats_api.shapes import SESSION


@endpoint
def handler(request: Request) -> Response:
    user_id, course_id, session_id = request.user_id, request.course_id, request.session_id
    session = learner_store().fetch_session(user_id, session_id)
    # Another course's session is as absent as one that never existed.
    if session is None or session.course_id != course_id:
        raise NotFound(f"session {session_id} not found in course {course_id}")
    return Response(200, SESSION.render(session))
