"""Alarms and a dashboard for a ``StatsService``, built with cdk-monitoring-constructs.

Alarms cover what a learner would notice or what costs money: API 5xx rate, function
errors and throttles, DynamoDB throttling and system errors. They notify one SNS topic.
"""

from __future__ import annotations

from collections.abc import Mapping

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_api.deployment import METRICS_NAMESPACE, SERVICE_NAME

API_5XX_RATE = 0.01  # of requests
FUNCTION_FAULT_RATE = 0.01  # of invocations


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
        prefix = f"{SERVICE_NAME}-{stage_name}"
        self.facade = facade = monitoring.MonitoringFacade(
            self,
            "Facade",
            alarm_factory_defaults=monitoring.AlarmFactoryDefaults(
                alarm_name_prefix=prefix,
                actions_enabled=True,
                action=monitoring.SnsAlarmActionStrategy(on_alarm_topic=topic),
                datapoints_to_alarm=3,
                evaluation_periods=3,
            ),
            dashboard_factory=monitoring.DefaultDashboardFactory(
                self,
                "Dashboards",
                dashboard_name_prefix=prefix,
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
            add_system_error_count_alarm={
                "Critical": monitoring.ErrorCountThreshold(max_error_count=0)
            },
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
