"""The embedded DynamoDB's memory adaptations (local_run.emulator): moto's model instances are
tracked only while alive (``live_instances_only``), and the stream pump's shard iterators
are forgotten once read (``forget_shard_iterators``), so a local run that writes and deletes
holds no more than its data. Fails if a moto release changes what they rely on (run on the
pinned moto, as the local run is)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord
from moto.dynamodbstreams.models import ShardIterator, dynamodbstreams_backends

from local_run.emulator import (
    MotoChanged,
    item_level_rollback,
    live_instances_only,
)
from local_run.stream import StreamPump
from stats_devkit.tables import create_table

TABLE = "stats-emulator-memory"
REGION = "us-east-1"
ROUNDS = 50


def tracked(model: Any) -> Any:
    """A moto model's instance list (set on each model class by moto's metaclass)."""
    return vars(model)["instances_tracked"]


def session(number: int) -> dict[str, Any]:
    return {
        "userId": {"S": "learner-1"},
        "sessionId": {"S": f"s{number:04}"},
        "courseId": {"S": "algebra-1"},
        "courseCompletedAt": {"S": f"algebra-1#2026-01-01T00:00:{number % 60:02}Z#s{number:04}"},
    }


def write_and_delete(client: Any, rounds: int) -> None:
    """What a POST + DELETE loop leaves moto: writes, reads and deletes, each round's item
    gone at its end (one item stays, so the table is never empty)."""
    client.put_item(TableName=TABLE, Item=session(9_999))
    for number in range(rounds):
        client.transact_write_items(
            TransactItems=[{"Put": {"TableName": TABLE, "Item": session(number)}}]
        )
        client.get_item(
            TableName=TABLE, Key={k: session(number)[k] for k in ("userId", "sessionId")}
        )
        client.query(
            TableName=TABLE,
            KeyConditionExpression="userId = :u",
            ExpressionAttributeValues={":u": {"S": "learner-1"}},
        )
        client.delete_item(
            TableName=TABLE, Key={k: session(number)[k] for k in ("userId", "sessionId")}
        )


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE)
        yield dynamodb


def live(model: Any) -> int:
    gc.collect()
    return len(tracked(model))


def test_should_keep_no_item_alive_that_the_table_no_longer_holds(client: Any) -> None:
    with live_instances_only():
        write_and_delete(client, ROUNDS)
        # The one item the table holds (and nothing else moto built along the way).
        assert live(Item) == 1
        assert [item.range_key.value for item in tracked(Item)] == ["s9999"]


def test_should_show_moto_itself_keeps_every_item_it_built(client: Any) -> None:
    # What the adaptation is for: without it, each round leaves items behind for ever.
    write_and_delete(client, ROUNDS)
    assert live(Item) > 3 * ROUNDS


def test_should_hand_moto_back_its_lists_afterwards(client: Any) -> None:
    with live_instances_only():
        client.put_item(TableName=TABLE, Item=session(1))
    assert isinstance(tracked(Item), list)
    assert [item.range_key.value for item in tracked(Item)] == ["s0001"]
    client.put_item(TableName=TABLE, Item=session(2))  # moto tracks as before
    assert len(tracked(Item)) == 2


def test_should_refuse_to_start_when_moto_tracks_instances_another_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(Item, "instances_tracked")
    with pytest.raises(MotoChanged, match="instances_tracked"), live_instances_only():
        pass


def test_should_forget_stream_records_and_shard_iterators_the_pump_read() -> None:
    with mock_aws(), item_level_rollback(), live_instances_only():
        client: Any = boto3.client("dynamodb")
        create_table(client, TABLE, stream=True)
        delivered: list[dict[str, Any]] = []
        pump = StreamPump(
            TABLE, {"tap": lambda event, _: delivered.extend(event["Records"])}, REGION
        )
        for number in range(ROUNDS):
            client.put_item(TableName=TABLE, Item=session(number))
            client.delete_item(
                TableName=TABLE, Key={k: session(number)[k] for k in ("userId", "sessionId")}
            )
            pump.pump()
        iterators = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators
        assert iterators == {}
        assert live(ShardIterator) == 0
        assert live(StreamRecord) == 0
    assert len(delivered) == 2 * ROUNDS


def test_should_show_moto_itself_keeps_every_shard_iterator() -> None:
    with mock_aws():
        client: Any = boto3.client("dynamodb")
        create_table(client, TABLE, stream=True)
        streams: Any = boto3.client(
            "dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
        )
        arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        for _ in range(3):
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            streams.get_records(ShardIterator=iterator)
        # Each read: the iterator taken and the next one moto hands back.
        assert len(dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators) == 6
