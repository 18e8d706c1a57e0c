"""The peer for cold starts: ``GET /courses/{courseId}`` as the Powertools cookbook would
write it (resolver with validation, pydantic model, Tracer, Logger, Metrics, a boto3
resource), answering from the same aggregate item as the service's handler.

Not part of the service: ``bench.cold_start`` copies this file next to the asset and times
it like the service's functions. Outside Lambda, Tracer sends no segment, but creating it
imports the X-Ray SDK all the same, as it does in Lambda.
"""

# No ``from __future__ import annotations``: the resolver reads the route's annotations.
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

tracer = Tracer(service="stats-service")
logger = Logger(service="stats-service")
metrics = Metrics(namespace="StatsService", service="stats-service")
app = APIGatewayHttpResolver(enable_validation=True)
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


class CourseStats(BaseModel):
    courseId: str = Field(pattern=r"^[A-Za-z0-9._:+-]{1,128}$")
    totalModulesStudied: int = Field(ge=0)
    timeStudied: float = Field(ge=0)
    averageScore: float = Field(ge=0, le=100)
    sessionCount: int = Field(ge=1)


@app.get("/courses/<course_id>")
@tracer.capture_method
def course_stats(course_id: str) -> CourseStats:
    user_id = app.current_event.headers.get("userid", "")
    key = {"userId": user_id, "sessionId": f"course#{course_id}"}
    item: Any = table.get_item(Key=key, ConsistentRead=True).get("Item")
    if item is None:
        raise NotFoundError(f"no sessions recorded for course {course_id}")
    count = int(item["sessionCount"])
    return CourseStats(
        courseId=course_id,
        totalModulesStudied=int(item["totalModulesStudied"]),
        timeStudied=float(item["timeStudied"]),
        averageScore=round(float(item["averageScoreSum"]) / count, 6),
        sessionCount=count,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
