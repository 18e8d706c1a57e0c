"""Names the CDK construct and the running functions must agree on."""

TABLE_NAME_ENV = "TABLE_NAME"
SERVICE_NAME = "stats-service"
METRICS_NAMESPACE = "StatsService"
