"""Data access: the only module that knows DynamoDB's item shapes and expressions."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from stats_api import table_keys
from stats_api.deployment import TABLE_NAME_ENV
from stats_api.errors import TemporarilyUnavailable
from stats_api.sessions import CourseStats, Session, SessionAlreadyRecorded
from stats_api.shapes import SESSION

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Fail fast, well inside API Gateway's 30 s integration limit: botocore's defaults are 60 s.
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "max_attempts": 3},
)

# Failures that say "not now" rather than "wrong": the SDK already retried them.
BUSY_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
BUSY_CANCELLATION_CODES = frozenset(
    {
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "TransactionConflict",
        "RequestLimitExceeded",
    }
)

_Response = TypeVar("_Response")
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class SessionStore:
    """Sessions and per-course aggregates of one table, in the domain's terms."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_session(self, user_id: str, session: Session) -> None:
        """Store the session and add it to the user's course stats, atomically.

        Raises ``SessionAlreadyRecorded`` when the user already has a session with that id.
        """
        try:
            self._call(
                self._client.transact_write_items,
                TransactItems=[
                    {"Put": self._put_new_session(user_id, session)},
                    {"Update": self._add_to_course_stats(user_id, session)},
                ],
            )
        except ClientError as error:
            if _cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
                raise SessionAlreadyRecorded(session.session_id) from error
            raise

    def _put_new_session(self, user_id: str, session: Session) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": _to_attributes(session_item(user_id, session)),
            # A session id is written once: a replay or a reuse cancels the transaction.
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": table_keys.SORT_KEY},
        }

    def _add_to_course_stats(self, user_id: str, session: Session) -> dict[str, Any]:
        # ADD creates the aggregate on a course's first session and sums exactly after.
        return {
            "TableName": self._table,
            "Key": _to_attributes(table_keys.course_stats_key(user_id, session.course_id)),
            "UpdateExpression": "SET courseId = :course "
            "ADD totalModulesStudied :modules, timeStudied :time, "
            "averageScoreSum :score, sessionCount :one",
            "ExpressionAttributeValues": _to_attributes(
                {
                    ":course": session.course_id,
                    ":modules": session.total_modules_studied,
                    ":time": session.time_studied,
                    ":score": session.average_score,
                    ":one": 1,
                }
            ),
        }

    def fetch_session(self, user_id: str, session_id: str) -> Session | None:
        item = self._get(table_keys.session_key(user_id, session_id))
        return None if item is None else Session(**SESSION.attributes(item))

    def fetch_course_stats(self, user_id: str, course_id: str) -> CourseStats | None:
        item = self._get(table_keys.course_stats_key(user_id, course_id))
        if item is None:
            return None
        return CourseStats(
            course_id=course_id,
            total_modules_studied=int(item["totalModulesStudied"]),
            time_studied=item["timeStudied"],
            average_score_sum=item["averageScoreSum"],
            session_count=int(item["sessionCount"]),
        )

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        # Strongly consistent: a GET right after a 201 must include that session.
        response = self._call(
            self._client.get_item,
            TableName=self._table,
            Key=_to_attributes(key),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else {k: _deserializer.deserialize(v) for k, v in item.items()}

    @staticmethod
    def _call(operation: Callable[..., _Response], **request: Any) -> _Response:
        """Run one DynamoDB call, turning "busy" failures into ``TemporarilyUnavailable``."""
        try:
            return operation(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in BUSY_CODES or BUSY_CANCELLATION_CODES & set(_cancellation_codes(error)):
                raise TemporarilyUnavailable from error
            raise
        except (ConnectionError, HTTPClientError) as error:  # timeouts included
            raise TemporarilyUnavailable from error


def session_item(user_id: str, session: Session) -> dict[str, Any]:
    """A session as stored: the user's key and the session's attributes, named as in the API."""
    return {**table_keys.session_key(user_id, session.session_id), **SESSION.render(session)}


def course_stats_item(user_id: str, stats: CourseStats) -> dict[str, Any]:
    """The aggregate item the transactions' ``ADD``s build up (written whole by the benchmark)."""
    return {
        **table_keys.course_stats_key(user_id, stats.course_id),
        "courseId": stats.course_id,
        "totalModulesStudied": stats.total_modules_studied,
        "timeStudied": stats.time_studied,
        "averageScoreSum": stats.average_score_sum,
        "sessionCount": stats.session_count,
    }


def _to_attributes(values: Mapping[str, object]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _cancellation_codes(error: ClientError) -> list[str]:
    """Why a cancelled transaction was cancelled, one code per item (``None`` if fine)."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
    return [str(reason.get("Code")) for reason in reasons]


@functools.cache
def default_store() -> SessionStore:
    """The store the handlers use, created on first use and reused across invocations."""
    client: DynamoDBClient = boto3.client("dynamodb", config=CLIENT_CONFIG)
    return SessionStore(client, os.environ[TABLE_NAME_ENV])
