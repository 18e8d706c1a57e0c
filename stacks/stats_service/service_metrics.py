"""The CloudWatch metrics a ``StatsService``'s monitoring reads beyond the library's own:
the handlers' (Powertools Metrics, EMF) and DynamoDB's for the operations the service calls.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from stats_api.routes import Route
from stats_api.shared_names import FUNCTION_NAME_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME

# Powertools Metrics' own dimension for the service name it was given.
SERVICE_DIMENSION = "service"
# The store changes items only inside TransactWriteItems (a session and its course's
# aggregate together; a chunk of analytics with its markers), so a function allowed to
# put, update or delete items calls that operation; DynamoDB publishes its SystemErrors
# under the transaction's name, not the items' actions.
TRANSACT_WRITE_ITEMS = "TransactWriteItems"
_ITEM_WRITES = frozenset({"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"})


def table_operations(routes: Iterable[Route], *, history: bool) -> tuple[str, ...]:
    """The operations the functions of ``routes`` call on the sessions table, read from the
    actions the route table grants them. ``history``: the routes' history index actions are
    granted too (windowed stats query it)."""
    return operations_of(
        action
        for route in routes
        for action in route.table_actions + (route.history_index_actions if history else ())
    )


def analytics_operations(
    routes: Iterable[Route], aggregator_actions: Iterable[str]
) -> tuple[str, ...]:
    """The operations the aggregator (allowed ``aggregator_actions``) and the analytics
    routes among ``routes`` call on the analytics table."""
    return operations_of(
        [*aggregator_actions, *(a for route in routes for a in route.analytics_table_actions)]
    )


def operations_of(actions: Iterable[str]) -> tuple[str, ...]:
    """The DynamoDB operations (CloudWatch's ``Operation`` dimension) that functions allowed
    ``actions`` call: a read action is its own operation, item writes are one
    ``TransactWriteItems``."""
    found: dict[str, None] = {}  # insertion-ordered: a stable expression and graph title
    for action in actions:
        operation = TRANSACT_WRITE_ITEMS if action in _ITEM_WRITES else action
        found[operation.removeprefix("dynamodb:")] = None
    return tuple(found)


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


def table_system_errors(
    table: dynamodb.ITable, operations: Iterable[str]
) -> cloudwatch.MathExpression:
    """DynamoDB's SystemErrors summed over ``operations`` (those the service calls).

    cdk-monitoring-constructs' table alarm sums a fixed list of nine operations that leaves
    out TransactWriteItems, the service's only write. Each term is filled with 0 so that an
    operation without datapoints in a period (not called, or nothing published) cannot
    leave the sum without a value while another one has errors.
    """
    terms = {
        operation[0].lower() + operation[1:]: table.metric(
            "SystemErrors",
            dimensions_map={"TableName": table.table_name, "Operation": operation},
            statistic="Sum",
            period=Duration.minutes(5),
        )
        for operation in operations
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({term}, 0)" for term in terms),
        using_metrics=terms,
        label="System errors",
        period=Duration.minutes(5),
    )
