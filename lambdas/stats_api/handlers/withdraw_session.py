"""DELETE /courses/{courseId}/sessions/{sessionId}: withdraw a wrongly recorded session; the
course stats lose exactly its numbers, in the same transaction."""

from __future__ import annotations

from stats_api.errors import NotFound
from stats_api.http import Request, Response, endpoint
from stats_api.learner_store import learner_store


@endpoint
def handler(request: Request) -> Response:
    user_id, course_id, session_id = request.user_id, request.course_id, request.session_id
    # Another course's or another user's session is as absent as one that never existed.
    if not learner_store().withdraw_session(user_id, course_id, session_id):
        raise NotFound(f"session {session_id} not found in course {course_id}")
    return Response(204, None)
