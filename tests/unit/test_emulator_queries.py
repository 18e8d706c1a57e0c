"""The embedded DynamoDB's Query adaptation (local_run.emulator.partition_queries): a Query
reads only the partition it names, and answers exactly what moto itself answers on the same
data, page after page: order, key conditions, the local index, Limit and
ExclusiveStartKey, ScanIndexForward, filters, projections, counts. Fails if a moto release
changes what the adaptation relies on (run on the pinned moto, as the local run is)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from local_run.emulator import MotoChanged, partition_queries
from stats_api import table_keys
from stats_devkit.tables import create_table

TABLE = "stats-emulator-queries"
USERS = [f"learner-{n}" for n in range(4)]
COURSES = ("algebra-1", "biology-2")
SESSIONS_PER_USER = 9
LIMITS = (None, 1, 2, 4)

USER, INDEX, HISTORY = table_keys.PARTITION_KEY, table_keys.HISTORY_INDEX, "#history"


def _items() -> list[dict[str, Any]]:
    """Several partitions, each with sessions of two courses, completed out of session-id
    order, and the courses' aggregates (which the index does not hold)."""
    items: list[dict[str, Any]] = []
    for u, user in enumerate(USERS):
        for n in range(SESSIONS_PER_USER):
            course = COURSES[n % 2]
            session_id = f"s{(n * 7 + u) % SESSIONS_PER_USER:02}-{u}"
            completed = f"2026-01-{1 + (n * 5) % SESSIONS_PER_USER:02}T00:00:00Z"
            items.append(
                {
                    USER: {"S": user},
                    table_keys.SORT_KEY: {"S": session_id},
                    "courseId": {"S": course},
                    "minutes": {"N": str(n * 3 + u)},
                    table_keys.HISTORY_SORT_KEY: {
                        "S": table_keys.history_key(course, completed, session_id)
                    },
                }
            )
        for course in COURSES:
            items.append(
                {
                    USER: {"S": user},
                    table_keys.SORT_KEY: {"S": table_keys.COURSE_STATS_PREFIX + course},
                    "courseId": {"S": course},
                    "minutes": {"N": "100"},
                }
            )
    return items


def _values(**values: str) -> dict[str, Any]:
    return {f":{name}": {"S": value} for name, value in values.items()}


# Each a Query request (without TableName, Limit, ExclusiveStartKey), as the routes and
# the tests' reads send them, and a few more shapes.
REQUESTS: dict[str, dict[str, Any]] = {
    "partition": {
        "KeyConditionExpression": f"{USER} = :u",
        "ExpressionAttributeValues": _values(u=USERS[1]),
    },
    "newest first": {
        "KeyConditionExpression": f"{USER} = :u",
        "ExpressionAttributeValues": _values(u=USERS[2]),
        "ScanIndexForward": False,
    },
    "begins_with (GET /courses)": {
        "KeyConditionExpression": f"{USER} = :u AND begins_with(sessionId, :p)",
        "ExpressionAttributeValues": _values(u=USERS[0], p=table_keys.COURSE_STATS_PREFIX),
        "ConsistentRead": True,
    },
    "between": {
        "KeyConditionExpression": f"{USER} = :u AND sessionId BETWEEN :a AND :b",
        "ExpressionAttributeValues": _values(u=USERS[3], a="s02", b="s06~"),
    },
    **{
        f"sort key {operator}": {
            "KeyConditionExpression": f"{USER} = :u AND sessionId {operator} :a",
            "ExpressionAttributeValues": _values(u=USERS[1], a="s04-1"),
            "ScanIndexForward": forward,
        }
        for operator, forward in (("<", True), ("<=", False), (">", False), (">=", True))
    },
    "local index, a course's window (a sessions page)": {
        "IndexName": INDEX,
        "KeyConditionExpression": f"{USER} = :u AND {HISTORY} BETWEEN :low AND :high",
        "ExpressionAttributeNames": {HISTORY: table_keys.HISTORY_SORT_KEY},
        "ExpressionAttributeValues": _values(
            u=USERS[2],
            **dict(
                zip(("low", "high"), table_keys.history_range(COURSES[0], None, None), strict=True)
            ),
        ),
        "ScanIndexForward": False,
        "ConsistentRead": True,
    },
    "local index, whole partition": {
        "IndexName": INDEX,
        "KeyConditionExpression": f"{USER} = :u",
        "ExpressionAttributeValues": _values(u=USERS[0]),
    },
    "local index, begins_with": {
        "IndexName": INDEX,
        "KeyConditionExpression": f"{USER} = :u AND begins_with({HISTORY}, :p)",
        "ExpressionAttributeNames": {HISTORY: table_keys.HISTORY_SORT_KEY},
        "ExpressionAttributeValues": _values(u=USERS[3], p=COURSES[1] + "#"),
    },
    "filter and projection": {
        "KeyConditionExpression": f"{USER} = :u",
        "FilterExpression": "courseId = :c",
        "ProjectionExpression": "sessionId, minutes",
        "ExpressionAttributeValues": _values(u=USERS[1], c=COURSES[1]),
    },
    "count": {
        "KeyConditionExpression": f"{USER} = :u",
        "ExpressionAttributeValues": _values(u=USERS[2]),
        "Select": "COUNT",
    },
    "a partition nobody has": {
        "KeyConditionExpression": f"{USER} = :u",
        "ExpressionAttributeValues": _values(u="nobody"),
    },
    "legacy KeyConditions": {
        "KeyConditions": {
            USER: {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": USERS[3]}]},
            "sessionId": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "s0"}]},
        },
    },
}


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE)
        for item in _items():
            dynamodb.put_item(TableName=TABLE, Item=item)
        yield dynamodb


