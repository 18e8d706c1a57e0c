"""The local stand-in for learning events, through the same code as on AWS: the deployed
publisher (fed by the stream pump) puts them on a bus of moto's EventBridge; each event the
bus took is kept for ``GET /local/events`` (the recent ones, oldest first; read from
PutEvents' answers, ``emulator.tapped_bus``: moto's rule targets are far too slow for a
seeded table's thousands of events); and with ``LRS_ENDPOINT``,
``LRS_USERNAME`` and ``LRS_PASSWORD``, the LRS's rule fills a queue that this pump hands to
the deployed forwarder, 10 messages a batch, as the event source mapping does, with the
credentials in moto's Secrets Manager. Messages the forwarder does not deliver come back
after ``VISIBILITY_SECONDS``, and after ``lrs_delivery.MAX_RECEIVES`` go to the dead letters.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3

from local_run.emulator import tapped_bus
from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from local_run.local_lrs import LocalLrs
from local_run.messages import HttpRequest, HttpResponse, json_response
from local_run.stream import StreamPump, run_in_background
from stats_api import shared_names
from stats_api.learning_events import EVENT_KINDS, SOURCE

BUS_NAME = "stats-local-events"
RECENT_EVENTS = 1000  # what GET /local/events keeps, the oldest dropped first
VISIBILITY_SECONDS = 5  # locally, a failed delivery is tried again within seconds
MAX_RECEIVES = 10  # as lrs_delivery.MAX_RECEIVES (the construct's; not imported: no CDK here)
BATCH_SIZE = 10  # messages per forwarder invocation, as the deployed mapping

QueueHandler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalBus:
    """The bus and its consumers on moto (created by ``running``, inside ``mock_aws``)."""

    region: str
    lrs: LocalLrs | None
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))
    failures: list[str] = field(default_factory=list)  # for the log
    _queues: dict[str, str] = field(default_factory=dict)  # name -> URL

    @contextmanager
    def running(self, environ: MutableMapping[str, str]) -> Iterator[LocalBus]:
        """The bus, keeping what it takes for as long as the block runs (``start``)."""
        with tapped_bus(BUS_NAME, self.recent.append):
            self.start(environ)
            yield self

    def start(self, environ: MutableMapping[str, str]) -> None:
        """Create the bus, and with an LRS its rule, queue, dead letters and secret; point
        the functions' settings (``environ``) at them."""
        events = boto3.client("events", region_name=self.region)
        events.create_event_bus(Name=BUS_NAME)
        environ[shared_names.EVENT_BUS_NAME_ENV] = BUS_NAME
        if self.lrs is None:
            return
        sqs = boto3.client("sqs", region_name=self.region)
        dead_letters = self._queue(sqs, "lrs-dead-letters", {})
        self._subscribe(
            events,
            "lrs",
            {"source": [SOURCE], "detail-type": list(EVENT_KINDS)},
            attributes={
                "VisibilityTimeout": str(VISIBILITY_SECONDS),
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": _arn(sqs, dead_letters),
                        "maxReceiveCount": MAX_RECEIVES,
                    }
                ),
            },
        )
        credentials = {
            "username": self.lrs.endpoint.username,
            "password": self.lrs.endpoint.password,
        }
        secret = boto3.client("secretsmanager", region_name=self.region).create_secret(
            Name="stats-local-lrs", SecretString=json.dumps(credentials)
        )
        environ.update(
            {
                shared_names.LRS_STATEMENTS_URL_ENV: self.lrs.endpoint.statements_url,
                shared_names.LRS_CREDENTIALS_SECRET_ENV: secret["ARN"],
                shared_names.LRS_ACTOR_HOME_PAGE_ENV: self.lrs.profile.actor_home_page,
                shared_names.LRS_COURSE_IRI_TEMPLATE_ENV: self.lrs.profile.course_iri_template,
            }
        )

    def forward(self, forwarder: QueueHandler, lock: Any) -> int:
        """Hand the LRS queue's messages to ``forwarder`` (a batch at a time), deleting the
        ones it delivered; how many. moto is called under ``lock``; the forwarder runs
        outside it, so a slow LRS never holds up the API."""
        if self.lrs is None:
            return 0
        with lock:
            messages = self._receive("lrs")
        if not messages:
            return 0
        answer = forwarder(
            {"Records": [self._as_lambda_delivers(m) for m in messages]}, LambdaContext()
        )
        failed = {str(f["itemIdentifier"]) for f in (answer or {}).get("batchItemFailures", [])}
        with lock:
            for message in messages:
                if message["MessageId"] not in failed:
                    self._delete("lrs", message)
        if failed:
            self.failures.append(
                f"LRS forwarder delivered {len(messages) - len(failed)} of {len(messages)} "
                f"events; the rest come back in {VISIBILITY_SECONDS} s"
            )
        return len(messages) - len(failed)

    def events_route(self) -> Callable[[HttpRequest], HttpResponse]:
        """``GET /local/events``: the recent events, as a rule's target receives them."""
        return lambda _request: json_response(200, list(self.recent))

    def _subscribe(
        self,
        events: Any,
        name: str,
        pattern: dict[str, Any],
        attributes: dict[str, str] | None = None,
    ) -> None:
        sqs = boto3.client("sqs", region_name=self.region)
        url = self._queue(sqs, f"stats-local-{name}", attributes or {})
        self._queues[name] = url
        events.put_rule(Name=name, EventBusName=BUS_NAME, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=name, EventBusName=BUS_NAME, Targets=[{"Id": name, "Arn": _arn(sqs, url)}]
        )

    def _queue(self, sqs: Any, name: str, attributes: dict[str, str]) -> str:
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    def _receive(self, name: str) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=self.region)
        answer = sqs.receive_message(
            QueueUrl=self._queues[name],
            MaxNumberOfMessages=BATCH_SIZE,
            AttributeNames=["All"],
        )
        return list(answer.get("Messages", []))

    def _delete(self, name: str, message: dict[str, Any]) -> None:
        boto3.client("sqs", region_name=self.region).delete_message(
            QueueUrl=self._queues[name], ReceiptHandle=message["ReceiptHandle"]
        )

    def _as_lambda_delivers(self, message: dict[str, Any]) -> dict[str, Any]:
        """An SQS message as Lambda hands it to a function.
        https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"""
        sqs = boto3.client("sqs", region_name=self.region)
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": _arn(sqs, self._queues["lrs"]),
            "awsRegion": self.region,
        }


def _arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def start_consumers(
    lock: threading.Lock, stop: threading.Event, table_name: str, bus: LocalBus
) -> None:
    """In the background until ``stop``: the table's stream to its deployed consumers (the
    aggregator, the publisher), as their event source mappings do; and with an LRS, its queue
    handed to the deployed forwarder. (What the bus takes, ``running`` keeps.)"""
    pump = StreamPump(
        table_name,
        {
            "aggregator": load_handler_path(shared_names.AGGREGATOR_HANDLER),
            "publisher": load_handler_path(shared_names.PUBLISHER_HANDLER),
        },
        bus.region,
    )
    forwarder = load_handler_path(shared_names.FORWARDER_HANDLER)

    def stream() -> list[str]:
        with lock:
            return pump.pump_and_report()

    def lrs_queue() -> list[str]:
        bus.forward(forwarder, lock)
        reports, bus.failures = bus.failures, []
        return reports

    run_in_background(stop, stream, lrs_queue)
