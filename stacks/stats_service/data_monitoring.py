"""Alarms on where the data goes, for any of a ``StatsService``'s tables and stream
consumers: a table's throttling and DynamoDB's server errors on the operations the service
calls there; a consumer of the sessions table's stream falling behind, failing, or giving
up on a batch; a consumer of a queue failing, falling behind, or leaving messages to its
dead letters; a rule failing to deliver. Each adds its graphs to the service's dashboard
through ``facade``."""

from __future__ import annotations

from collections.abc import Callable

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from .alarm_thresholds import at_first_datapoint, graph_with_critical_alarm
from .learning_events import PUBLISHER_ID, LearningEvents
from .lrs_delivery import FORWARDER_ID
from .service_metrics import table_system_errors

# Learning events are published within seconds of a write: a minute behind for 3 minutes
# running is a stuck or failing publisher, not a burst.
PUBLISHER_MAX_ITERATOR_AGE = Duration.minutes(1)
# An event waiting a quarter of an hour for the LRS: it is down, slow or refusing.
LRS_MAX_MESSAGE_AGE = Duration.minutes(15)


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
        add_fault_count_alarm=_failed_batches(release_tag),
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


def _failed_batches(release_tag: str) -> dict[str, monitoring.ErrorCountThreshold]:
    """A consumer's errors, each a batch it failed (retried, so a Warning), in any 5
    minutes, tagged ``release_tag`` (the alarms its releases roll back on)."""
    return {
        "Warning": at_first_datapoint(
            monitoring.ErrorCountThreshold,
            period=Duration.minutes(5),
            max_error_count=0,
            custom_tags=[release_tag],
        )
    }


def monitor_queue_consumer(
    facade: monitoring.MonitoringFacade,
    consumer: lambda_.IFunction,
    queue: sqs.IQueue,
    dead_letters: sqs.IQueue,
    *,
    name: str,
    human_name: str,
    max_message_age: Duration,
    release_tag: str,
) -> None:
    """A function a queue invokes: its errors (it failed a whole batch: retried, so a
    Warning, tagged ``release_tag``), the queue's oldest message above ``max_message_age``
    (the consumer, or what it calls, is not keeping up: a Warning), and any message in the
    dead letters (given up on: missed until an operator redrives it)."""
    facade.monitor_lambda_function(
        lambda_function=consumer,
        alarm_friendly_name=name,
        human_readable_name=human_name,
        add_fault_count_alarm=_failed_batches(release_tag),
    )
    facade.monitor_sqs_queue_with_dlq(
        queue=queue,
        dead_letter_queue=dead_letters,
        alarm_friendly_name=f"{name}Queue",
        human_readable_name=f"{human_name}: its queue",
        add_queue_max_message_age_alarm={
            "Warning": at_first_datapoint(
                monitoring.MaxMessageAgeThreshold,
                period=Duration.minutes(5),
                max_age_in_seconds=int(max_message_age.to_seconds()),
            )
        },
        add_dead_letter_queue_max_size_alarm={
            "Critical": at_first_datapoint(monitoring.MaxMessageCountThreshold, max_message_count=0)
        },
    )


def monitor_rule_deliveries(
    facade: monitoring.MonitoringFacade, rule: eventbridge.IRule, bus: eventbridge.IEventBus
) -> None:
    """Events ``rule`` matched and could not deliver to its target (after EventBridge's
    retries they go to the target's dead letters): Critical at the first."""
    failed = cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name="FailedInvocations",
        dimensions_map={"EventBusName": bus.event_bus_name, "RuleName": rule.rule_name},
        statistic="Sum",
        period=Duration.minutes(1),
    )
    facade.monitor_custom(
        alarm_friendly_name="EventRule",
        human_readable_name="Learning events rule",
        metric_groups=[
            graph_with_critical_alarm(
                "Events not delivered to the target",
                failed,
                alarm_friendly_name="FailedInvocations",
                alarm=at_first_datapoint(
                    monitoring.CustomThreshold,
                    threshold=0,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    additional_description="EventBridge could not deliver learning events to "
                    "the LRS deliveries queue; after its retries they go to the dead letters.",
                ),
            )
        ],
    )


def monitor_learning_events(
    facade: monitoring.MonitoringFacade,
    events: LearningEvents,
    *,
    release_tag: Callable[[str], str],
) -> None:
    """The publisher as a consumer of the sessions table's stream; with an LRS, the
    forwarder as its queue's consumer and the rule that feeds that queue. Each function's
    errors (and the publisher's iterator age) carry ``release_tag(function_id)``."""
    monitor_stream_consumer(
        facade,
        events.publisher,
        events.publisher_failures,
        name="Publisher",
        human_name="Learning events publisher",
        failures_name="EventFailures",
        failures_human_name="Event batches given up on",
        max_iterator_age=PUBLISHER_MAX_ITERATOR_AGE,
        release_tag=release_tag(PUBLISHER_ID),
    )
    delivery, forwarder = events.lrs_delivery, events.forwarder
    if delivery is None or forwarder is None:
        return
    monitor_queue_consumer(
        facade,
        forwarder,
        delivery.queue,
        delivery.dead_letters,
        name="LrsForwarder",
        human_name="Learning events to the LRS",
        max_message_age=LRS_MAX_MESSAGE_AGE,
        release_tag=release_tag(FORWARDER_ID),
    )
    monitor_rule_deliveries(facade, delivery.rule, events.bus)
