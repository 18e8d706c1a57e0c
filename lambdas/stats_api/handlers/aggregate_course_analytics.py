"""The aggregator: the sessions table's stream in, course analytics kept up to date.

Not an HTTP route: Lambda's event source mapping invokes it with a batch of stream
records. It raises on any failure, so Lambda retries the batch (bisecting it) and, past
its retries, sends the batch's description to the on-failure queue: nothing is skipped
silently. A retried batch is harmless: each change applies once (contribution markers).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stats_api.analytics_stream import contribution
from stats_api.analytics_writes import analytics_writes
from stats_api.observability import logger, metrics
from stats_api.shared_names import FUNCTION_NAME_DIMENSION, SESSIONS_AGGREGATED_METRIC


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_dimension(name=FUNCTION_NAME_DIMENSION, value=context.function_name)
    records = event.get("Records") or []
    changes = [change for record in records if (change := contribution(record)) is not None]
    try:
        applied = analytics_writes().apply(changes)
    except Exception:
        logger.exception("stream batch failed; Lambda retries it", extra={"records": len(records)})
        raise
    logger.info("stream batch applied", extra={"records": len(records), "applied": applied})
    metrics.add_metric(name=SESSIONS_AGGREGATED_METRIC, unit=MetricUnit.Count, value=applied)
    return {"applied": applied}
