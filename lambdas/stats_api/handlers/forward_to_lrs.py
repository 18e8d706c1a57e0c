"""The LRS forwarder: learning events from its queue in, xAPI statements to the LRS out.

Not an HTTP route: Lambda's event source mapping invokes it with a batch of the queue's
messages, each an EventBridge event the bus's rule sent there. It answers with the messages
not delivered (``ReportBatchItemFailures``): those come back after the queue's visibility
timeout, and past its receive count go to the dead-letter queue. Statements sent again are
harmless: their ids are derived from the recording, and the LRS keeps one.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stats_api.lrs_forwarding import forward_messages
from stats_api.lrs_settings import lrs_endpoint, lrs_profile
from stats_api.observability import logger, metrics
from stats_api.shared_names import (
    EVENTS_FORWARDED_METRIC,
    FUNCTION_NAME_DIMENSION,
    LRS_CONFLICTS_METRIC,
)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_dimension(name=FUNCTION_NAME_DIMENSION, value=context.function_name)
    messages = event.get("Records") or []
    # Read even for no message: the release check's empty batch proves the secret readable.
    endpoint, profile = lrs_endpoint(), lrs_profile()
    delivery = forward_messages(messages, profile, endpoint)
    forwarded = len(messages) - len(delivery.failed)
    metrics.add_metric(name=EVENTS_FORWARDED_METRIC, unit=MetricUnit.Count, value=forwarded)
    if delivery.conflicts:
        metrics.add_metric(
            name=LRS_CONFLICTS_METRIC, unit=MetricUnit.Count, value=delivery.conflicts
        )
        logger.warning(
            "the LRS holds other statements under ids it was sent; left as they are",
            extra={"conflicts": delivery.conflicts},
        )
    if delivery.failed:
        logger.error(
            "events not delivered to the LRS; their messages come back later",
            extra={"failed": len(delivery.failed), "reasons": list(delivery.reasons)},
        )
    else:
        logger.info("queue batch forwarded", extra={"events": forwarded})
    return {
        "batchItemFailures": [
            {"itemIdentifier": messages[index]["messageId"]} for index in delivery.failed
        ]
    }
