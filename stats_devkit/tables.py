"""The service's tables on a local DynamoDB (moto: the local run, the tests, the
benchmarks), created from the same schemas the CDK construct deploys
(``table_keys.SCHEMA``, ``analytics_keys.SCHEMA``); ``tests/infrastructure/
test_table_schemas.py`` holds the two renderings to each other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stats_api import analytics_keys, table_keys
from stats_api.table_schema import TableSchema

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def create_table(client: DynamoDBClient, name: str, *, stream: bool = False) -> None:
    """The sessions table; with ``stream``, its stream as the analytics read it."""
    client.create_table(**create_table_request(table_keys.SCHEMA, name, stream=stream))


def create_analytics_table(client: DynamoDBClient, name: str) -> None:
    client.create_table(**create_table_request(analytics_keys.SCHEMA, name, stream=False))


def create_table_request(schema: TableSchema, name: str, *, stream: bool) -> dict[str, Any]:
    """DynamoDB's CreateTable request for ``schema``, on demand."""
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in schema.key_attributes
        ],
        "KeySchema": _key_schema(schema.partition_key, schema.sort_key),
        "BillingMode": "PAY_PER_REQUEST",
    }
    if schema.local_indexes:
        request["LocalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(schema.partition_key, index.sort_key),
                "Projection": {"ProjectionType": index.projection},
            }
            for index in schema.local_indexes
        ]
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": schema.stream_view_type,
        }
    return request


def _key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": partition_key, "KeyType": "HASH"},
        {"AttributeName": sort_key, "KeyType": "RANGE"},
    ]
