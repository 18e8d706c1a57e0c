"""A bus on moto with a consumer: a rule sending this service's events to a queue, as a
platform team's subscriber would read them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from stats_api.learning_events import SOURCE


@dataclass(frozen=True)
class ConsumedBus:
    events: Any  # an EventBridge client
    sqs: Any
    queue_url: str

    def received(self) -> list[dict[str, Any]]:
        """The events the consumer's queue holds now (each taken once)."""
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        return [json.loads(message["Body"]) for message in answer.get("Messages", [])]


@contextmanager
def consumed_bus(name: str, region: str = "us-east-1") -> Iterator[ConsumedBus]:
    """The bus ``name`` with its consumer, inside an active moto mock."""
    events = boto3.client("events", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    events.create_event_bus(Name=name)
    queue = sqs.create_queue(QueueName=f"{name}-consumer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.put_rule(
        Name="consumer", EventBusName=name, EventPattern=json.dumps({"source": [SOURCE]})
    )
    events.put_targets(
        Rule="consumer",
        EventBusName=name,
        Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
    )
    yield ConsumedBus(events, sqs, queue)
