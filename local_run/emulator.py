"""The embedded DynamoDB: moto's in-memory backend with the service's table.

moto runs in the server's own process (no Docker, no separate server), and the process is
cut off from any real AWS account first: dummy credentials, a fixed region, no profile and
no endpoint override can reach AWS even if moto missed a call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import boto3
from moto import mock_aws

from stats_api import analytics_keys, table_keys
from stats_api.analytics_stream import STREAM_VIEW_TYPE
from stats_api.deployment import ANALYTICS_TABLE_ENV, HISTORY_ENV, TABLE_NAME_ENV

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_NAME = "stats-local"
ANALYTICS_TABLE_NAME = "stats-analytics-local"
REGION = "us-east-1"

_DUMMY_SETTINGS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    # A developer's config files may name profiles, SSO sessions or endpoints.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Anything that could point a client at real credentials or another endpoint.
_REAL_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


def isolate_from_aws(environ: MutableMapping[str, str], table_name: str) -> None:
    """Point ``environ`` at the embedded table with dummy credentials, and nothing real; the
    history and analytics routes are on, as the local run serves every route."""
    for name in _REAL_AWS_SETTINGS:
        environ.pop(name, None)
    environ.update(_DUMMY_SETTINGS)
    environ[TABLE_NAME_ENV] = table_name
    environ[HISTORY_ENV] = "on"
    environ[ANALYTICS_TABLE_ENV] = ANALYTICS_TABLE_NAME


@contextmanager
def embedded_dynamodb(table_name: str = TABLE_NAME) -> Iterator[None]:
    """moto's DynamoDB with the service's empty table, for as long as the block runs."""
    isolate_from_aws(os.environ, table_name)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, table_name, stream=True)
        create_analytics_table(client, ANALYTICS_TABLE_NAME)
        yield


def create_table(client: DynamoDBClient, name: str, *, stream: bool = False) -> None:
    """Create the table from the same key schema and history index the CDK construct
    declares; with ``stream``, its stream as the analytics need it (old and new images)."""
    streams: dict[str, object] = (
        {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE}}
        if stream
        else {}
    )
    client.create_table(
        **streams,  # type: ignore[arg-type]
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in (
                table_keys.PARTITION_KEY,
                table_keys.SORT_KEY,
                table_keys.HISTORY_SORT_KEY,
            )
        ],
        KeySchema=[
            {"AttributeName": table_keys.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": table_keys.SORT_KEY, "KeyType": "RANGE"},
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": table_keys.HISTORY_INDEX,
                "KeySchema": [
                    {"AttributeName": table_keys.PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": table_keys.HISTORY_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def create_analytics_table(client: DynamoDBClient, name: str) -> None:
    """Create the analytics table with the key schema the CDK construct declares."""
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in (analytics_keys.PARTITION_KEY, analytics_keys.SORT_KEY)
        ],
        KeySchema=[
            {"AttributeName": analytics_keys.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": analytics_keys.SORT_KEY, "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
