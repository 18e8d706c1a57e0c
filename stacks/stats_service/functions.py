"""One Lambda function per route: its own role (its log group, its route's table actions,
nothing more), its own log group, the shared code asset and Powertools layer."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Annotations, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stats_api import shared_names, table_keys
from stats_api.routes import Route

from . import lambda_runtime
from .props import StatsServiceProps


def route_function(
    scope: Construct,
    route: Route,
    *,
    code: lambda_.Code,
    layer: lambda_.ILayerVersion,
    table: dynamodb.ITable,
    props: StatsServiceProps,
    analytics_table: dynamodb.ITable | None = None,
) -> lambda_.Function:
    role, log_group = execution_role(
        scope,
        route.function_id,
        description=f"Runs {route.route_key}",
        props=props,
        others="every other statement names its table or log group",
    )
    environment = {shared_names.TABLE_NAME_ENV: table.table_name}
    index_actions: tuple[str, ...] = ()
    if props.history:
        environment[shared_names.HISTORY_ENV] = "on"
        index_actions = route.history_index_actions
    _grant_table(role, table, route.table_actions, index_actions)
    if route.analytics and analytics_table is not None:
        environment[shared_names.ANALYTICS_TABLE_ENV] = analytics_table.table_name
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(route.analytics_table_actions),
                resources=[analytics_table.table_arn],
            )
        )
    function = lambda_.Function(
        scope,
        route.function_id,
        description=route.route_key,
        runtime=lambda_runtime.RUNTIME,
        architecture=lambda_runtime.ARCHITECTURE,
        handler=route.handler,
        code=code,
        layers=[layer],
        role=role,
        log_group=log_group,
        memory_size=props.memory_size,
        timeout=props.timeout,
        reserved_concurrent_executions=props.reserved_concurrency,
        tracing=lambda_.Tracing.ACTIVE,
        environment=environment,
        snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if props.snap_start else None,
    )
    if props.snap_start:
        Annotations.of(function).acknowledge_warning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish",
            "Every function is invoked through its live alias, a published version.",
        )
    Validations.of(function).acknowledge(
        Acknowledgment(
            id="Serverless::Serverless-LambdaDLQ",
            reason="Invoked synchronously by API Gateway: the caller gets the error; a "
            "dead-letter queue only ever receives failed asynchronous invocations.",
        )
    )
    return function


def execution_role(
    scope: Construct, name: str, *, description: str, props: StatsServiceProps, others: str
) -> tuple[iam.Role, logs.LogGroup]:
    """A function's log group (``<name>Logs``) and its role (``<name>Role``), which may write
    to that group only: an explicit role instead of the managed AWSLambdaBasicExecutionRole.
    ``others`` says, for cdk-nag, what the role's other statements are limited to."""
    log_group = logs.LogGroup(
        scope,
        f"{name}Logs",
        retention=props.log_retention,
        removal_policy=props.removal_policy,
    )
    role = iam.Role(
        scope,
        f"{name}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=description,
    )
    log_group.grant_write(role)
    Validations.of(role).acknowledge(
        Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) accept "
            f"only Resource '*'; {others}.",
        )
    )
    return role, log_group


def _grant_table(
    role: iam.IRole,
    table: dynamodb.ITable,
    table_actions: tuple[str, ...],
    index_actions: tuple[str, ...],
) -> None:
    """Each action on exactly its resource: the table, or the history index by name.

    ``table.grant`` would add every index (``index/*``) to every action, and an imported
    table's indexes only when the import names them.
    """
    for actions, resource in (
        (table_actions, table.table_arn),
        (index_actions, f"{table.table_arn}/index/{table_keys.HISTORY_INDEX}"),
    ):
        if actions:
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=list(actions), resources=[resource])
            )
    if table.encryption_key is not None:  # a consumer's table under its own KMS key
        writes = any(not action.endswith(("GetItem", "Query")) for action in table_actions)
        key = table.encryption_key
        (key.grant_encrypt_decrypt if writes else key.grant_decrypt)(role)
