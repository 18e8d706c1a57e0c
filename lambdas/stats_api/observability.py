"""The service's Powertools logger and metrics, shared by every handler.

Tracer is left out on purpose: instantiating it imports the X-Ray SDK (~350 ms of
cold start); the functions' active tracing still records each invocation.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

from stats_api.shared_names import METRICS_NAMESPACE, SERVICE_NAME

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

# Reads and refused requests publish no metric by design; Powertools would warn each time.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
