"""Unit-tier fixtures: the handlers in-process on moto's DynamoDB, cut off from AWS, with a
probe on the store's calls, the service's log lines and its published metrics."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from stats_api.observability import logger, metrics
from stats_api.shared_names import (
    ANALYTICS_TABLE_ENV,
    EVENT_BUS_NAME_ENV,
    HISTORY_ENV,
    LRS_ACTOR_HOME_PAGE_ENV,
    LRS_COURSE_IRI_TEMPLATE_ENV,
    LRS_CREDENTIALS_SECRET_ENV,
    LRS_STATEMENTS_URL_ENV,
    TABLE_NAME_ENV,
)
from stats_devkit.fake_lrs import FakeLrs, fake_lrs
from stats_devkit.store_probe import StoreProbe, watching_store
from stats_devkit.tables import create_analytics_table, create_table
from tests.support.analytics import ANALYTICS_TABLE, analytics_tables
from tests.support.event_bus import ConsumedBus, consumed_bus
from tests.support.handler_client import TABLE


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never reach a real account, whatever the developer's shell holds.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        TABLE_NAME_ENV: TABLE,
        HISTORY_ENV: "on",
        ANALYTICS_TABLE_ENV: ANALYTICS_TABLE,
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def store_probe() -> StoreProbe:
    return StoreProbe()


@pytest.fixture
def dynamodb(aws_environment: None, store_probe: StoreProbe) -> Iterator[Any]:
    """A moto DynamoDB holding the service's empty table; yields a client for the test's own
    setup and checks. Only the handlers' store client reports to ``store_probe``."""
    with mock_aws(), watching_store(store_probe):
        client = boto3.client("dynamodb")  # created after the probe left the session
        create_table(client, TABLE)
        create_analytics_table(client, ANALYTICS_TABLE)  # what the analytics routes read
        yield client


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


@pytest.fixture
def streamed_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The sessions table with its stream and the analytics table, for the analytics tests;
    yields a client for the test's own setup and checks."""
    with analytics_tables(monkeypatch) as client:
        yield client


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    """An LRS on 127.0.0.1 answering as the test scripts it (``stats_devkit.fake_lrs``)."""
    with fake_lrs() as server:
        yield server


@pytest.fixture
def lrs_secret(monkeypatch: pytest.MonkeyPatch, lrs: FakeLrs) -> Iterator[Any]:
    """moto's Secrets Manager holding ``lrs``'s credentials (the secret ``lrs``), and the
    forwarder's settings naming both; yields a Secrets Manager client."""
    parameters.clear_caches()  # type: ignore[no-untyped-call] # Powertools keeps a secret
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        credentials = json.dumps({"username": "stats", "password": "s3cret"})
        arn = secrets.create_secret(Name="lrs", SecretString=credentials)["ARN"]
        for name, value in {
            LRS_STATEMENTS_URL_ENV: lrs.url,
            LRS_CREDENTIALS_SECRET_ENV: arn,
            LRS_ACTOR_HOME_PAGE_ENV: "https://learn.example.com",
            LRS_COURSE_IRI_TEMPLATE_ENV: "https://learn.example.com/courses/{courseId}",
        }.items():
            monkeypatch.setenv(name, value)
        yield secrets


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConsumedBus]:
    """moto's EventBridge: the publisher's bus (its setting names it) and a consumer of it."""
    monkeypatch.setenv(EVENT_BUS_NAME_ENV, "stats-events")
    with mock_aws(), consumed_bus("stats-events") as consumed:
        yield consumed
