"""Reads that must see every answer of a Query: DynamoDB stops an answer at 1 MB and hands
back a ``LastEvaluatedKey``, and the store asks again from there until there is none, each
time strongly consistent (moto ignores the setting, so it is checked on the request).

moto answers a small table in one go, so here the first answer is cut short by hand: the
store's first Query gets part of the real items with the key of the last one, and its
next Query reaches the table from that key."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from stats_api import table_keys
from stats_api.table_access import default_table
from stats_devkit.store_probe import StoreProbe
from stats_tools.erasure import learner_keys
from tests.support.handler_client import (
    TABLE,
    USER,
    fetch_course_stats,
    record,
    session_body,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

DAY = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
SCORES = (10, 20, 30, 40, 50)


def first_answer_cut_after(items: list[dict[str, Any]], count: int, *keys: str) -> dict[str, Any]:
    """DynamoDB's answer when its 1 MB limit falls after ``count`` of ``items``."""
    shown = items[:count]
    return {
        "Items": shown,
        "Count": count,
        "ScannedCount": count,
        "LastEvaluatedKey": {name: shown[-1][name] for name in keys},
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }


def test_should_sum_every_answer_of_a_window_longer_than_one_query_answer(
    dynamodb: Any, store_probe: StoreProbe
) -> None:
    for hours, score in enumerate(SCORES):
        completed = (DAY + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = session_body(averageScore=score, completedAt=completed)
        assert record(body=body).status == 201
    in_window = dynamodb.query(
        TableName=TABLE,
        IndexName=table_keys.HISTORY_INDEX,
        KeyConditionExpression="userId = :user",
        ExpressionAttributeValues={":user": {"S": USER}},
        ConsistentRead=True,
    )["Items"]
    keys = (table_keys.PARTITION_KEY, table_keys.SORT_KEY, table_keys.HISTORY_SORT_KEY)
    cut = first_answer_cut_after(in_window, 2, *keys)
    store_probe.reset()
    store_probe.answer_next("Query", cut)

    response = fetch_course_stats(query={"since": DAY.strftime("%Y-%m-%dT%H:%M:%SZ")})

    assert response.status == 200, response.body
    assert response.body["sessionCount"] == len(SCORES)
    assert response.body["averageScore"] == sum(SCORES) / len(SCORES)
    assert [call.params.get("ExclusiveStartKey") for call in store_probe.calls] == [
        None,
        cut["LastEvaluatedKey"],
    ]
    assert [call.params["ConsistentRead"] for call in store_probe.calls] == [True, True]


def test_should_list_every_item_of_a_learner_longer_than_one_query_answer(
    dynamodb: Any, store_probe: StoreProbe
) -> None:
    for course in ("a", "b", "c"):
        assert record(course, body=session_body()).status == 201
    everything = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="userId = :user",
        ProjectionExpression="userId, sessionId",  # as the store asks
        ExpressionAttributeValues={":user": {"S": USER}},
        ConsistentRead=True,
    )["Items"]
    cut = first_answer_cut_after(everything, 2, table_keys.PARTITION_KEY, table_keys.SORT_KEY)
    store_probe.reset()
    store_probe.answer_next("Query", cut)

    keys = list(learner_keys(default_table(), USER))

    assert sorted(key[table_keys.SORT_KEY] for key in keys) == sorted(
        item[table_keys.SORT_KEY]["S"] for item in everything
    )
    assert [call.params.get("ExclusiveStartKey") for call in store_probe.calls] == [
        None,
        cut["LastEvaluatedKey"],
    ]
    assert [call.params["ConsistentRead"] for call in store_probe.calls] == [True, True]
