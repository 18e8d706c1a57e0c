"""The pre-traffic hook (``stats_api.release_check``): it invokes a function's new version
with requests that change nothing and reports to CodeDeploy whether each was answered as it
must be.

AWS's contract, which these tests hold the hook to (it cannot run offline): CodeDeploy
invokes a ``BeforeAllowTraffic`` hook with ``DeploymentId`` and
``LifecycleEventHookExecutionId``, and the hook must report ``Succeeded`` or ``Failed`` for
that execution with ``PutLifecycleEventHookExecutionStatus`` (``deploymentId``,
``lifecycleEventHookExecutionId``, ``status``); ``Failed`` stops the deployment before
traffic shifts, and no report at all leaves it waiting until the hook times out.
https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_PutLifecycleEventHookExecutionStatus.html
Lambda's ``Invoke``: a function error still answers HTTP 200, with ``FunctionError`` set
and the error as the payload:
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from local_run.events import LambdaContext
from local_run.gateway import load_handler
from stats_api import release_check
from stats_api.routes import CORE_ROUTES, ROUTES, Route
from stats_api.shared_names import RELEASE_CHECK_HANDLER
from tests.support.handler_client import table_items

TARGET = "arn:aws:lambda:eu-west-1:123456789012:function:Stats-FetchSession:7"
HOOK_EVENT = {"DeploymentId": "d-ABCDEF123", "LifecycleEventHookExecutionId": "hook-exec-42"}


def _payload(body: object) -> StreamingBody:
    raw = json.dumps(body).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


class DeployedVersion:
    """A Lambda client whose ``invoke`` runs ``route``'s real handler in-process (on moto),
    as the new version would; ``answer`` replaces the handler's answer when given."""

    def __init__(self, route: Route, answer: Callable[[], dict[str, Any]] | None = None) -> None:
        self.route, self.answer = route, answer
        self.events: list[dict[str, Any]] = []

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert (FunctionName, InvocationType) == (TARGET, "RequestResponse")
        event = json.loads(Payload)
        self.events.append(event)
        if self.answer is not None:
            return self.answer()
        result = load_handler(self.route)(event, LambdaContext())
        return {"StatusCode": 200, "Payload": _payload(result)}


@pytest.mark.usefixtures("dynamodb")
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.function_id)
def test_should_pass_a_working_version_of_every_route_and_change_nothing(
    route: Route, dynamodb: Any
) -> None:
    version = DeployedVersion(route)

    assert release_check.check(version, TARGET, route.route_key) == []
    assert version.events  # it did invoke the version
    assert table_items(dynamodb) == []


def test_should_expect_404_for_reads_and_400_for_a_bad_body() -> None:
    expected = {
        route.method + " " + route.path: probe.expected_status
        for route in CORE_ROUTES
        for probe in release_check.probes(route.route_key)
    }

    assert expected == {
        "POST /courses/{courseId}": 400,
        "GET /courses/{courseId}": 404,
        "GET /courses/{courseId}/sessions/{sessionId}": 404,
    }


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        # An import error: Lambda answers 200 with FunctionError and the error as payload.
        (
            lambda: {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": _payload({"errorType": "Runtime.ImportModuleError"}),
            },
            'the function failed: {"errorType": "Runtime.ImportModuleError"}',
        ),
        # A handled fault (e.g. no permission on the table): a 500 where a 404 is due.
        (
            lambda: {"StatusCode": 200, "Payload": _payload({"statusCode": 500})},
            "answered 500, expected 404",
        ),
        (lambda: {"StatusCode": 200, "Payload": _payload("not a response")}, "answered None"),
        # Any status but the expected one, not only a 5xx: a version that finds a session
        # nobody has (the wrong table, a broken key) or refuses the probe's caller.
        (
            lambda: {"StatusCode": 200, "Payload": _payload({"statusCode": 200})},
            "answered 200, expected 404",
        ),
        (
            lambda: {"StatusCode": 200, "Payload": _payload({"statusCode": 403})},
            "answered 403, expected 404",
        ),
    ],
)
def test_should_name_what_a_broken_version_answered(
    answer: Callable[[], dict[str, Any]], problem: str
) -> None:
    route = next(r for r in ROUTES if r.route_key == "GET /courses/{courseId}/sessions/{sessionId}")

    (found,) = release_check.check(DeployedVersion(route, answer), TARGET, route.route_key)

    assert found.startswith("GET /courses/release-check/sessions/")
    assert problem in found


def test_should_fail_a_route_it_has_no_check_for() -> None:
    assert release_check.check(object(), TARGET, "PATCH /courses") == [
        "no release check is declared for route 'PATCH /courses'"
    ]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    """The hook's Lambda and CodeDeploy clients, stubbed: each call must be one the test
    expects, with exactly those parameters."""
    monkeypatch.setenv(release_check.TARGET_ENV, TARGET)
    monkeypatch.setenv(release_check.ROUTE_ENV, "GET /courses/{courseId}/sessions/{sessionId}")
    clients = {
        name: boto3.client(name, region_name="eu-west-1") for name in ("lambda", "codedeploy")
    }
    stubbers = {name: Stubber(client) for name, client in clients.items()}
    monkeypatch.setattr(boto3, "client", lambda name, **_: clients[name])
    for stubber in stubbers.values():
        stubber.activate()
    yield stubbers
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def _expect_invoke(aws: dict[str, Stubber], response: dict[str, Any]) -> None:
    aws["lambda"].add_response(
        "invoke",
        response,
        {"FunctionName": TARGET, "InvocationType": "RequestResponse", "Payload": ANY},
    )


def _expect_report(aws: dict[str, Stubber], status: str) -> None:
    aws["codedeploy"].add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": HOOK_EVENT["LifecycleEventHookExecutionId"]},
        {
            "deploymentId": HOOK_EVENT["DeploymentId"],
            "lifecycleEventHookExecutionId": HOOK_EVENT["LifecycleEventHookExecutionId"],
            "status": status,
        },
    )


def test_should_report_succeeded_for_a_version_that_answers_as_it_must(
    aws: dict[str, Stubber],
) -> None:
    _expect_invoke(aws, {"StatusCode": 200, "Payload": _payload({"statusCode": 404})})
    _expect_report(aws, "Succeeded")

    assert release_check.handler(HOOK_EVENT, None) == {"status": "Succeeded", "problems": []}


def test_should_report_failed_for_a_version_that_cannot_start(aws: dict[str, Stubber]) -> None:
    _expect_invoke(
        aws,
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "Payload": _payload({"errorType": "Runtime.ImportModuleError"}),
        },
    )
    _expect_report(aws, "Failed")

    assert release_check.handler(HOOK_EVENT, None)["status"] == "Failed"


def test_should_report_failed_when_it_cannot_even_invoke(aws: dict[str, Stubber]) -> None:
    aws["lambda"].add_client_error("invoke", "AccessDeniedException", http_status_code=403)
    _expect_report(aws, "Failed")

    result = release_check.handler(HOOK_EVENT, None)

    assert result["status"] == "Failed"
    assert "AccessDeniedException" in result["problems"][0]


def test_should_name_its_handler_where_the_construct_reads_it() -> None:
    module, _, name = RELEASE_CHECK_HANDLER.rpartition(".")

    assert getattr(importlib.import_module(module), name) is release_check.handler
