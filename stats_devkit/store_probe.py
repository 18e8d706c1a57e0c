"""Watches the DynamoDB calls a client makes, and can make any of them fail.

Attached through botocore's event hooks, so it sees exactly what the code under test sends,
without wrapping or changing it. A client copies its session's hooks when it is created:
``watching_store`` attaches to boto3's default session just long enough for the handlers'
store to create its client, so only that client reports (a test's or benchmark's own
client, created later, does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.hooks import BaseEventHooks

from stats_api import table_access


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] = field(default_factory=dict)


class _FaultResponse:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}


@dataclass
class StoreProbe:
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, dict[str, Any] | Exception] = field(default_factory=dict)
    lost_responses: dict[str, Exception] = field(default_factory=dict)
    # Answers given once each, in order, before the call reaches the table.
    scripted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def reset(self) -> None:
        self.calls.clear()

    def fail(self, operation: str, code: str, *, status: int = 500, **extra: Any) -> None:
        """Answer every later ``operation`` as DynamoDB would fail it, without reaching the
        table (``extra`` adds fields such as ``CancellationReasons``)."""
        self.faults[operation] = self.error(code, status=status, **extra)

    def answer_next(self, operation: str, *answers: dict[str, Any]) -> None:
        """Answer the next calls of ``operation`` with ``answers`` (parsed responses, or
        errors made with ``error``), one each, without reaching the table."""
        self.scripted.setdefault(operation, []).extend(answers)

    @staticmethod
    def error(code: str, *, status: int = 400, **extra: Any) -> dict[str, Any]:
        """DynamoDB's answer for a failed call (``extra``: e.g. ``CancellationReasons``)."""
        return {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
            **extra,
        }

    def raise_before(self, operation: str, error: Exception) -> None:
        """Fail every later ``operation`` with ``error`` before it reaches the table
        (e.g. a connect timeout)."""
        self.faults[operation] = error

    def raise_after(self, operation: str, error: Exception) -> None:
        """Let every later ``operation`` reach the table, then lose its response to
        ``error`` (e.g. a read timeout after DynamoDB committed)."""
        self.lost_responses[operation] = error

    def attach(self, events: BaseEventHooks) -> None:
        events.register("before-parameter-build.dynamodb", self._record)
        events.register("before-call.dynamodb", self._answer)
        events.register("after-call.dynamodb", self._reply)

    def detach(self, events: BaseEventHooks) -> None:
        events.unregister("before-parameter-build.dynamodb", self._record)
        events.unregister("before-call.dynamodb", self._answer)
        events.unregister("after-call.dynamodb", self._reply)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(model.name, params))

    def _answer(self, model: Any, **_: Any) -> Any:  # (response, parsed) short-circuits
        if self.scripted.get(model.name):
            answer = self.scripted[model.name].pop(0)
            status = answer.get("ResponseMetadata", {}).get("HTTPStatusCode", 200)
            return _FaultResponse(status), answer
        fault = self.faults.get(model.name)
        if fault is None:
            return None
        if isinstance(fault, Exception):
            raise fault
        return _FaultResponse(fault["ResponseMetadata"]["HTTPStatusCode"]), fault

    def _reply(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.calls[-1].response = parsed
        error = self.lost_responses.get(model.name)
        if error is not None:
            raise error


@contextmanager
def watching_store(probe: StoreProbe) -> Iterator[StoreProbe]:
    """``probe`` on the functions' one DynamoDB client (``table_access.dynamodb_client``),
    created afresh: the sessions table's and the analytics table's calls alike.

    Use inside ``moto.mock_aws()``: the client is created here, with the probe.
    """
    session = boto3.Session()
    boto3.DEFAULT_SESSION = session  # what boto3.client(), as the store calls it, uses
    probe.attach(session.events)
    _forget_clients()
    try:
        table_access.dynamodb_client()
    finally:
        probe.detach(session.events)
    try:
        yield probe
    finally:
        _forget_clients()


def _forget_clients() -> None:
    for cached in (
        table_access.dynamodb_client,
        table_access.default_table,
        table_access.analytics_table,
    ):
        cached.cache_clear()
