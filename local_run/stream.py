"""The local stand-in for the sessions table's stream and its event source mapping: moto
records each write in the table's stream (DynamoDB Streams), and the pump hands new
records to the deployed aggregator handler, as Lambda's mapping would, in batches.

The pump runs under the gateway's lock like any invocation (moto is not safe under
concurrent calls), every ``PUMP_INTERVAL`` seconds, so the local analytics lag a write by
at most that plus one invocation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3

from local_run.emulator import forget_delivered, forget_shard_iterators
from local_run.events import LambdaContext

PUMP_INTERVAL = 0.2  # seconds: analytics answer well within a second of a write
BATCH_SIZE = 100  # records per invocation, as the deployed mapping's batch size allows

StreamHandler = Callable[[dict[str, Any], Any], Any]


class StreamPump:
    """Reads a table's stream from its start and delivers every new record once, in order
    per shard, to ``handler``."""

    def __init__(self, table_name: str, handler: StreamHandler, region: str) -> None:
        self._table_name, self._region = table_name, region
        dynamodb = boto3.client("dynamodb", region_name=region)
        self._stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        # botocore sends stream calls to an account-based endpoint
        # (<account>.streams-ddb.<region>...) that moto does not intercept: name the
        # regional one, which moto serves.
        self._streams: Any = boto3.client(
            "dynamodbstreams",
            region_name=region,
            endpoint_url=f"https://streams.dynamodb.{region}.amazonaws.com",
        )
        self._handler = handler
        self._positions: dict[str, str] = {}  # shard id -> last sequence number delivered

    def pump(self) -> int:
        """Deliver every record written since the last delivery, shard by shard, in order,
        ``BATCH_SIZE`` per invocation; how many. A shard's position moves past a batch only
        once the handler took it, so a failed batch is delivered again (as Lambda retries)."""
        delivered = 0
        description = self._streams.describe_stream(StreamArn=self._stream_arn)
        for shard in description["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            records = self._records_after(shard_id, self._positions.get(shard_id))
            for start in range(0, len(records), BATCH_SIZE):
                batch = records[start : start + BATCH_SIZE]
                self._handler({"Records": batch}, LambdaContext())
                position = batch[-1]["dynamodb"]["SequenceNumber"]
                self._positions[shard_id] = position
                # Taken: nobody reads it again, and moto would keep it for ever.
                forget_delivered(self._table_name, self._region, position)
                delivered += len(batch)
        return delivered

    def _records_after(self, shard_id: str, position: str | None) -> list[dict[str, Any]]:
        where = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
            if position
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard_id, **where
        )["ShardIterator"]
        try:
            records = self._streams.get_records(ShardIterator=iterator)["Records"]
        finally:
            # Read once: the next pump takes a new one, and moto would keep both for ever.
            forget_shard_iterators(self._region)
        return [dict(record) for record in records]

    def run_in_background(self, lock: threading.Lock, stop: threading.Event) -> threading.Thread:
        """Pump every ``PUMP_INTERVAL`` seconds until ``stop`` is set, holding ``lock``."""

        def loop() -> None:
            while not stop.wait(PUMP_INTERVAL):
                with lock:
                    try:
                        self.pump()
                    except Exception as error:  # as Lambda would: retry the batch later
                        print(f"analytics aggregator failed, retrying: {error!r}")

        thread = threading.Thread(target=loop, name="stream-pump", daemon=True)
        thread.start()
        return thread
