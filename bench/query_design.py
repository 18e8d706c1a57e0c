"""The obvious alternative to the aggregate item: sum the user's sessions on every GET.

Same table and keys as the service (partition ``userId``, sort key ``sessionId`` = the
session's UUID), no aggregate maintained on write. A key condition cannot select a course
(the course is not part of the sort key), so the GET runs a paginated, strongly consistent
Query over the user's whole partition with a FilterExpression on ``courseId``, and sums the
matching sessions in the handler with ``Decimal``. A filter does not reduce the read cost:
DynamoDB bills every item the Query reads, before the filter.

The handler goes through the service's own HTTP layer (``stats_api.http.endpoint``) and
domain (``CourseStats``), so the two designs differ only in how they read the table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer

from stats_api import table_keys
from stats_api.errors import NotFound
from stats_api.http import LambdaHandler, Request, Response, endpoint
from stats_api.learner_stats import CourseStats, Totals
from stats_api.shapes import COURSE_STATS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_deserializer = TypeDeserializer()


def query_course_stats(
    client: DynamoDBClient, table: str, user_id: str, course_id: str
) -> CourseStats | None:
    modules, minutes, score_sum, count = 0, Decimal(0), Decimal(0), 0
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#user = :user",
        # Sessions only: the service's aggregate items share the partition (and the
        # courseId) but have no averageScore. Key attributes cannot appear in a filter.
        "FilterExpression": "courseId = :course AND attribute_exists(averageScore)",
        "ExpressionAttributeNames": {"#user": table_keys.PARTITION_KEY},
        "ExpressionAttributeValues": {":user": {"S": user_id}, ":course": {"S": course_id}},
        "ConsistentRead": True,  # like the service: a GET right after a POST must see it
    }
    while True:
        page = client.query(**request)
        for item in page["Items"]:
            modules += int(_number(item, "totalModulesStudied"))
            minutes += _number(item, "timeStudied")
            score_sum += _number(item, "averageScore")
            count += 1
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    if count == 0:
        return None
    return CourseStats(course_id, Totals(count, modules, minutes, score_sum))


def _number(item: dict[str, Any], name: str) -> Decimal:
    value: Decimal = _deserializer.deserialize(item[name])
    return value


def course_stats_handler(client: DynamoDBClient, table: str) -> LambdaHandler:
    """``GET /courses/{courseId}`` answered by summing a Query, same responses as ours."""

    @endpoint
    def handler(request: Request) -> Response:
        user_id, course_id = request.user_id, request.course_id
        stats = query_course_stats(client, table, user_id, course_id)
        if stats is None:
            raise NotFound(f"no sessions recorded for course {course_id}")
        return Response(200, COURSE_STATS.render(stats))

    return handler
