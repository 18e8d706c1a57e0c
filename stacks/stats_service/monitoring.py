"""Alarms and a dashboard for a ``StatsService``, built with cdk-monitoring-constructs.

Alarms cover what a learner would notice or what costs money: API 5xx rate, function
errors, faults, throttles and p99 latency, each table's throttling and system errors
(summed over the operations the service calls there), and with analytics the aggregator
falling behind or giving up on a batch. They notify one SNS topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api.routes import RECORD_SESSION, Route
from stats_api.shared_names import FAULTS_METRIC, SESSIONS_RECORDED_METRIC

from .alarm_thresholds import at_first_datapoint, graph_with_critical_alarm
from .data_monitoring import monitor_learning_events, monitor_stream_consumer, monitor_table
from .learning_events import LearningEvents
from .monitoring_names import alarm_name_prefix, dashboard_name
from .service_metrics import handler_metric, table_operations

API_5XX_RATE = 0.01  # of requests
FUNCTION_FAULT_RATE = 0.01  # of invocations
# A healthy invocation takes tens of milliseconds, a first one per environment a few hundred
# (the DynamoDB client and its connection are made on first use). 2 s is the client's read
# timeout (dynamodb_calls.CLIENT_CONFIG): a p99 above it means more than 1% of requests sat
# out a timeout or a retry, which no healthy release does. Three 1-minute periods in a row,
# so one slow minute does not roll a release back, and a canary's 5-minute bake can.
LATENCY_P99 = Duration.seconds(2)
LATENCY_PERIOD = Duration.minutes(1)
LATENCY_PERIODS_TO_ALARM = 3
_API_5XX_TAG = "api-5xx-rate"
_AGGREGATOR_RELEASE_TAG = "aggregator-release"
# The analytics promise freshness within seconds; a minute behind for 3 minutes running is a
# stuck or failing aggregator, not a burst.
AGGREGATOR_MAX_ITERATOR_AGE = Duration.minutes(1)


class StatsServiceMonitoring(Construct):
    """The alarms and dashboard of one ``StatsService``, created through ``facade``.

    ``fault_alarms_for(function_id)`` gives the alarms that say a function is failing, for
    a deployment to watch (e.g. a canary that rolls back on them);
    ``release_alarms_for(function_id)`` adds its latency and the API's 5xx rate, the set a
    release of the function rolls back on.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage_name: str,
        topic: sns.ITopic,
        api: apigw.IHttpApi,
        api_stage: str,
        functions: Mapping[str, lambda_.IFunction],
        table: dynamodb.ITable,
        routes: Sequence[Route],
        history: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.facade = monitoring.MonitoringFacade(
            self,
            "Facade",
            alarm_factory_defaults=monitoring.AlarmFactoryDefaults(
                alarm_name_prefix=alarm_name_prefix(scope),
                actions_enabled=True,
                action=monitoring.SnsAlarmActionStrategy(on_alarm_topic=topic),
                datapoints_to_alarm=3,
                evaluation_periods=3,
            ),
            dashboard_factory=monitoring.DefaultDashboardFactory(
                self,
                "Dashboards",
                # The factory uses the prefix as the name of its only dashboard.
                dashboard_name_prefix=dashboard_name(scope),
                create_dashboard=True,
                create_summary_dashboard=False,
                create_alarm_dashboard=False,
            ),
        )
        self.facade.add_large_header(f"Stats service ({stage_name})")
        self._monitor_api(api, api_stage)
        self._monitor_functions(functions)
        monitor_table(
            self.facade,
            table,
            "Table",
            "Sessions table",
            table_operations(routes, history=history),
        )
        self._monitor_sessions(functions[RECORD_SESSION.function_id])

    def fault_alarms_for(self, function_id: str) -> list[cloudwatch.IAlarm]:
        """The alarms on function ``function_id``'s faults: its error rate and first error
        (the Lambda ``Errors`` metric: crashes, timeouts) and its handled 500s (``Faults``)."""
        return self._tagged(_fault_tag(function_id), f"no function {function_id!r}")

    def release_alarms_for(self, function_id: str) -> list[cloudwatch.IAlarm]:
        """The alarms a new release of function ``function_id`` must keep quiet while it
        takes traffic: its fault alarms, its p99 latency, and the API's 5xx rate."""
        return [
            *self.fault_alarms_for(function_id),
            *self._tagged(_latency_tag(function_id), f"no function {function_id!r}"),
            *self._tagged(_API_5XX_TAG, "no API"),
        ]

    def aggregator_release_alarms(self) -> list[cloudwatch.IAlarm]:
        """The alarms a new aggregator version must keep quiet while it takes batches: its
        errors (a batch it failed) and its iterator age (the analytics falling behind)."""
        return self._tagged(_AGGREGATOR_RELEASE_TAG, "no aggregator")

    def consumer_release_alarms(self, function_id: str) -> list[cloudwatch.IAlarm]:
        """The alarms a new version of a stream's or a queue's consumer (the learning
        events' publisher and forwarder) must keep quiet while it takes batches."""
        return self._tagged(_consumer_release_tag(function_id), f"no consumer {function_id!r}")

    def monitor_learning_events(self, events: LearningEvents) -> None:
        """The publisher as a consumer of the sessions table's stream; with an LRS, the
        forwarder as its queue's consumer and the rule that feeds that queue."""
        monitor_learning_events(self.facade, events, release_tag=_consumer_release_tag)

    def _tagged(self, tag: str, missing: str) -> list[cloudwatch.IAlarm]:
        alarms = self.facade.created_alarms_with_tag(tag)
        if not alarms:
            raise KeyError(f"{missing} is monitored here")
        return [alarm.alarm for alarm in alarms]

    def _monitor_api(self, api: apigw.IHttpApi, api_stage: str) -> None:
        self.facade.monitor_api_gateway_v2_http_api(
            api=api,
            api_stage=api_stage,
            alarm_friendly_name="Api",
            human_readable_name="HTTP API",
            add5xx_rate_alarm={
                "Critical": monitoring.ErrorRateThreshold(
                    max_error_rate=API_5XX_RATE, custom_tags=[_API_5XX_TAG]
                )
            },
        )

    def _monitor_functions(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        for function_id, function in functions.items():
            self.facade.monitor_lambda_function(
                lambda_function=function,
                alarm_friendly_name=function_id,
                human_readable_name=f"{function_id} function",
                add_fault_rate_alarm={
                    "Critical": monitoring.ErrorRateThreshold(
                        max_error_rate=FUNCTION_FAULT_RATE,
                        custom_tags=[_fault_tag(function_id)],
                    )
                },
                # At the first error, as the Faults alarm below: an error means the handler
                # never answered (import failure, timeout, out of memory), so a release that
                # cannot start rolls back within a canary's bake, not after the rate
                # alarm's 15 minutes.
                add_fault_count_alarm={
                    "Critical": at_first_datapoint(
                        monitoring.ErrorCountThreshold,
                        max_error_count=0,
                        custom_tags=[_fault_tag(function_id)],
                    )
                },
                add_latency_p99_alarm={
                    "Critical": monitoring.LatencyThreshold(
                        max_latency=LATENCY_P99,
                        period=LATENCY_PERIOD,
                        evaluation_periods=LATENCY_PERIODS_TO_ALARM,
                        datapoints_to_alarm=LATENCY_PERIODS_TO_ALARM,
                        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                        custom_tags=[_latency_tag(function_id)],
                    )
                },
                add_throttles_count_alarm={
                    "Warning": monitoring.ErrorCountThreshold(max_error_count=0)
                },
            )
        # Handlers answer every unforeseen exception with a 500, so Lambda's Errors never
        # sees it: the handlers count those in their own Faults metric.
        self.facade.monitor_custom(
            alarm_friendly_name="Faults",
            human_readable_name="Faults (invocations answered 500)",
            metric_groups=[
                graph_with_critical_alarm(
                    f"{function_id} faults",
                    handler_metric(FAULTS_METRIC, function, Duration.minutes(1)),
                    alarm_friendly_name=function_id,
                    alarm=_fault_alarm(function_id),
                )
                for function_id, function in functions.items()
            ],
        )

    def monitor_analytics(
        self,
        aggregator: lambda_.IFunction,
        failures: sqs.IQueue,
        table: dynamodb.ITable,
        operations: tuple[str, ...],
    ) -> None:
        """Course analytics: the aggregator as a consumer of the sessions table's stream
        (its errors and iterator age also gate its releases,
        ``aggregator_release_alarms``), and the analytics table's throttling and system
        errors on ``operations``."""
        monitor_stream_consumer(
            self.facade,
            aggregator,
            failures,
            name="Aggregator",
            human_name="Course analytics aggregator",
            failures_name="AnalyticsFailures",
            failures_human_name="Analytics batches given up on",
            max_iterator_age=AGGREGATOR_MAX_ITERATOR_AGE,
            release_tag=_AGGREGATOR_RELEASE_TAG,
        )
        monitor_table(self.facade, table, "AnalyticsTable", "Analytics table", operations)

    def _monitor_sessions(self, record_function: lambda_.IFunction) -> None:
        self.facade.monitor_custom(
            alarm_friendly_name="Sessions",
            human_readable_name="Sessions recorded",
            metric_groups=[
                monitoring.CustomMetricGroup(
                    title="Sessions recorded",
                    metrics=[
                        handler_metric(
                            SESSIONS_RECORDED_METRIC, record_function, Duration.minutes(5)
                        )
                    ],
                )
            ],
        )


def _fault_alarm(function_id: str) -> monitoring.CustomThreshold:
    # Any fault alarms at once: Sum >= 1 in one 1-minute period, 1 of 1. A handler answers
    # 500 only for a failure nobody foresaw (throttling, conflicts and timeouts are 503s), so
    # one is a defect to look at, not noise to average away. The 3-of-3 five-minute pattern
    # of the rate alarms would need faults in 15 consecutive minutes: it would never fire
    # for a route used now and then, nor within a canary deployment's bake time. A quiet
    # minute clears it.
    return at_first_datapoint(
        monitoring.CustomThreshold,
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        custom_tags=[_fault_tag(function_id)],
        additional_description="The function answered 500 (a fault its handler did not "
        "foresee): its logs hold the error with the request's correlation id.",
    )


def _fault_tag(function_id: str) -> str:
    return f"faults-of-{function_id}"


def _latency_tag(function_id: str) -> str:
    return f"latency-of-{function_id}"


def _consumer_release_tag(function_id: str) -> str:
    return f"release-of-{function_id}"
