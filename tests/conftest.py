"""Fixtures: a moto DynamoDB with the service's table, a probe on the store's calls, and the
local run (``python -m local_run``) serving the API over HTTP for the end-to-end tests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from local_api import LocalApiProcess
from moto import mock_aws
from stats_client import TABLE

from local_run.emulator import create_table
from stats_api import session_store
from stats_api.deployment import TABLE_NAME_ENV
from stats_api.observability import logger, metrics


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never reach a real account, whatever the developer's shell holds. (Not autouse: the
    # e2e suite signs with the developer's real credentials against a deployed stage.)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        TABLE_NAME_ENV: TABLE,
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class _FaultResponse:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}


@dataclass
class StoreProbe:
    """Sees every DynamoDB call the handlers' store makes, and can make any of them fail."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: dict[str, dict[str, Any] | Exception] = field(default_factory=dict)
    lost_responses: dict[str, Exception] = field(default_factory=dict)

    @property
    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]

    def fail(self, operation: str, code: str, *, status: int = 500, **extra: Any) -> None:
        """Answer every later ``operation`` as DynamoDB would fail it, without reaching the
        table (``extra`` adds fields such as ``CancellationReasons``)."""
        self.faults[operation] = {
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

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, params))

    def _answer(self, model: Any, **_: Any) -> Any:  # (response, parsed) short-circuits
        fault = self.faults.get(model.name)
        if fault is None:
            return None
        if isinstance(fault, Exception):
            raise fault
        return _FaultResponse(fault["ResponseMetadata"]["HTTPStatusCode"]), fault

    def _lose(self, model: Any, **_: Any) -> None:
        error = self.lost_responses.get(model.name)
        if error is not None:
            raise error


@pytest.fixture
def store_probe() -> StoreProbe:
    return StoreProbe()


@pytest.fixture
def dynamodb(aws_environment: None, store_probe: StoreProbe) -> Iterator[Any]:
    """A moto DynamoDB holding the service's empty table; yields a client for the test's own
    setup and checks. Only the handlers' store client reports to ``store_probe``."""
    with mock_aws():
        boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
        assert session is not None
        events = session.events
        # A client copies the session's hooks when created: the store's gets the probe,
        # the test's own client (created after the hooks are gone) does not.
        events.register("before-parameter-build.dynamodb", store_probe._record)
        events.register("before-call.dynamodb", store_probe._answer)
        events.register("after-call.dynamodb", store_probe._lose)
        session_store.default_store.cache_clear()
        session_store.default_store()
        events.unregister("before-parameter-build.dynamodb", store_probe._record)
        events.unregister("before-call.dynamodb", store_probe._answer)
        events.unregister("after-call.dynamodb", store_probe._lose)
        client = boto3.client("dynamodb")
        create_table(client, TABLE)
        yield client
        session_store.default_store.cache_clear()


@pytest.fixture
def service_log() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The service's structured log lines written during the test, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    service_logger = logging.getLogger(logger.name)
    service_logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    service_logger.removeHandler(handler)


@pytest.fixture
def published_metrics(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[], list[dict[str, Any]]]:
    """The EMF documents the handlers print during the test, with metrics turned on."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    # Disabled, Powertools never flushes: earlier tests' metrics would still be pending.
    metrics.clear_metrics()
    capsys.readouterr()
    return lambda: [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApiProcess]:
    """The local run on a free port, started once for the session and stopped with Ctrl-C."""
    server = LocalApiProcess(tmp_path_factory.mktemp("local_api"))
    yield server
    assert server.interrupt() == 0
    # A traceback in the server's output is a fault some response may not have shown.
    assert "Traceback" not in server.stderr()
