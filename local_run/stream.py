"""The local stand-in for the sessions table's stream and its event source mappings: moto
records each write in the table's stream (DynamoDB Streams), and the pump hands new records
to each consumer's deployed handler (the analytics aggregator, the learning events'
publisher), as Lambda's mappings would: in batches, in order per shard, each consumer from
its own position, records shaped as Lambda delivers them.

The pump runs under the gateway's lock like any invocation (moto is not safe under
concurrent calls), every ``PUMP_INTERVAL`` seconds, so the consumers lag a write by at most
that plus one invocation.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Mapping
from typing import Any

import boto3

from local_run.emulator import forget_delivered, forget_shard_iterators
from local_run.events import LambdaContext

PUMP_INTERVAL = 0.2  # seconds: consumers see a write well within a second
BATCH_SIZE = 100  # records per invocation, as the deployed mappings' batch sizes allow

StreamHandler = Callable[[dict[str, Any], Any], Any]


class StreamPump:
    """Reads a table's stream from its start and delivers every new record once, in order
    per shard, to each of ``consumers`` (by name)."""

    def __init__(
        self, table_name: str, consumers: Mapping[str, StreamHandler], region: str
    ) -> None:
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
        self._consumers = dict(consumers)
        # (consumer, shard id) -> the last sequence number that consumer took
        self._positions: dict[tuple[str, str], str] = {}
        self.failures: list[str] = []  # what each failed invocation raised, for the log

    def pump_and_report(self) -> list[str]:
        """One ``pump``, and what failed in it (for the log)."""
        self.pump()
        reports, self.failures = self.failures, []
        return reports

    def pump(self) -> int:
        """Deliver what each consumer has not taken yet, shard by shard, in order,
        ``BATCH_SIZE`` per invocation; how many records were taken. A consumer moves past a
        record only once its handler took it: a batch that raised, or the records from the
        first one it reported failed (``batchItemFailures``), are delivered again next time,
        as Lambda retries them. A record every consumer took is dropped."""
        taken = 0
        description = self._streams.describe_stream(StreamArn=self._stream_arn)
        for shard in description["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            for name, handler in self._consumers.items():
                taken += self._deliver(name, handler, shard_id)
            positions = [self._positions.get((name, shard_id)) for name in self._consumers]
            if all(positions):
                # Taken by all: nobody reads it again, and moto would keep it for ever.
                oldest = min(positions, key=lambda position: int(str(position)))
                forget_delivered(self._table_name, self._region, str(oldest))
        return taken

    def _deliver(self, name: str, handler: StreamHandler, shard_id: str) -> int:
        records = self._records_after(shard_id, self._positions.get((name, shard_id)))
        taken = 0
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            try:
                answer = handler({"Records": batch}, LambdaContext())
            except Exception as error:  # as Lambda would: retry the batch later
                self.failures.append(f"{name} failed, retrying: {error!r}")
                return taken
            done = _taken_of(batch, answer)
            if done:
                self._positions[(name, shard_id)] = batch[done - 1]["dynamodb"]["SequenceNumber"]
                taken += done
            if done < len(batch):
                self.failures.append(f"{name} took {done} of {len(batch)} records, retrying")
                return taken
        return taken

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
        return [_as_lambda_delivers(record, self._stream_arn) for record in records]


def run_in_background(stop: threading.Event, *steps: Callable[[], list[str]]) -> threading.Thread:
    """Run each of ``steps`` every ``PUMP_INTERVAL`` seconds until ``stop`` is set, printing
    what each reports (a failure: retried at the next run, as Lambda retries). A step takes
    the gateway's lock itself around its calls into moto."""

    def loop() -> None:
        while not stop.wait(PUMP_INTERVAL):
            for step in steps:
                try:
                    reports = step()
                except Exception as error:  # the stream or a queue: read again next time
                    reports = [f"{getattr(step, '__name__', 'a pump')} failed, retrying: {error!r}"]
                for report in reports:
                    print(report, flush=True)

    thread = threading.Thread(target=loop, name="pumps", daemon=True)
    thread.start()
    return thread


def _taken_of(batch: list[dict[str, Any]], answer: Any) -> int:
    """How many records of ``batch`` the handler took: all of them, or those before the
    first it reported failed."""
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return len(batch)
    failed = {str(failure["itemIdentifier"]) for failure in failures}
    # An identifier naming no record of the batch fails the whole batch, as Lambda reads it.
    return next(
        (
            index
            for index, record in enumerate(batch)
            if record["dynamodb"]["SequenceNumber"] in failed
        ),
        0,
    )


def _as_lambda_delivers(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record as Lambda hands it to a function: the record's time in whole seconds since
    the epoch (boto3 parses it to a datetime), and the stream's ARN.
    https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html"""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime.datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}
