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
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from stats_api import release_batches, release_check
from stats_api.analytics_stream import contribution
from stats_api.analytics_writes import analytics_writes
from stats_api.routes import CORE_ROUTES, ROUTES, Route
from stats_api.shared_names import AGGREGATOR_RELEASE_CHECK, RELEASE_CHECK_HANDLER
from stats_tools import analytics_backfill
from tests.support.analytics import ANALYTICS_TABLE, StreamTap, aggregate
from tests.support.deployed_versions import (
    TARGET,
    DeployedVersion,
    function_error,
    payload_of,
)
from tests.support.handler_client import TABLE, record, session_body, table_items

HOOK_EVENT = {"DeploymentId": "d-ABCDEF123", "LifecycleEventHookExecutionId": "hook-exec-42"}


@pytest.mark.usefixtures("dynamodb")
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.function_id)
def test_should_pass_a_working_version_of_every_route_and_change_nothing(
    route: Route, dynamodb: Any
) -> None:
    version = DeployedVersion.of(route)

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
            function_error("Runtime.ImportModuleError"),
            'the function failed: {"errorType": "Runtime.ImportModuleError"}',
        ),
        # A handled fault (e.g. no permission on the table): a 500 where a 404 is due.
        (
            lambda: {"StatusCode": 200, "Payload": payload_of({"statusCode": 500})},
            "answered 500, expected 404",
        ),
        (lambda: {"StatusCode": 200, "Payload": payload_of("not a response")}, "answered None"),
        # Any status but the expected one, not only a 5xx: a version that finds a session
        # nobody has (the wrong table, a broken key) or refuses the probe's caller.
        (
            lambda: {"StatusCode": 200, "Payload": payload_of({"statusCode": 200})},
            "answered 200, expected 404",
        ),
        (
            lambda: {"StatusCode": 200, "Payload": payload_of({"statusCode": 403})},
            "answered 403, expected 404",
        ),
    ],
)
def test_should_name_what_a_broken_version_answered(
    answer: Callable[[], dict[str, Any]], problem: str
) -> None:
    route = next(r for r in ROUTES if r.route_key == "GET /courses/{courseId}/sessions/{sessionId}")

    (found,) = release_check.check(DeployedVersion.of(route, answer), TARGET, route.route_key)

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
    _expect_invoke(aws, {"StatusCode": 200, "Payload": payload_of({"statusCode": 404})})
    _expect_report(aws, "Succeeded")

    assert release_check.handler(HOOK_EVENT, None) == {"status": "Succeeded", "problems": []}


def test_should_report_failed_for_a_version_that_cannot_start(aws: dict[str, Stubber]) -> None:
    _expect_invoke(aws, function_error("Runtime.ImportModuleError")())
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


# The aggregator's check: a stream batch no version may apply, run by the real aggregator on
# moto against tables holding analytics (markers from the stream, and one from the backfill).
def deployed_aggregator(answer: Callable[[], dict[str, Any]] | None = None) -> DeployedVersion:
    """The aggregator's new version, as the event source mapping would run it."""
    return DeployedVersion(lambda event, _: aggregate(event["Records"]), answer)


def analytics_items(client: Any) -> list[dict[str, Any]]:
    return sorted(
        client.scan(TableName=ANALYTICS_TABLE, ConsistentRead=True)["Items"],
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )


@pytest.fixture
def analytics(streamed_dynamodb: Any) -> list[dict[str, Any]]:
    """Course analytics on moto, kept by the stream and the backfill; the stream's records."""
    tap = StreamTap()
    for user in ("ada", "bob"):
        body = session_body(completedAt="2026-11-28T10:00:00Z")
        assert record("algebra-1", user=user, body=body).status == 201
    assert record("release-check", user="cy", body=session_body()).status == 201
    records = tap.take()
    aggregate(records)
    backfilled = record("geometry", user="dan", body=session_body())
    assert backfilled.status == 201
    tap.take()  # as if recorded before analytics were on: only the backfill counts it
    read = list(analytics_backfill.sessions(streamed_dynamodb, TABLE))
    assert analytics_writes().apply(read, still_stored_in=TABLE) == 1
    return records


