"""The embedded DynamoDB: moto's in-memory backend with the service's table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stats_api import table_keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def create_table(client: DynamoDBClient, name: str) -> None:
    """Create the table from the same key schema the CDK construct declares."""
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": table_keys.PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": table_keys.SORT_KEY, "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": table_keys.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": table_keys.SORT_KEY, "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
