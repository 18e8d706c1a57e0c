"""Alarms and a dashboard for a ``StatsService``, built with cdk-monitoring-constructs.

Alarms cover what a learner would notice or what costs money: API 5xx rate, function
errors and throttles, DynamoDB throttling and system errors. They notify one SNS topic.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_api.deployment import METRICS_NAMESPACE, SERVICE_NAME

API_5XX_RATE = 0.01  # of requests
FUNCTION_FAULT_RATE = 0.01  # of invocations
# The DynamoDB operations the service calls: recording is one TransactWriteItems (and a
# GetItem to tell a replay from a conflict); both reads are a GetItem.
TABLE_OPERATIONS = ("TransactWriteItems", "GetItem")


def table_system_errors(table: dynamodb.ITable) -> cloudwatch.MathExpression:
    """DynamoDB's SystemErrors summed over the operations the service calls.

    cdk-monitoring-constructs' table alarm sums a fixed list of nine operations that leaves
    out TransactWriteItems, the service's only write. Each term is filled with 0 so that an
    operation without datapoints in a period (not called, or nothing published) cannot
    leave the sum without a value while the other one has errors.
    """
    terms = {
        operation[0].lower() + operation[1:]: table.metric(
            "SystemErrors",
            dimensions_map={"TableName": table.table_name, "Operation": operation},
            statistic="Sum",
            period=Duration.minutes(5),
        )
        for operation in TABLE_OPERATIONS
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({term}, 0)" for term in terms),
        using_metrics=terms,
        label="System errors",
        period=Duration.minutes(5),
    )


def alarm_name_prefix(service: Construct) -> str:
    """``<stack name>-<service id>-<hash of the service's path>``: how ``service``'s alarm
    names start.

    Alarm names are unique per account and region, so fixed names would keep two services
    in one stack, or two apps' stacks, from deploying side by side. A region holds one
    stack of a name per account; the path tells services within a stack apart. (It must be
    a literal: cdk-monitoring-constructs makes construct ids of alarm names.)
    """
    readable_id = re.sub(r"[^A-Za-z0-9-]", "", service.node.id)  # dashboard-name characters
    instance = hashlib.sha256(service.node.path.encode()).hexdigest()[:8]
    return f"{Stack.of(service).stack_name}-{readable_id}-{instance}"


def dashboard_name(service: Construct) -> str:
    """The alarm-name prefix and the region: dashboard names are unique per account, so the
    same stack in two regions needs two (the region is a token until deploy when the
    stack is environment-agnostic)."""
    return f"{alarm_name_prefix(service)}-{Stack.of(service).region}"


class StatsServiceMonitoring(Construct):
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
    ) -> None:
        super().__init__(scope, construct_id)
        self.facade = facade = monitoring.MonitoringFacade(
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
        facade.add_large_header(f"Stats service ({stage_name})")
        facade.monitor_api_gateway_v2_http_api(
            api=api,
            api_stage=api_stage,
            alarm_friendly_name="Api",
            human_readable_name="HTTP API",
            add5xx_rate_alarm={
                "Critical": monitoring.ErrorRateThreshold(max_error_rate=API_5XX_RATE)
            },
        )
        for name, function in functions.items():
            facade.monitor_lambda_function(
                lambda_function=function,
                alarm_friendly_name=name,
                human_readable_name=f"{name} function",
                add_fault_rate_alarm={
                    "Critical": monitoring.ErrorRateThreshold(max_error_rate=FUNCTION_FAULT_RATE)
                },
                add_throttles_count_alarm={
                    "Warning": monitoring.ErrorCountThreshold(max_error_count=0)
                },
            )
        facade.monitor_dynamo_table(
            table=table,
            alarm_friendly_name="Table",
            human_readable_name="Sessions table",
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            add_read_throttled_events_count_alarm={
                "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)
            },
            add_write_throttled_events_count_alarm={
                "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)
            },
        )
        facade.monitor_custom(
            alarm_friendly_name="Table",
            human_readable_name="Sessions table: the service's operations",
            metric_groups=[
                monitoring.CustomMetricGroup(
                    title=f"System errors ({', '.join(TABLE_OPERATIONS)})",
                    metrics=[
                        monitoring.CustomMetricWithAlarm(
                            metric=table_system_errors(table),
                            alarm_friendly_name="SystemErrors",
                            add_alarm={
                                "Critical": monitoring.CustomThreshold(
                                    threshold=0,
                                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                                    treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                                    additional_description="DynamoDB answered the service's "
                                    "calls with server errors (HTTP 500).",
                                )
                            },
                        )
                    ],
                )
            ],
        )
        facade.monitor_custom(
            alarm_friendly_name="Sessions",
            human_readable_name="Sessions recorded",
            metric_groups=[
                monitoring.CustomMetricGroup(
                    title="Sessions recorded",
                    metrics=[
                        cloudwatch.Metric(
                            namespace=METRICS_NAMESPACE,
                            metric_name="SessionsRecorded",
                            dimensions_map={"service": SERVICE_NAME},
                            statistic="Sum",
                            period=Duration.minutes(5),
                        )
                    ],
                )
            ],
        )
