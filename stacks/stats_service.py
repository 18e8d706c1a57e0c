"""``StatsService``: the table, one function per route, and the HTTP API in front of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks import lambda_runtime
from stats_api import deployment, table_keys
from stats_api.routes import RECORD_SESSION, ROUTES, Route

# What each route's function may do on the table, and nothing more.
TABLE_ACTIONS: dict[Route, tuple[str, ...]] = {
    # The transaction's Put and Update, and the read that tells a replay from a conflict.
    RECORD_SESSION: ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"),
}
READ_ACTIONS = ("dynamodb:GetItem",)


@dataclass(frozen=True)
class StatsServiceProps:
    """Settings of a ``StatsService``; every one has a safe default."""

    stage_name: str = "dev"
    memory_size: int = 256  # MB; also buys CPU, which shortens cold starts
    # Well under API Gateway's 30 s integration limit, yet room for the client's retries.
    timeout: Duration = field(default_factory=lambda: Duration.seconds(10))
    removal_policy: RemovalPolicy = RemovalPolicy.DESTROY
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH


class StatsService(Construct):
    """Records learners' study sessions and serves their per-course stats over HTTP."""

    def __init__(
        self, scope: Construct, construct_id: str, props: StatsServiceProps | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or StatsServiceProps()
        self.table = self._create_table(props)
        self.api = apigw.HttpApi(self, "Api", description="Learning session stats")
        code = lambda_runtime.function_code()
        layer = lambda_runtime.powertools_layer(self)
        self.functions: dict[str, lambda_.Function] = {}
        for route in ROUTES:
            function = self._create_function(route, code, layer, props)
            self.api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=integrations.HttpLambdaIntegration(
                    f"{route.function_id}Integration", function
                ),
            )
            self.functions[route.function_id] = function

    @property
    def url(self) -> str:
        """The API's base URL (a token until deploy)."""
        url = self.api.url
        if url is None:  # only an API without a default stage has none
            raise RuntimeError("the API has no default stage")
        return url

    def _create_table(self, props: StatsServiceProps) -> dynamodb.TableV2:
        return dynamodb.TableV2(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=table_keys.PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(
                name=table_keys.SORT_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing=dynamodb.Billing.on_demand(),
            removal_policy=props.removal_policy,
        )

    def _create_function(
        self,
        route: Route,
        code: lambda_.Code,
        layer: lambda_.ILayerVersion,
        props: StatsServiceProps,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{route.function_id}Logs",
            retention=props.log_retention,
            removal_policy=props.removal_policy,
        )
        role = iam.Role(
            self,
            f"{route.function_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {route.route_key}",
        )
        log_group.grant_write(role)
        self.table.grant(role, *TABLE_ACTIONS.get(route, READ_ACTIONS))
        return lambda_.Function(
            self,
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
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                deployment.TABLE_NAME_ENV: self.table.table_name,
            },
        )
