"""Stand-ins the learning events' tests and benchmarks share: an LRS that answers as
scripted and keeps what it was sent, and an event as a rule's target (an SQS queue)
receives it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from stats_api import json_text
from stats_api.learning_events import LearningEvent


class FakeLrs(ThreadingHTTPServer):
    """An LRS answering each POST with the next status of ``answers``; keeps the requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[int] = []
        self.delay = 0.0
        self.received: list[tuple[str, dict[str, str], Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/xAPI/statements"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up waiting (the timeout test) is no server fault


class _Handler(BaseHTTPRequestHandler):
    server: FakeLrs

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.received.append(
            (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        time.sleep(self.server.delay)
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        if status in (301, 302, 307):
            self.send_header("location", "/elsewhere")
        payload = b'["ok"]' if status == 200 else b'{"detail": "no"}' if status >= 400 else b""
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def fake_lrs() -> Iterator[FakeLrs]:
    """An LRS on a free port of 127.0.0.1, stopped on the way out."""
    server = FakeLrs()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def on_the_bus(event: LearningEvent) -> dict[str, Any]:
    """The event as a rule's target receives it (the EventBridge documentation's example
    event's shape): JSON, parsed with exact decimals."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": event.kind.detail_type,
        "source": "stats-service",
        "account": "123456789012",
        "time": "2026-11-02T08:05:03Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": json.loads(json_text.dumps(event.detail()), parse_float=Decimal),
    }


def bus_message(event: LearningEvent, message_id: str) -> dict[str, Any]:
    """The SQS message holding ``event``, as Lambda hands it to the forwarder."""
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": json_text.dumps(on_the_bus(event)),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:StatsService-LrsDeliveries",
        "awsRegion": "eu-west-1",
    }
