"""The synthesised Lambda asset runs with what a deployed function has and nothing more: the
runtime's boto3 and Powertools without its extras (a layer passed with
``powertools_layer_arn`` may lack them, and no fastjsonschema may be needed).

Every function of a synthesised ``StatsService`` (history, analytics and learning events
with an LRS on: all eight routes', the analytics aggregator, the events' publisher and the
LRS forwarder) is imported from its
asset directory in ``cdk.out`` by a clean interpreter (``python -I -S``: no site-packages,
no ``PYTHON*`` variables; only the asset and a ``pip install --target`` of the pinned
``aws-lambda-powertools`` and ``boto3`` on its path) and invoked with an API Gateway payload
2.0 event, with the template's handler and environment, against moto's server. Every module
it loaded must come from the asset, those packages or the standard library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk import App, Stack
from moto.server import ThreadedMotoServer

from local_run.events import api_event
from stats_api.learning_events_stream import learning_event
from stats_api.routes import (
    FETCH_COURSE_ANALYTICS,
    FETCH_COURSE_STATS,
    FETCH_SESSION,
    LIST_COURSE_DAYS,
    LIST_COURSES,
    LIST_SESSIONS,
    RECORD_SESSION,
    ROUTES,
    WITHDRAW_SESSION,
    Route,
)
from stats_api.shared_names import (
    AGGREGATOR_HANDLER,
    ANALYTICS_TABLE_ENV,
    EVENT_BUS_NAME_ENV,
    FORWARDER_HANDLER,
    HISTORY_ENV,
    LRS_CREDENTIALS_SECRET_ENV,
    LRS_STATEMENTS_URL_ENV,
    PUBLISHER_HANDLER,
    RELEASE_CHECK_HANDLER,
    TABLE_NAME_ENV,
)
from stats_devkit.fake_lrs import bus_message, fake_lrs
from stats_devkit.tables import create_analytics_table, create_table
from stats_service import LrsProps, StatsService, StatsServiceProps
from tests.support import REPO_ROOT
from tests.support.commands import run

TABLE = "stats-asset"
ANALYTICS_TABLE = "stats-asset-analytics"
BUS = "stats-asset-events"
LRS = LrsProps(
    "https://lrs.example.com/xAPI/statements",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:lrs-credentials-AbCdEf",
    "https://learn.example.com",
    "https://learn.example.com/courses/{courseId}",
)
USER = "learner-asset"
COURSE = "algebra-1"
SESSION_ID = str(uuid.UUID(int=42, version=4))
# What a deployed function has besides its asset: the runtime's boto3 and the layer's
# Powertools, the layer's version pinned once in lambdas/requirements.txt.
RUNTIME_PINS = (
    *(REPO_ROOT / "lambdas" / "requirements.txt").read_text().split("\n"),
    *(
        line
        for line in (REPO_ROOT / "requirements-dev.txt").read_text().split("\n")
        if line.startswith("boto3==")
    ),
)

# Runs in the clean interpreter: the request document on stdin, one JSON line out.
CHILD = """
import importlib, importlib.util, json, sys, sysconfig
request = json.loads(sys.stdin.read())
sys.path[:0] = [request["asset"], request["packages"]]

class Context:
    function_name = "stats-asset-test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:stats-asset-test"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self):
        return 10_000

module_name, _, function_name = request["handler"].rpartition(".")
handler = getattr(importlib.import_module(module_name), function_name)
# No event: import only (the release check's first call needs CodeDeploy and Lambda).
response = None if request["event"] is None else handler(request["event"], Context())
stdlib = {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib")}
roots = (request["asset"], request["packages"], *stdlib)
foreign = sorted(
    name for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None) and not module.__file__.startswith(roots)
)
print(json.dumps({
    "response": response,
    "foreign_modules": foreign,
    "fastjsonschema": importlib.util.find_spec("fastjsonschema") is not None,
    "stats_api": sys.modules["stats_api"].__file__,
}))
"""


@pytest.fixture(scope="module")
def runtime_packages() -> Path:
    """``aws-lambda-powertools`` (no extras) and ``boto3`` at their pins, installed once per
    set of pins under .venv (pip's cache makes a reinstall quick, PyPI otherwise)."""
    pins = sorted(line.strip() for line in RUNTIME_PINS if re.match(r"^[A-Za-z0-9_.-]+==", line))
    assert any(pin.startswith("aws-lambda-powertools==") for pin in pins)
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16]
    target = REPO_ROOT / ".venv" / "asset-runtime" / digest
    if not (target / ".complete").exists():
        run(sys.executable, "-m", "pip", "install", "--quiet", "--target", target, *pins)
        (target / ".complete").write_text("\n".join(pins))
    assert not (target / "fastjsonschema").exists()
    return target