@pytest.mark.usefixtures("analytics")
def test_should_pass_a_working_aggregator_and_change_no_courses_analytics(
    streamed_dynamodb: Any,
) -> None:
    before = analytics_items(streamed_dynamodb)
    version = deployed_aggregator()

    assert release_check.check(version, TARGET, AGGREGATOR_RELEASE_CHECK) == []
    (event,) = version.events
    (sent,) = event["Records"]  # a withdrawal, as the stream delivers it
    assert (sent["eventName"], sent["eventSource"]) == ("REMOVE", "aws:dynamodb")
    assert sent["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert contribution(sent) is not None  # one the aggregator reads, not one it skips
    assert analytics_items(streamed_dynamodb) == before


def test_its_batch_should_change_nothing_whatever_the_tables_hold(
    streamed_dynamodb: Any, analytics: list[dict[str, Any]]
) -> None:
    # Even the withdrawal of a session the analytics count, stream- or backfill-added, is
    # a no-op at sequence 0: it takes off only markers older than itself, and none is.
    before = analytics_items(streamed_dynamodb)
    made_up = release_batches.stream_event("ada")["Records"][0]

    def withdrawal_of(image: dict[str, Any]) -> dict[str, Any]:
        keys = {name: image[name] for name in ("userId", "sessionId")}
        return {**made_up, "dynamodb": {**made_up["dynamodb"], "Keys": keys, "OldImage": image}}

    replays = [
        withdrawal_of(r["dynamodb"]["NewImage"])
        for r in analytics
        if r["eventName"] == "INSERT" and contribution(r) is not None
    ]
    backfilled = next(
        item for item in table_items(streamed_dynamodb) if item["userId"]["S"] == "dan"
    )
    replays.append(withdrawal_of(backfilled))

    assert len(replays) == 4
    assert aggregate(replays) == {"applied": 0}
    assert analytics_items(streamed_dynamodb) == before


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (
            function_error("AccessDeniedException"),
            'the aggregator failed on a batch: {"errorType": "AccessDeniedException"}',
        ),
        # A version that applied the withdrawal would have changed a course's analytics.
        (
            lambda: {"StatusCode": 200, "Payload": payload_of({"applied": 1})},
            "the aggregator answered {\"applied\": 1}, expected {'applied': 0}",
        ),
        (lambda: {"StatusCode": 200, "Payload": payload_of(None)}, "answered null"),
    ],
)
def test_should_fail_an_aggregator_that_errs_or_applies_the_batch(
    answer: Callable[[], dict[str, Any]], problem: str
) -> None:
    (found,) = release_check.check(deployed_aggregator(answer), TARGET, AGGREGATOR_RELEASE_CHECK)

    assert problem in found


@pytest.mark.parametrize("missing", [release_check.TARGET_ENV, release_check.ROUTE_ENV])
def test_should_report_failed_at_once_when_a_setting_of_its_own_is_missing(
    aws: dict[str, Stubber], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    _expect_report(aws, "Failed")  # no invoke at all: the Lambda stubber expects none

    result = release_check.handler(HOOK_EVENT, None)

    assert result["status"] == "Failed"
    assert result["problems"] == [f"the hook's setting '{missing}' is missing"]


def test_should_stop_the_deployment_when_it_cannot_report(aws: dict[str, Stubber]) -> None:
    _expect_invoke(aws, {"StatusCode": 200, "Payload": payload_of({"statusCode": 404})})
    aws["codedeploy"].add_client_error(
        "put_lifecycle_event_hook_execution_status", "AccessDeniedException", http_status_code=400
    )
    aws["codedeploy"].add_response(
        "stop_deployment",
        {"status": "Pending"},
        {"deploymentId": HOOK_EVENT["DeploymentId"], "autoRollbackEnabled": True},
    )

    # Raised too: Lambda records the error (the hook's logs and Errors metric).
    with pytest.raises(ClientError, match="AccessDeniedException"):
        release_check.handler(HOOK_EVENT, None)


def test_should_retry_its_report_before_giving_up_on_it() -> None:
    config: Any = release_check.CODEDEPLOY_CONFIG
    retries = config.retries

    assert retries == {"mode": "standard", "max_attempts": 5}
