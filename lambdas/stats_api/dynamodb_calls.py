"""How the store talks to DynamoDB, whatever the items: the client's settings, values to and
from DynamoDB's attribute form, and failures sorted into "not now" and "wrong"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from stats_api import init_phase
from stats_api.errors import TemporarilyUnavailable

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
# A cancelled transaction's reason for an item whose condition failed.
CONDITION_FAILED = "ConditionalCheckFailed"

# Lambda's init types that run the init phase ahead of any request: SnapStart snapshots it,
# provisioned concurrency keeps it warm. The client is then created during init.
AHEAD_OF_REQUESTS = frozenset({"snap-start", "provisioned-concurrency"})
INITIALIZATION_TYPE_ENV = "AWS_LAMBDA_INITIALIZATION_TYPE"

_Response = TypeVar("_Response")
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def new_client() -> DynamoDBClient:
    """A DynamoDB client with the settings above: the end of a function's init.

    What init allocated, the client included, lives as long as the process: frozen, and
    the collector back to Python's thresholds from here on (``init_phase``).
    """
    client: DynamoDBClient = boto3.client("dynamodb", config=CLIENT_CONFIG)
    init_phase.end()
    return client


def created_during_init(environ: Mapping[str, str]) -> bool:
    """Whether to create the client at import: when the init phase runs ahead of requests,
    so that SnapStart's snapshot holds it (or a provisioned environment has it ready)."""
    return environ.get(INITIALIZATION_TYPE_ENV) in AHEAD_OF_REQUESTS


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


def set_and_add(settings: Mapping[str, object], added: Mapping[str, object]) -> dict[str, Any]:
    """An update's expression and values: set ``settings`` and add the numbers ``added``
    (both by attribute name) to what the item holds; ``ADD`` creates a missing item, and
    attribute, from zero."""
    values = {f":{name}": value for name, value in {**settings, **added}.items()}
    assignments = ", ".join(f"{name} = :{name}" for name in settings)
    additions = ", ".join(f"{name} :{name}" for name in added)
    return {
        "UpdateExpression": f"SET {assignments} ADD {additions}",
        "ExpressionAttributeValues": to_attributes(values),
    }


def to_attributes(values: Mapping[str, object]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def from_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