@pytest.fixture(scope="module")
def functions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each function's handler, environment and asset directory, from a synthesised app."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(outdir=str(outdir))
    stack = Stack(app, "AssetRuntime")
    StatsService(
        stack,
        "Stats",
        StatsServiceProps(history=True, analytics=True, events=True, lrs=LRS),
    )
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / "AssetRuntime.template.json").read_text())
    found: dict[str, dict[str, Any]] = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        asset_hash = properties["Code"]["S3Key"].removesuffix(".zip")
        found[properties["Handler"]] = {
            "asset": str(Path(assembly.directory) / f"asset.{asset_hash}"),
            "environment": properties["Environment"]["Variables"],
        }
    return found


@dataclass(frozen=True)
class Moto:
    url: str
    secret_arn: str  # the LRS's credentials, as the stack's secret holds them


@pytest.fixture(scope="module")
def endpoint(moto: Moto) -> str:
    return moto.url


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = boto3.client(
            "dynamodb",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        create_table(client, TABLE)
        create_analytics_table(client, ANALYTICS_TABLE)
        aws: dict[str, Any] = {
            "endpoint_url": url,
            "region_name": "us-east-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        boto3.client("events", **aws).create_event_bus(Name=BUS)
        secret = boto3.client("secretsmanager", **aws).create_secret(
            Name="lrs-credentials", SecretString=json.dumps({"username": "u", "password": "p"})
        )
        yield Moto(url, secret["ARN"])
    finally:
        server.stop()


def invoke(
    function: dict[str, Any],
    handler: str,
    event: dict[str, Any] | None,
    packages: Path,
    endpoint: str,
    settings: dict[str, str] | None = None,
) -> Any:
    """The handler's answer to ``event`` (None: imported only); ``settings`` replace those
    of its environment that name something on moto or this machine."""
    # A value the template resolves at deploy time (a Ref) stays its JSON spelling here.
    tables = {TABLE_NAME_ENV: TABLE, ANALYTICS_TABLE_ENV: ANALYTICS_TABLE, EVENT_BUS_NAME_ENV: BUS}
    tables.update(settings or {})
    environment = {
        name: tables[name]
        if name in tables
        else value
        if isinstance(value, str)
        else json.dumps(value)
        for name, value in function["environment"].items()
    }
    completed = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-I", "-S", "-c", CHILD],
        input=json.dumps(
            {
                "asset": function["asset"],
                "packages": str(packages),
                "handler": handler,
                "event": event,
            }
        ),
        env={
            "PATH": "/usr/bin:/bin",
            **environment,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
            "POWERTOOLS_METRICS_DISABLED": "true",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["foreign_modules"] == [], f"{handler} loaded modules from elsewhere"
    assert result["fastjsonschema"] is False
    assert result["stats_api"].startswith(function["asset"])
    return result["response"]


def event(route: Route, body: dict[str, Any] | None = None, query: str = "") -> dict[str, Any]:
    parameters = {"courseId": COURSE, "sessionId": SESSION_ID}
    names = re.findall(r"{(\w+)}", route.path)
    return api_event(
        route,
        {name: parameters[name] for name in names},
        headers={"userId": USER, "content-type": "application/json"},
        body=None if body is None else json.dumps(body),
        raw_query=query,
    )


# In order: each request sees what the ones before it stored.
REQUESTS = (
    (
        RECORD_SESSION,
        event(
            RECORD_SESSION,
            {
                "sessionId": SESSION_ID,
                "totalModulesStudied": 3,
                "timeStudied": 42.5,
                "averageScore": 87.5,
            },
        ),
        201,
    ),
    (FETCH_COURSE_STATS, event(FETCH_COURSE_STATS), 200),
    (FETCH_SESSION, event(FETCH_SESSION), 200),
    (LIST_COURSES, event(LIST_COURSES, query="limit=5"), 200),
    (LIST_SESSIONS, event(LIST_SESSIONS, query="limit=5"), 200),
    # Nothing aggregated yet: the analytics routes read their table and find no course.
    (FETCH_COURSE_ANALYTICS, event(FETCH_COURSE_ANALYTICS), 404),
    (LIST_COURSE_DAYS, event(LIST_COURSE_DAYS, query="limit=5"), 404),
    (WITHDRAW_SESSION, event(WITHDRAW_SESSION), 204),
)
# The stream's record of the session recorded above, as the event source mapping sends it.
STREAM_EVENT = {
    "Records": [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "SequenceNumber": "1" * 40,
                "NewImage": {
                    "userId": {"S": USER},
                    "sessionId": {"S": SESSION_ID},
                    "courseId": {"S": COURSE},
                    "totalModulesStudied": {"N": "3"},
                    "timeStudied": {"N": "42.5"},
                    "averageScore": {"N": "87.5"},
                    "completedAt": {"S": "2026-11-29T09:40:00.000000Z"},
                    "courseCompletedAt": {
                        "S": f"{COURSE}#2026-11-29T09:40:00.000000Z#{SESSION_ID}"
                    },
                },
            },
        }
    ]
}


def test_should_exercise_every_route() -> None:
    assert {route for route, _, _ in REQUESTS} == set(ROUTES)


def test_every_function_runs_from_its_asset_with_powertools_without_extras(
    functions: dict[str, dict[str, Any]], runtime_packages: Path, endpoint: str
) -> None:
    assert set(functions) == {route.handler for route in ROUTES} | {
        RELEASE_CHECK_HANDLER,
        AGGREGATOR_HANDLER,
        PUBLISHER_HANDLER,
        FORWARDER_HANDLER,
    }
    answers = {}
    for route, request, expected in REQUESTS:
        analytics = {ANALYTICS_TABLE_ENV} if route.analytics else set()
        assert set(functions[route.handler]["environment"]) == {
            TABLE_NAME_ENV,
            HISTORY_ENV,
            *analytics,
        }
        response = invoke(
            functions[route.handler], route.handler, request, runtime_packages, endpoint
        )
        answers[route.route_key] = response
        assert response["statusCode"] == expected, (route.route_key, response)
    stats = json.loads(answers[FETCH_COURSE_STATS.route_key]["body"])
    assert stats["sessionCount"] == 1
    assert stats["timeStudied"] == 42.5
    # A body the schema refuses is refused there too, by the generated validator.
    refused = invoke(
        functions[RECORD_SESSION.handler],
        RECORD_SESSION.handler,
        event(RECORD_SESSION, {"totalModulesStudied": -1, "timeStudied": 1, "averageScore": 1}),
        runtime_packages,
        endpoint,
    )
    assert refused["statusCode"] == 400
    assert "totalModulesStudied" in json.loads(refused["body"])["message"]


def test_the_release_check_loads_from_its_asset_with_the_runtime_alone(
    functions: dict[str, dict[str, Any]], runtime_packages: Path, endpoint: str
) -> None:
    # Each release's pre-traffic hook runs from the same asset: an import that needs more
    # than the runtime would fail every deployment before any traffic shifts.
    assert (
        invoke(
            functions[RELEASE_CHECK_HANDLER],
            RELEASE_CHECK_HANDLER,
            None,
            runtime_packages,
            endpoint,
        )
        is None
    )


def test_the_aggregator_runs_from_its_asset_with_the_runtime_alone(
    functions: dict[str, dict[str, Any]], runtime_packages: Path, endpoint: str
) -> None:
    aggregator = functions[AGGREGATOR_HANDLER]
    # Its configuration names the analytics table alone: the stream hands it the sessions.
    assert set(aggregator["environment"]) == {ANALYTICS_TABLE_ENV}

    applied = invoke(aggregator, AGGREGATOR_HANDLER, STREAM_EVENT, runtime_packages, endpoint)
    route = FETCH_COURSE_ANALYTICS
    read = invoke(functions[route.handler], route.handler, event(route), runtime_packages, endpoint)

    assert applied == {"applied": 1}
    assert read["statusCode"] == 200
    assert json.loads(read["body"])["sessionCount"] == 1


def test_the_learning_events_functions_run_from_their_asset_with_the_runtime_alone(
    functions: dict[str, dict[str, Any]], runtime_packages: Path, moto: Moto
) -> None:
    # The stream's record of the session recorded above, published on the bus...
    published = invoke(
        functions[PUBLISHER_HANDLER], PUBLISHER_HANDLER, STREAM_EVENT, runtime_packages, moto.url
    )
    assert published == {"batchItemFailures": []}
    # ...and its event sent to an LRS as a statement, the credentials from Secrets Manager.
    record: dict[str, Any] = STREAM_EVENT["Records"][0]
    recorded = learning_event(record)
    assert recorded is not None
    with fake_lrs() as lrs:
        forwarded = invoke(
            functions[FORWARDER_HANDLER],
            FORWARDER_HANDLER,
            {"Records": [bus_message(recorded, "m-1")]},
            runtime_packages,
            moto.url,
            {LRS_STATEMENTS_URL_ENV: lrs.url, LRS_CREDENTIALS_SECRET_ENV: moto.secret_arn},
        )
        assert forwarded == {"batchItemFailures": []}
        ((_, _, statements),) = lrs.received
    assert [s["verb"]["id"] for s in statements] == ["http://adlnet.gov/expapi/verbs/completed"]
