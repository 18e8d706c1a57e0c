"""When the monitoring's alarms fire, where several alarms share the rule: at the first
datapoint that breaches, and a graph with its own Critical alarm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

Threshold = TypeVar("Threshold")


def at_first_datapoint(
    kind: Callable[..., Threshold], *, period: Duration | None = None, **settings: Any
) -> Threshold:
    """A ``kind`` of threshold (a cdk-monitoring-constructs class) with ``settings``, firing
    at the first period that breaches, 1 of 1, by default a minute long; a period without
    data breaches nothing (a quiet function or queue is a healthy one)."""
    return kind(
        period=period or Duration.minutes(1),
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
        **settings,
    )


def graph_with_critical_alarm(
    title: str,
    metric: cloudwatch.Metric | cloudwatch.MathExpression,
    *,
    alarm_friendly_name: str,
    alarm: monitoring.CustomThreshold,
) -> monitoring.CustomMetricGroup:
    return monitoring.CustomMetricGroup(
        title=title,
        metrics=[
            monitoring.CustomMetricWithAlarm(
                metric=metric,
                alarm_friendly_name=alarm_friendly_name,
                add_alarm={"Critical": alarm},
            )
        ],
    )
