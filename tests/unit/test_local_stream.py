"""The local run's stand-in for the stream's event source mappings: each consumer gets every
record once, from its own position, as Lambda shapes it; a batch item failure is delivered
again from that record; a record goes once every consumer took it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from local_run.emulator import item_level_rollback
from local_run.stream import StreamPump
from stats_devkit.tables import create_table

TABLE = "stats-stream"
REGION = "us-east-1"


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws(), item_level_rollback():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, TABLE, stream=True)
        yield client


def put(client: Any, name: str) -> None:
    client.put_item(TableName=TABLE, Item={"userId": {"S": "learner"}, "sessionId": {"S": name}})


def names(records: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["Keys"]["sessionId"]["S"] for r in records]


class Consumer:
    """Takes batches, or reports the named records failed (once each)."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.records: list[dict[str, Any]] = []
        self.failing = set(failing or ())

    def __call__(self, event: dict[str, Any], _: Any) -> dict[str, Any]:
        batch = event["Records"]
        failed = next((r for r in batch if names([r])[0] in self.failing), None)
        if failed is None:
            self.records += batch
            return {"batchItemFailures": []}
        self.failing.discard(names([failed])[0])
        self.records += batch[: batch.index(failed)]
        return {"batchItemFailures": [{"itemIdentifier": failed["dynamodb"]["SequenceNumber"]}]}


def stream_items() -> list[Any]:
    (table,) = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables.values()
    assert table.stream_shard is not None
    return list(table.stream_shard.items)


def test_should_hand_every_record_to_each_consumer_once(client: Any) -> None:
    first, second = Consumer(), Consumer()
    pump = StreamPump(TABLE, {"first": first, "second": second}, REGION)
    put(client, "a")
    put(client, "b")
    assert pump.pump() == 4
    put(client, "c")
    assert pump.pump() == 2
    assert pump.pump() == 0
    assert names(first.records) == names(second.records) == ["a", "b", "c"]


def test_should_deliver_again_from_the_first_record_a_consumer_reported_failed(
    client: Any,
) -> None:
    stubborn, easy = Consumer(failing={"b"}), Consumer()
    pump = StreamPump(TABLE, {"stubborn": stubborn, "easy": easy}, REGION)
    for name in "abc":
        put(client, name)
    pump.pump()
    assert names(stubborn.records) == ["a"]
    assert pump.failures == ["stubborn took 1 of 3 records, retrying"]
    assert len(stream_items()) == 2  # b and c: the stubborn consumer has not taken them
    pump.pump()
    assert names(stubborn.records) == ["a", "b", "c"]
    assert names(easy.records) == ["a", "b", "c"]
    assert stream_items() == []


def test_should_shape_records_as_lambda_delivers_them(client: Any) -> None:
    consumer = Consumer()
    put(client, "a")
    pump = StreamPump(TABLE, {"one": consumer}, REGION)
    pump.pump()
    (record,) = consumer.records
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["eventSourceARN"].startswith(
        f"arn:aws:dynamodb:{REGION}:{DEFAULT_ACCOUNT_ID}:table/{TABLE}/stream/"
    )
