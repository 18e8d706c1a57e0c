"""Names the CDK construct and the running functions must agree on."""

TABLE_NAME_ENV = "TABLE_NAME"
SERVICE_NAME = "stats-service"
METRICS_NAMESPACE = "StatsService"
# Custom metrics (Powertools EMF), each with the dimensions ``service`` and this one.
FUNCTION_NAME_DIMENSION = "function_name"
FAULTS_METRIC = "Faults"
SESSIONS_RECORDED_METRIC = "SessionsRecorded"