def every_page(client: Any, request: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
    """Each page's answer (metadata left out), following LastEvaluatedKey to the end."""
    pages: list[dict[str, Any]] = []
    request = {"TableName": TABLE, **request, **({"Limit": limit} if limit else {})}
    while True:
        page = client.query(**request)
        page.pop("ResponseMetadata")
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.parametrize("name", REQUESTS)
def test_should_answer_every_query_as_moto_does(client: Any, name: str) -> None:
    request = REQUESTS[name]
    moto_pages = {limit: every_page(client, request, limit) for limit in LIMITS}
    with partition_queries():
        adapted_pages = {limit: every_page(client, request, limit) for limit in LIMITS}
    assert adapted_pages == moto_pages
    assert any(page.get("Count") for pages in moto_pages.values() for page in pages) or (
        name == "a partition nobody has"
    )


def test_should_refuse_an_unknown_index_as_moto_does(client: Any) -> None:
    request = {"IndexName": "noSuchIndex", **REQUESTS["partition"]}
    with pytest.raises(client.exceptions.ClientError) as moto_error:
        client.query(TableName=TABLE, **request)
    with partition_queries(), pytest.raises(client.exceptions.ClientError) as adapted_error:
        client.query(TableName=TABLE, **request)
    assert adapted_error.value.response["Error"] == moto_error.value.response["Error"]


def test_should_leave_a_global_index_query_to_moto() -> None:
    # A global index spans partitions: the adaptation must not narrow its Query.
    with mock_aws():
        dynamodb: Any = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "course")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byCourse",
                    "KeySchema": [{"AttributeName": "course", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(12):
            item = {"pk": f"p{n % 4}", "sk": f"s{n:02}", "course": f"c{n % 3}"}
            dynamodb.put_item(TableName=TABLE, Item={k: {"S": v} for k, v in item.items()})
        request = {
            "IndexName": "byCourse",
            "KeyConditionExpression": "course = :c",
            "ExpressionAttributeValues": _values(c="c1"),
        }
        moto_pages = every_page(dynamodb, request, 2)
        with partition_queries():
            adapted_pages = every_page(dynamodb, request, 2)

    assert adapted_pages == moto_pages
    # Across partitions: every item of the course, whichever partition holds it.
    found = {item["sk"]["S"] for page in moto_pages for item in page["Items"]}
    assert found == {f"s{n:02}" for n in range(12) if n % 3 == 1}


def test_should_answer_a_table_without_sort_key_as_moto_does() -> None:
    with mock_aws():
        dynamodb: Any = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(5):
            dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"p{n}"}, "n": {"N": str(n)}})
        request = {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": _values(p="p3"),
        }
        moto_pages = every_page(dynamodb, request, None)
        with partition_queries():
            adapted_pages = every_page(dynamodb, request, None)

    assert adapted_pages == moto_pages
    assert moto_pages[0]["Items"] == [{"pk": {"S": "p3"}, "n": {"N": "3"}}]


def test_should_compare_the_keys_of_the_partition_not_of_the_table(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto sorts every item of the table for each Query: the adapted Query sorts its
    # partition's. Counted in key comparisons, which grow with what a Query reads.
    for n in range(2_000):
        client.put_item(
            TableName=TABLE, Item={USER: {"S": f"other-{n:05}"}, "sessionId": {"S": "s"}}
        )
    comparisons = 0
    moto_less_than = DynamoType.__lt__

    def counted(self: DynamoType, other: DynamoType) -> bool:
        nonlocal comparisons
        comparisons += 1
        return moto_less_than(self, other)

    monkeypatch.setattr(DynamoType, "__lt__", counted)
    for request in (REQUESTS["partition"], REQUESTS["local index, whole partition"]):
        comparisons = 0
        client.query(TableName=TABLE, **request)
        moto_comparisons = comparisons
        comparisons = 0
        with partition_queries():
            client.query(TableName=TABLE, **request)
        # The partition holds 11 items of the table's 2,044.
        assert comparisons * 50 < moto_comparisons
        assert comparisons < 200


def test_should_give_moto_back_its_own_query_afterwards() -> None:
    original = Table.query
    with partition_queries():
        assert Table.query is not original
        assert Table.query.__wrapped__ is original  # type: ignore[attr-defined]
    assert Table.query is original


def test_should_refuse_to_start_when_moto_finds_query_items_another_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def query(
        self: Table, hash_key: Any, index_name: Any = None, hash_key_conditions: Any = None
    ) -> Any:
        return [item for item in self.items.values()]

    monkeypatch.setattr(Table, "query", query)
    with pytest.raises(MotoChanged, match="all_items"), partition_queries():
        pass


def test_should_refuse_to_start_when_query_takes_other_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = inspect.getsource(Table.query)
    assert "self.all_items()" in source  # what the adaptation relies on, on the pinned moto

    def query(self: Table, partition: Any) -> Any:
        return self.all_items()

    monkeypatch.setattr(Table, "query", query)
    with pytest.raises(MotoChanged), partition_queries():
        pass
