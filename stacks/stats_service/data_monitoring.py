"""Alarms on where the data goes, for any of a ``StatsService``'s tables and stream
consumers: a table's throttling and DynamoDB's server errors on the operations the service
calls there; a consumer of the sessions table's stream falling behind, failing, or giving
up on a batch. Each adds its graphs to the service's dashboard through ``facade``."""

from __future__ import annotations

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from .alarm_thresholds import at_first_datapoint, graph_with_critical_alarm
from .service_metrics import table_system_errors


def monitor_table(
    facade: monitoring.MonitoringFacade,
    table: dynamodb.ITable,
    name: str,
    human_name: str,
    operations: tuple[str, ...],
) -> None:
    """``table``'s throttled reads and writes (Warning), and DynamoDB's server errors on the
    ``operations`` the service calls there (Critical)."""
    facade.monitor_dynamo_table(
        table=table,
        alarm_friendly_name=name,
        human_readable_name=human_name,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        add_read_throttled_events_count_alarm={
            "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)
        },
        add_write_throttled_events_count_alarm={
            "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)
        },
    )
    facade.monitor_custom(
        alarm_friendly_name=name,
        human_readable_name=f"{human_name}: the service's operations",
        metric_groups=[
            graph_with_critical_alarm(
                f"System errors ({', '.join(operations)})",
                table_system_errors(table, operations),
                alarm_friendly_name="SystemErrors",
                alarm=monitoring.CustomThreshold(
                    threshold=0,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                    additional_description="DynamoDB answered the service's calls with "
                    "server errors (HTTP 500).",
                ),
            )
        ],
    )


def monitor_stream_consumer(
    facade: monitoring.MonitoringFacade,
    consumer: lambda_.IFunction,
    failures: sqs.IQueue,
    *,
    name: str,
    human_name: str,
    failures_name: str,
    failures_human_name: str,
    max_iterator_age: Duration,
    release_tag: str,
) -> None:
    """A function the stream invokes: its failed batches (retried, so a Warning), its
    iterator age above ``max_iterator_age`` (falling behind the writes), both tagged
    ``release_tag`` (the alarms its releases roll back on), and its failure queue's depth
    (a batch given up on: missed until an operator acts)."""
    facade.monitor_lambda_function(
        lambda_function=consumer,
        alarm_friendly_name=name,
        human_readable_name=human_name,
        add_fault_count_alarm={
            "Warning": at_first_datapoint(
                monitoring.ErrorCountThreshold,
                period=Duration.minutes(5),
                max_error_count=0,
                custom_tags=[release_tag],
            )
        },
        add_max_iterator_age_alarm={
            "Critical": monitoring.MaxAgeThreshold(
                max_age_in_millis=max_iterator_age.to_milliseconds(),
                period=Duration.minutes(1),
                treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                custom_tags=[release_tag],
            )
        },
    )
    facade.monitor_sqs_queue(
        queue=failures,
        alarm_friendly_name=failures_name,
        human_readable_name=failures_human_name,
        add_queue_max_size_alarm={
            "Critical": at_first_datapoint(monitoring.MaxMessageCountThreshold, max_message_count=0)
        },
    )
