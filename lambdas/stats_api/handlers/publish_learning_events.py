"""The learning events publisher: the sessions table's stream in, events on the bus out.

Not an HTTP route: Lambda's event source mapping invokes it with a batch of stream records
(only sessions' INSERT and REMOVE pass its filter). It answers with the first record whose
event the bus did not take (``ReportBatchItemFailures``): Lambda retries the batch from
there, and past its retries describes it in the on-failure queue. Nothing is skipped
silently; a record published twice carries the same ``eventId``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stats_api.event_bus import bus_name, put_entries
from stats_api.event_publishing import publish
from stats_api.observability import logger, metrics
from stats_api.shared_names import EVENTS_PUBLISHED_METRIC, FUNCTION_NAME_DIMENSION


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_dimension(name=FUNCTION_NAME_DIMENSION, value=context.function_name)
    records = event.get("Records") or []
    outcome = publish(records, bus_name(), put_entries)
    metrics.add_metric(name=EVENTS_PUBLISHED_METRIC, unit=MetricUnit.Count, value=outcome.published)
    if outcome.first_failure is None:
        logger.info(
            "stream batch published",
            extra={"records": len(records), "published": outcome.published},
        )
        return {"batchItemFailures": []}
    logger.error(
        "events not published; Lambda retries from the first",
        extra={"records": len(records), "from": outcome.first_failure, "reason": outcome.reason},
    )
    return {"batchItemFailures": [{"itemIdentifier": outcome.first_failure}]}
