"""The service's tables through one DynamoDB client: the calls every part of the store shares,
and the one client per process that every function uses (route functions, the aggregator)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from stats_api.dynamodb_calls import (
    call,
    created_during_init,
    from_attributes,
    new_client,
    to_attributes,
)
from stats_api.shared_names import ANALYTICS_TABLE_ENV, TABLE_NAME_ENV

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_GET_LIMIT = 100  # keys per BatchGetItem


class TableAccess:
    """One table of one client, in items as plain values (``from_attributes``)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.name = table_name

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        # Strongly consistent: a GET right after a 201 must include that session.
        response = call(
            self.client.get_item, TableName=self.name, Key=to_attributes(key), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else from_attributes(item)

    def batch_get(
        self, keys: list[dict[str, str]], *, consistent: bool
    ) -> Iterator[dict[str, Any]]:
        """The items of ``keys`` that exist, in no particular order, ``BATCH_GET_LIMIT`` keys
        a request, asking again for what DynamoDB leaves unprocessed."""
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: Any = {
                self.name: {
                    "Keys": [to_attributes(k) for k in keys[start : start + BATCH_GET_LIMIT]],
                    "ConsistentRead": consistent,
                }
            }
            while pending:
                response = call(self.client.batch_get_item, RequestItems=pending)
                yield from (from_attributes(i) for i in response["Responses"].get(self.name, []))
                pending = response.get("UnprocessedKeys") or None

    def transact(self, *items: dict[str, Any]) -> None:
        call(self.client.transact_write_items, TransactItems=list(items))

    def query(self, **request: Any) -> Any:
        """One Query page (the raw response: ``LastEvaluatedKey`` says whether more follow)."""
        return call(self.client.query, TableName=self.name, **request)

    def query_all(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item a Query finds, page after page."""
        request = dict(request)
        while True:
            response = self.query(**request)
            yield from (from_attributes(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@functools.cache
def dynamodb_client() -> DynamoDBClient:
    """The process's one client, created on first use and reused across invocations."""
    return new_client()


@functools.cache
def default_table() -> TableAccess:
    """The sessions table, as the handlers use it."""
    return TableAccess(dynamodb_client(), os.environ[TABLE_NAME_ENV])


@functools.cache
def analytics_table() -> TableAccess:
    """The course analytics table, where analytics are on."""
    return TableAccess(dynamodb_client(), os.environ[ANALYTICS_TABLE_ENV])


if created_during_init(os.environ):
    # SnapStart or provisioned concurrency: create it during init, in the snapshot.
    dynamodb_client()
