"""The service's table through one DynamoDB client: the calls every part of the store shares,
and the one client per process that the handlers use."""

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
from stats_api.shared_names import TABLE_NAME_ENV

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


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
def default_table() -> TableAccess:
    """The table the handlers use, its client created on first use and reused across
    invocations."""
    return TableAccess(new_client(), os.environ[TABLE_NAME_ENV])


if created_during_init(os.environ):
    # SnapStart or provisioned concurrency: create it during init, in the snapshot.
    default_table()
