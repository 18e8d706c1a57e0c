"""POST /courses/{courseId}: record a completed learning session."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from stats_api import timestamps
from stats_api.http import Request, Response, endpoint
from stats_api.learner_stats import Session, record_session
from stats_api.learner_store import learner_store
from stats_api.observability import metrics
from stats_api.shapes import SESSION
from stats_api.shared_names import SESSIONS_RECORDED_METRIC


@endpoint
def handler(request: Request) -> Response:
    user_id, body = request.user_id, request.session_body()
    session = Session.from_request(request.course_id, body, received_at=timestamps.now())
    stored, created = record_session(
        learner_store(), user_id, session, completed_at_given="completedAt" in body
    )
    if not created:
        return Response(200, SESSION.render(stored))
    metrics.add_metric(name=SESSIONS_RECORDED_METRIC, unit=MetricUnit.Count, value=1)
    return Response(201, SESSION.render(stored))
