"""The pre-traffic checks of the learning events' functions, run by the real handlers on
moto: the publisher's batch publishes nothing, the forwarder's empty batch reads the LRS's
credentials and sends nothing; a version that fails either is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from local_run.events import LambdaContext
from local_run.gateway import load_handler_path
from stats_api import release_check
from stats_api.learning_events_stream import learning_event
from stats_api.shared_names import (
    FORWARDER_HANDLER,
    FORWARDER_RELEASE_CHECK,
    PUBLISHER_HANDLER,
    PUBLISHER_RELEASE_CHECK,
)
from stats_devkit.fake_lrs import FakeLrs
from tests.support.deployed_versions import TARGET, DeployedVersion, function_error, payload_of
from tests.support.event_bus import ConsumedBus


def publisher(answer: Callable[[], dict[str, Any]] | None = None) -> DeployedVersion:
    return DeployedVersion(load_handler_path(PUBLISHER_HANDLER), answer)


def test_should_pass_a_working_publisher_and_publish_nothing(bus: ConsumedBus) -> None:
    version = publisher()

    assert release_check.check(version, TARGET, PUBLISHER_RELEASE_CHECK) == []
    (event,) = version.events
    (sent,) = event["Records"]  # a stream record as Lambda delivers it...
    assert (sent["eventSource"], sent["dynamodb"]["StreamViewType"]) == (
        "aws:dynamodb",
        "NEW_AND_OLD_IMAGES",
    )
    assert learning_event(sent) is None  # ...that is no session's change
    assert bus.received() == []


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (
            function_error("AccessDeniedException"),
            'the publisher failed on a batch: {"errorType": "AccessDeniedException"}',
        ),
        (
            lambda: {
                "StatusCode": 200,
                "Payload": payload_of({"batchItemFailures": [{"itemIdentifier": "0"}]}),
            },
            "the publisher answered",
        ),
    ],
)
def test_should_fail_a_publisher_that_errs_or_refuses_the_batch(
    answer: Callable[[], dict[str, Any]], problem: str
) -> None:
    (found,) = release_check.check(publisher(answer), TARGET, PUBLISHER_RELEASE_CHECK)
    assert problem in found


def test_should_pass_a_working_forwarder_and_send_nothing(lrs_secret: Any, lrs: FakeLrs) -> None:
    version = DeployedVersion(load_handler_path(FORWARDER_HANDLER))

    assert release_check.check(version, TARGET, FORWARDER_RELEASE_CHECK) == []
    assert version.events == [{"Records": []}]
    assert lrs.received == []


def test_a_forwarder_without_its_credentials_should_fail_its_check(lrs_secret: Any) -> None:
    lrs_secret.delete_secret(SecretId="lrs", ForceDeleteWithoutRecovery=True)
    # On AWS the invocation fails (a FunctionError); in-process the handler raises.
    with pytest.raises(parameters.exceptions.GetParameterError):
        load_handler_path(FORWARDER_HANDLER)({"Records": []}, LambdaContext())
    (found,) = release_check.check(
        DeployedVersion(load_handler_path(FORWARDER_HANDLER), function_error("GetParameterError")),
        TARGET,
        FORWARDER_RELEASE_CHECK,
    )
    assert found == 'the forwarder failed on a batch: {"errorType": "GetParameterError"}'
