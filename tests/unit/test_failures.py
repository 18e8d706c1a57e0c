"""Database failures: each maps to one status with a generic message, and a session never
exists without its share of the course stats (nor the reverse)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from local_run.events import LambdaContext
from stats_api.shared_names import (
    FAULTS_METRIC,
    FUNCTION_NAME_DIMENSION,
    METRICS_NAMESPACE,
    SERVICE_NAME,
)
from stats_devkit.store_probe import StoreProbe
from tests.support.handler_client import (
    COURSE,
    TABLE,
    USER,
    assert_internal_error,
    fetch_course_stats,
    fetch_session,
    record,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

BUSY = {"message": "the service is busy; retry the request shortly"}
ENDPOINT = "https://dynamodb.us-east-1.amazonaws.com"


def _assert_busy(response: Any, log: list[dict[str, Any]]) -> None:
    assert response.status == 503
    assert response.body == BUSY
    assert response.headers["retry-after"] == "1"
    warnings = [line for line in log if line["level"] == "WARNING"]
    assert len(warnings) == 1
    assert warnings[0]["correlation_id"]


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("ThrottlingException", {}),
        ("ProvisionedThroughputExceededException", {}),
        (
            "TransactionCanceledException",
            {"CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}]},
        ),
        (
            "TransactionCanceledException",
            {"CancellationReasons": [{"Code": "ThrottlingError"}, {"Code": "None"}]},
        ),
    ],
)
def test_should_answer_503_and_store_nothing_if_the_write_is_throttled_or_contended(
    dynamodb: Any, store_probe: StoreProbe, service_log: Any, code: str, extra: dict[str, Any]
) -> None:
    store_probe.fail("TransactWriteItems", code, status=400, **extra)

    response = record(body=session_body())

    _assert_busy(response, service_log())
    assert table_items(dynamodb) == []


def test_should_answer_503_if_the_database_cannot_be_reached(
    dynamodb: Any, store_probe: StoreProbe, service_log: Any
) -> None:
    store_probe.raise_before("TransactWriteItems", ConnectTimeoutError(endpoint_url=ENDPOINT))

    _assert_busy(record(body=session_body()), service_log())
    assert table_items(dynamodb) == []


def test_should_answer_503_if_a_read_is_throttled(
    store_probe: StoreProbe, service_log: Any
) -> None:
    assert record(body=session_body()).status == 201
    store_probe.fail("GetItem", "ThrottlingException", status=400)

    _assert_busy(fetch_course_stats(), service_log())


def test_should_count_a_session_once_when_its_response_was_lost_and_the_client_retries(
    dynamodb: Any, store_probe: StoreProbe, service_log: Any
) -> None:
    body = session_body(sessionId=str(uuid.uuid4()))
    store_probe.raise_after("TransactWriteItems", ReadTimeoutError(endpoint_url=ENDPOINT))

    lost = record(body=body)

    _assert_busy(lost, service_log())
    # DynamoDB committed both items before the response was lost: all or nothing.
    assert {item["sessionId"]["S"] for item in table_items(dynamodb)} == {
        body["sessionId"],
        f"course#{COURSE}",
    }
    store_probe.lost_responses.clear()
    retried = record(body=body)
    assert retried.status == 200
    assert retried.body["sessionId"] == body["sessionId"]
    assert fetch_course_stats().body["sessionCount"] == 1


def test_should_roll_back_the_session_if_the_course_stats_cannot_be_updated(
    dynamodb: Any, service_log: Any
) -> None:
    # A corrupt aggregate (a string where ADD needs a number) makes the Update fail
    # inside the transaction: the session's Put must not survive it.
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "userId": {"S": USER},
            "sessionId": {"S": f"course#{COURSE}"},
            "courseId": {"S": COURSE},
            "sessionCount": {"S": "corrupt"},
        },
    )

    response = record(body=session_body())

    assert_internal_error(response, service_log(), "ValidationException")
    assert [item["sessionId"]["S"] for item in table_items(dynamodb)] == [f"course#{COURSE}"]


def test_should_answer_500_if_a_conflicting_replay_cannot_be_checked(
    store_probe: StoreProbe, service_log: Any
) -> None:
    body = session_body(sessionId=str(uuid.uuid4()))
    assert record(body=body).status == 201
    store_probe.fail("GetItem", "InternalServerError")

    response = record(body=body)

    assert_internal_error(response, service_log(), "injected InternalServerError")
    store_probe.faults.clear()
    assert fetch_session(body["sessionId"]).status == 200
    assert fetch_course_stats().body["sessionCount"] == 1


def test_should_publish_a_fault_metric_for_the_function_that_answered_500(
    store_probe: StoreProbe, published_metrics: Callable[[], list[dict[str, Any]]]
) -> None:
    # Handlers answer faults with a 500 instead of raising, so Lambda's own Errors metric
    # never counts them; this EMF metric is what the fault alarms watch.
    store_probe.fail("TransactWriteItems", "ResourceNotFoundException", status=400)

    assert record(body=session_body()).status == 500

    (emf,) = published_metrics()
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == METRICS_NAMESPACE
    assert [metric["Name"] for metric in directive["Metrics"]] == [FAULTS_METRIC]
    assert set(directive["Dimensions"][0]) == {"service", FUNCTION_NAME_DIMENSION}
    assert emf[FAULTS_METRIC] == [1.0]
    assert emf[FUNCTION_NAME_DIMENSION] == LambdaContext().function_name
    assert emf["service"] == SERVICE_NAME


@pytest.mark.parametrize("status", [201, 400, 503])
def test_should_publish_no_fault_metric_for_an_answer_that_is_not_a_fault(
    store_probe: StoreProbe, published_metrics: Callable[[], list[dict[str, Any]]], status: int
) -> None:
    if status == 503:
        store_probe.fail("TransactWriteItems", "ThrottlingException", status=400)
    body = session_body() if status != 400 else session_body(averageScore=101)

    assert record(body=body).status == status

    assert not [emf for emf in published_metrics() if FAULTS_METRIC in emf]
