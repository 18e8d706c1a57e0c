"""Names the CDK construct and the running functions must agree on (and the operator's
tools: the deployed stack's name and outputs, here because this module imports nothing, so
``make erase`` need not load the CDK to find a stage's table)."""

TABLE_NAME_ENV = "TABLE_NAME"
# Set (to "on") where the history routes are turned on: the functions may query the table's
# history index (windowed course stats).
HISTORY_ENV = "HISTORY_ROUTES"
SERVICE_NAME = "stats-service"
METRICS_NAMESPACE = "StatsService"
# Metrics the handlers publish (Powertools Metrics, EMF) in METRICS_NAMESPACE, with the
# dimensions service = SERVICE_NAME and FUNCTION_NAME_DIMENSION = the Lambda function's name.
FAULTS_METRIC = "Faults"  # Count: 1 per invocation answered 500
SESSIONS_RECORDED_METRIC = "SessionsRecorded"  # Count: 1 per session recorded
FUNCTION_NAME_DIMENSION = "function_name"
# Set where the analytics routes are turned on: the analytics table's name, which the
# aggregator writes and the analytics routes read.
ANALYTICS_TABLE_ENV = "ANALYTICS_TABLE_NAME"
SESSIONS_AGGREGATED_METRIC = "SessionsAggregated"  # Count: contributions applied (not replays)
# The aggregator: not a route; the sessions table's stream invokes it.
AGGREGATOR_HANDLER = "stats_api.handlers.aggregate_course_analytics.handler"
# Learning events (the events prop): the publisher the sessions table's stream invokes puts
# them on the bus EVENT_BUS_NAME_ENV names; with an LRS, the forwarder takes them from its
# queue to the LRS's statements resource, with the credentials kept in the secret
# LRS_CREDENTIALS_SECRET_ENV names ({"username": ..., "password": ...}) and the deployment's
# xAPI profile (the actor's homePage, the course activity IRI template).
PUBLISHER_HANDLER = "stats_api.handlers.publish_learning_events.handler"
FORWARDER_HANDLER = "stats_api.handlers.forward_to_lrs.handler"
EVENT_BUS_NAME_ENV = "EVENT_BUS_NAME"
LRS_STATEMENTS_URL_ENV = "LRS_STATEMENTS_URL"
LRS_CREDENTIALS_SECRET_ENV = "LRS_CREDENTIALS_SECRET"  # noqa: S105 - a variable name
LRS_ACTOR_HOME_PAGE_ENV = "LRS_ACTOR_HOME_PAGE"
LRS_COURSE_IRI_TEMPLATE_ENV = "LRS_COURSE_IRI_TEMPLATE"
EVENTS_PUBLISHED_METRIC = "EventsPublished"  # Count: events the bus took
EVENTS_FORWARDED_METRIC = "EventsForwarded"  # Count: events whose statements the LRS holds
LRS_CONFLICTS_METRIC = "LrsConflicts"  # Count: statements the LRS holds with other content
# Every function the sessions table's stream invokes, and every function a queue invokes (no
# route does; make bench times each).
STREAM_HANDLERS = (AGGREGATOR_HANDLER, PUBLISHER_HANDLER)
QUEUE_HANDLERS = (FORWARDER_HANDLER,)
# The pre-traffic check of each release (stats_api.release_check): its handler, and the
# variables naming the version it checks (a qualified ARN) and the route that version serves.
# Here, not there: the construct must not import that module's boto3.
RELEASE_CHECK_HANDLER = "stats_api.release_check.handler"
RELEASE_CHECK_TARGET_ENV = "RELEASE_CHECK_TARGET"
RELEASE_CHECK_ROUTE_ENV = "RELEASE_CHECK_ROUTE"
# RELEASE_CHECK_ROUTE of the aggregator's check (it serves no route: a stream batch), and of
# the learning events' publisher and forwarder.
AGGREGATOR_RELEASE_CHECK = "stream: course analytics"
PUBLISHER_RELEASE_CHECK = "stream: learning events"
FORWARDER_RELEASE_CHECK = "queue: learning events to the LRS"
# The stack a stage deploys as (one per region) and the outputs naming its tables.
STACK_NAME = "StatsService-{stage}"
TABLE_NAME_OUTPUT = "TableName"
ANALYTICS_TABLE_NAME_OUTPUT = "AnalyticsTableName"  # with analytics on
# With learning events: the bus they go to; with an LRS, the xAPI actor's homePage, which
# make erase names for the LRS's own erasure.
EVENT_BUS_NAME_OUTPUT = "EventBusName"
LRS_ACTOR_HOME_PAGE_OUTPUT = "LrsActorHomePage"
# With IAM auth and analytics: a role granted the analytics routes only, for the release
# gate to assume as the analyst (ANALYST_ROLE_ARN).
ANALYTICS_READER_OUTPUT = "AnalyticsReaderRoleArn"
