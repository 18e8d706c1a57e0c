"""The CloudWatch metrics a ``StatsService``'s monitoring reads beyond the library's own:
the handlers' (Powertools Metrics, EMF) and DynamoDB's for the operations the service calls.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from stats_api.deployment import FUNCTION_NAME_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME

# Powertools Metrics' own dimension for the service name it was given.
SERVICE_DIMENSION = "service"
# The DynamoDB operations the service calls: recording is one TransactWriteItems (and a
# GetItem to tell a replay from a conflict); both reads are a GetItem.
TABLE_OPERATIONS = ("TransactWriteItems", "GetItem")


def handler_metric(name: str, function: lambda_.IFunction, period: Duration) -> cloudwatch.Metric:
    """The sum of metric ``name`` that ``function``'s handler publishes."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={
            SERVICE_DIMENSION: SERVICE_NAME,
            FUNCTION_NAME_DIMENSION: function.function_name,
        },
        statistic="Sum",
        period=period,
    )


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
