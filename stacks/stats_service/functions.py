"""Every Lambda function the construct makes, from one factory: its own role (its log group
and the permissions its job needs, nothing more), its own log group, the shared code asset,
and the runtime and tracing every function runs with. What differs from one function to
another is a ``FunctionSpec``: the route functions here, the aggregator
(``analytics.py``), the release checks (``releases.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Annotations, Duration, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stats_api import shared_names, table_keys
from stats_api.routes import Route

from . import lambda_runtime
from .props import StatsServiceProps


@dataclass(frozen=True)
class FunctionSpec:
    """One function of the construct: what it runs, what it may do, how it is invoked."""

    function_id: str  # construct id: also names its role and log group
    handler: str  # dotted path, relative to the asset root
    description: str
    role_description: str
    environment: Mapping[str, str]
    # Its permissions beyond writing its own logs, added to its role before it is created.
    grant: Callable[[iam.Role], None]
    # For cdk-nag: what the role's statements other than X-Ray's are limited to.
    permissions_scope: str
    # For cdk-nag: why no dead-letter queue (it only receives failed asynchronous calls).
    invoked_by: str
    timeout: Duration | None = None  # default: the props'
    memory_size: int | None = None  # default: the props'
    reserved_concurrency: int | None = None
    snap_start: bool = False


def service_function(
    scope: Construct,
    spec: FunctionSpec,
    *,
    code: lambda_.Code,
    layer: lambda_.ILayerVersion | None,
    props: StatsServiceProps,
) -> lambda_.Function:
    """``spec``'s function, with the Powertools ``layer`` (None: without)."""
    role, log_group = _execution_role(scope, spec, props)
    spec.grant(role)
    function = lambda_.Function(
        scope,
        spec.function_id,
        description=spec.description,
        runtime=lambda_runtime.RUNTIME,
        architecture=lambda_runtime.ARCHITECTURE,
        handler=spec.handler,
        code=code,
        layers=None if layer is None else [layer],
        role=role,
        log_group=log_group,
        memory_size=spec.memory_size or props.memory_size,
        timeout=spec.timeout or props.timeout,
        reserved_concurrent_executions=spec.reserved_concurrency,
        tracing=lambda_.Tracing.ACTIVE,
        environment=dict(spec.environment),
        snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if spec.snap_start else None,
    )
    if spec.snap_start:
        Annotations.of(function).acknowledge_warning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish",
            "Every function is invoked through its live alias, a published version.",
        )
    Validations.of(function).acknowledge(
        Acknowledgment(id="Serverless::Serverless-LambdaDLQ", reason=spec.invoked_by)
    )
    return function


def route_function_spec(
    route: Route,
    *,
    table: dynamodb.ITable,
    props: StatsServiceProps,
    analytics_table: dynamodb.ITable | None = None,
) -> FunctionSpec:
    """A route's function: its table actions (and its history index's, where the history
    routes are on; the analytics table's, for an analytics route)."""
    environment = {shared_names.TABLE_NAME_ENV: table.table_name}
    index_actions: tuple[str, ...] = ()
    if props.history:
        environment[shared_names.HISTORY_ENV] = "on"
        index_actions = route.history_index_actions
    analytics = analytics_table if route.analytics else None
    if analytics is not None:
        environment[shared_names.ANALYTICS_TABLE_ENV] = analytics.table_name

    def grant(role: iam.Role) -> None:
        _grant_table(role, table, route.table_actions, index_actions)
        if analytics is not None:
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=list(route.analytics_table_actions),
                    resources=[analytics.table_arn],
                )
            )

    return FunctionSpec(
        function_id=route.function_id,
        handler=route.handler,
        description=route.route_key,
        role_description=f"Runs {route.route_key}",
        environment=environment,
        grant=grant,
        permissions_scope="every other statement names its table or log group",
        invoked_by="Invoked synchronously by API Gateway: the caller gets the error; a "
        "dead-letter queue only ever receives failed asynchronous invocations.",
        reserved_concurrency=props.reserved_concurrency,
        snap_start=props.snap_start,
    )


def _execution_role(
    scope: Construct, spec: FunctionSpec, props: StatsServiceProps
) -> tuple[iam.Role, logs.LogGroup]:
    """A function's log group (``<id>Logs``) and its role (``<id>Role``), which may write to
    that group only: an explicit role instead of the managed AWSLambdaBasicExecutionRole."""
    log_group = logs.LogGroup(
        scope,
        f"{spec.function_id}Logs",
        retention=props.log_retention,
        removal_policy=props.removal_policy,
    )
    role = iam.Role(
        scope,
        f"{spec.function_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=spec.role_description,
    )
    log_group.grant_write(role)
    Validations.of(role).acknowledge(
        Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) accept "
            f"only Resource '*'; {spec.permissions_scope}.",
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
