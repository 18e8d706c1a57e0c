"""CodeDeploy's ``BeforeAllowTraffic`` hook: before a function's new version takes any
traffic, invoke it with requests that change nothing and fail the release unless each is
answered as it must be.

Without it, a version that cannot start (an import error, a missing permission, a wrong
table name) would go live whenever no request reached it during the canary. Each released
function's deployment group has its own hook function, configured with the ARN of the
version being released (``RELEASE_CHECK_TARGET``) and what it serves
(``RELEASE_CHECK_ROUTE``: a route key, or for a function that serves no route, the name of
its batch check in ``release_batches``); its role may invoke that function's versions only.

CodeDeploy's contract (AWS docs): it invokes the hook with ``DeploymentId`` and
``LifecycleEventHookExecutionId`` and waits (up to an hour) until the hook reports
``Succeeded`` or ``Failed`` through ``PutLifecycleEventHookExecutionStatus``; ``Failed``
stops the deployment before any traffic shifts, and the alias update (so the stack update)
rolls back. So the hook fails closed, and fast: a setting of its own missing is a
``Failed`` report, and a report that cannot be made stops the deployment
(``StopDeployment``, rolled back) rather than leave CodeDeploy waiting the hour.
https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_PutLifecycleEventHookExecutionStatus.html
https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_StopDeployment.html
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (the stream event's records)

Only boto3 (the Lambda runtime's): this function loads no layer.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from stats_api import routes
from stats_api.release_batches import BATCH_PROBES, BatchProbe
from stats_api.shared_names import RELEASE_CHECK_ROUTE_ENV as ROUTE_ENV
from stats_api.shared_names import RELEASE_CHECK_TARGET_ENV as TARGET_ENV

__all__ = [
    "CODEDEPLOY_CONFIG",
    "LAMBDA_CONFIG",
    "ROUTE_ENV",
    "TARGET_ENV",
    "Probe",
    "api_event",
    "check",
    "handler",
    "probes",
]
SUCCEEDED, FAILED = "Succeeded", "Failed"
# A read outlasting a route function's 10 s timeout plus a cold start; two attempts at
# most, so that a stuck invoke still leaves the hook (2 minutes) time to report Failed.
LAMBDA_CONFIG = Config(
    connect_timeout=5, read_timeout=40, retries={"mode": "standard", "max_attempts": 2}
)
# The report is the hook's one duty: retried (throttling, a blip) before giving up on it.
CODEDEPLOY_CONFIG = Config(
    connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 5}
)

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class Probe:
    """One request that changes nothing, and the status a working version answers it with."""

    route: routes.Route
    path_parameters: dict[str, str]
    expected_status: int
    body: str | None = None

    @property
    def request(self) -> str:
        return f"{self.route.method} {self.route.path.format(**self.path_parameters)}"


def probes(route_key: str) -> list[Probe]:
    """What the release check sends the function of ``route_key``: reads of a caller and a
    session nobody has (answered from the table, so the code, its table and permissions are
    exercised), and for the write a body that must be refused before any write."""
    course = "release-check"
    session = {"courseId": course, "sessionId": str(uuid.uuid4())}
    by_route = {
        routes.FETCH_SESSION: Probe(routes.FETCH_SESSION, session, 404),
        routes.FETCH_COURSE_STATS: Probe(routes.FETCH_COURSE_STATS, {"courseId": course}, 404),
        routes.WITHDRAW_SESSION: Probe(routes.WITHDRAW_SESSION, session, 404),
        routes.LIST_COURSES: Probe(routes.LIST_COURSES, {}, 200),  # an empty page
        routes.LIST_SESSIONS: Probe(routes.LIST_SESSIONS, {"courseId": course}, 200),
        # Missing every field: refused by validation, before the table is touched.
        routes.RECORD_SESSION: Probe(routes.RECORD_SESSION, {"courseId": course}, 400, "{}"),
        # A course nobody studied: read from the analytics table, found in none of its shares.
        routes.FETCH_COURSE_ANALYTICS: Probe(
            routes.FETCH_COURSE_ANALYTICS, {"courseId": course}, 404
        ),
        routes.LIST_COURSE_DAYS: Probe(routes.LIST_COURSE_DAYS, {"courseId": course}, 404),
    }
    return [probe for route, probe in by_route.items() if route.route_key == route_key]


def api_event(probe: Probe, caller: str) -> dict[str, Any]:
    """The HTTP API (payload format 2.0) event API Gateway would send for ``probe``, the
    caller named in the ``userId`` header (lower-cased, as API Gateway passes headers).
    Behind a JWT or IAM authorizer the function reads no other identity than this header
    or the ``jwt`` authorizer context, so one event fits every auth mode:
    https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
    """
    path = probe.route.path.format(**probe.path_parameters)
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": probe.route.route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "userid": caller},
        "requestContext": {
            "http": {
                "method": probe.route.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "stats-service-release-check",
            },
            "requestId": f"release-check-{uuid.uuid4()}",
            "routeKey": probe.route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if probe.path_parameters:
        event["pathParameters"] = dict(probe.path_parameters)
    if probe.body is not None:
        event["body"] = probe.body
    return event


def check(lambda_client: Any, target: str, route_key: str) -> list[str]:
    """Invoke ``target`` with each probe of ``route_key`` (or, for a function that serves no
    route, its batch); the problems found (none: pass)."""
    if route_key in BATCH_PROBES:
        return _check_batch(lambda_client, target, BATCH_PROBES[route_key])
    found = probes(route_key)
    if not found:
        return [f"no release check is declared for route {route_key!r}"]
    problems = []
    caller = f"release-check-{uuid.uuid4()}"  # a user no learner is
    for probe in found:
        response = lambda_client.invoke(
            FunctionName=target,
            InvocationType="RequestResponse",
            Payload=json.dumps(api_event(probe, caller)).encode(),
        )
        payload = response["Payload"].read().decode("utf-8", "replace")
        if response.get("FunctionError"):
            # The handler never answered (import error, crash, timeout).
            problems.append(f"{probe.request}: the function failed: {payload[:500]}")
            continue
        try:
            status = json.loads(payload).get("statusCode")
        except (ValueError, AttributeError):
            status = None
        if status != probe.expected_status:
            problems.append(
                f"{probe.request}: answered {status}, expected {probe.expected_status}: "
                f"{payload[:500]}"
            )
    return problems


def _check_batch(lambda_client: Any, target: str, probe: BatchProbe) -> list[str]:
    event = probe.event(f"release-check-{uuid.uuid4()}")
    response = lambda_client.invoke(
        FunctionName=target, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    payload = response["Payload"].read().decode("utf-8", "replace")
    if response.get("FunctionError"):
        return [f"{probe.function} failed on a batch: {payload[:500]}"]
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = None
    if answer != probe.expected:
        return [f"{probe.function} answered {payload[:500]}, expected {probe.expected}"]
    return []


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    target = os.environ.get(TARGET_ENV, "")
    try:
        route_key = os.environ[ROUTE_ENV]
        if not target:
            raise KeyError(TARGET_ENV)
        problems = check(boto3.client("lambda", config=LAMBDA_CONFIG), target, route_key)
    except KeyError as missing:  # misconfigured: fail now, not after CodeDeploy's hour
        problems = [f"the hook's setting {missing} is missing"]
    except Exception as error:  # any failure to check must fail the release, not hang it
        problems = [f"the check could not run: {error!r}"]
    status = FAILED if problems else SUCCEEDED
    logger.info(json.dumps({"target": target, "status": status, "problems": problems}))
    _report(event, status)
    return {"status": status, "problems": problems}


def _report(event: dict[str, Any], status: str) -> None:
    """Report in every case: without a status, CodeDeploy waits an hour before failing. A
    report that cannot be made (after retries) stops the deployment, rolled back, instead."""
    codedeploy = boto3.client("codedeploy", config=CODEDEPLOY_CONFIG)
    try:
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status=status,
        )
    except Exception:
        logger.exception("could not report %s; stopping the deployment", status)
        codedeploy.stop_deployment(deploymentId=event["DeploymentId"], autoRollbackEnabled=True)
        raise
