"""How the store talks to DynamoDB, whatever the items: the client's settings, values to and
from DynamoDB's attribute form, and failures sorted into "not now" and "wrong"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from stats_api.errors import TemporarilyUnavailable

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


def call(operation: Callable[..., _Response], **request: Any) -> _Response:
    """Run one DynamoDB call, turning "busy" failures into ``TemporarilyUnavailable``."""
    try:
        return operation(**request)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in BUSY_CODES or BUSY_CANCELLATION_CODES & set(cancellation_codes(error)):
            raise TemporarilyUnavailable from error
        raise
    except (ConnectionError, HTTPClientError) as error:  # timeouts included
        raise TemporarilyUnavailable from error


def cancellation_codes(error: ClientError) -> list[str]:
    """Why a cancelled transaction was cancelled, one code per item (``None`` if fine)."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
    return [str(reason.get("Code")) for reason in reasons]


def to_attributes(values: Mapping[str, object]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def from_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
