"""Counts the DynamoDB requests a client makes, keeping each request's parameters and reply.

Attached through botocore's event hooks, so it sees exactly what the code under test sends,
without wrapping or changing it. A client copies its session's hooks when it is created:
``store_probe`` attaches to boto3's default session just long enough for the handlers'
store to create its client, as tests/conftest.py does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.hooks import BaseEventHooks

from stats_api import session_store


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class RequestProbe:
    calls: list[Call] = field(default_factory=list)

    def attach(self, events: BaseEventHooks) -> None:
        events.register("before-parameter-build.dynamodb", self._record)
        events.register("after-call.dynamodb", self._reply)

    def detach(self, events: BaseEventHooks) -> None:
        events.unregister("before-parameter-build.dynamodb", self._record)
        events.unregister("after-call.dynamodb", self._reply)

    def reset(self) -> None:
        self.calls.clear()

    @property
    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(model.name, params))

    def _reply(self, parsed: dict[str, Any], **_: Any) -> None:
        self.calls[-1].response = parsed


@contextmanager
def store_probe() -> Iterator[RequestProbe]:
    """A probe on the client of ``session_store.default_store()``, created afresh.

    Call inside ``moto.mock_aws()``: the store's client is created here, with the probe.
    """
    session = boto3.Session()
    boto3.DEFAULT_SESSION = session  # what boto3.client(), as the store calls it, uses
    probe = RequestProbe()
    probe.attach(session.events)
    session_store.default_store.cache_clear()
    try:
        session_store.default_store()
    finally:
        # Clients created later (the benchmark's own) must not report to the probe.
        probe.detach(session.events)
    try:
        yield probe
    finally:
        session_store.default_store.cache_clear()
