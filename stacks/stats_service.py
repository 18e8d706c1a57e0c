"""``StatsService``: the table, one function per route, the HTTP API, and their monitoring."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jsii
from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Tags, Token, Validations
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_api import deployment, table_keys
from stats_api.routes import FETCH_COURSE_STATS, FETCH_SESSION, RECORD_SESSION, ROUTES, Route

from . import lambda_runtime
from .alarm_topic import alarm_topic
from .auth import Auth, HeaderAuth, route_authorizer, route_scopes
from .monitoring import StatsServiceMonitoring

PRODUCTION_STAGE = "prod"
API_GATEWAY_TIMEOUT = Duration.seconds(29)

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
    # Who the caller is. Header auth trusts the client and is refused in prod unless
    # allow_header_auth_in_prod says it is meant (e.g. behind a trusted private gateway).
    auth: Auth = field(default_factory=HeaderAuth)
    allow_header_auth_in_prod: bool = False
    # Bring your own table (same key schema: userId S / sessionId S); created when None.
    # The construct then grants on it and alarms on it, but never changes or deletes it.
    table: dynamodb.ITable | None = None
    # For the created table and the log groups: DESTROY suits throwaway stages only.
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    deletion_protection: bool = True
    # Stage-wide API throttling, the wallet's first guard (requests/s, burst).
    throttle_rate_limit: float = 50
    throttle_burst_limit: int = 100
    # Reserves (and caps) each function's concurrency. Lambda keeps 100 unreserved per
    # account, so the deploy fails unless the account's concurrency quota is at least
    # 100 + 3 x this (new accounts start far lower). None (the default) shares the account
    # pool; stage throttling then caps spend.
    reserved_concurrency: int | None = None
    # 256 MB: twice the CPU of 128 MB, which halves a cold start's imports; still pennies.
    memory_size: int = 256
    # Well under API Gateway's 29 s integration limit, yet room for the SDK's retries.
    timeout: Duration = field(default_factory=lambda: Duration.seconds(10))
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    # Alarm notifications go here; an encrypted topic is created when None. A topic with a
    # resource policy (enforce_ssl writes one) refuses CloudWatch unless a statement lets it
    # publish: call allow_alarm_notifications(topic) on such a topic.
    alarm_topic: sns.ITopic | None = None
    # The Powertools layer the functions load: the ARN of a Powertools layer matching
    # lambda_runtime.POWERTOOLS_VERSION, RUNTIME and ARCHITECTURE. None (the default) loads
    # the official layer through its public SSM parameter, which exists only in the aws
    # partition's commercial regions: give an ARN for China, GovCloud or a region Powertools
    # has not reached yet. Synth refuses a known region outside the aws partition without one.
    powertools_layer_arn: str | None = None
    # Browser origins allowed to call the API (CORS); none by default.
    cors_origins: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("invalid StatsServiceProps: " + "; ".join(problems))

    def _problems(self) -> Sequence[str]:
        found = []
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", self.stage_name):
            found.append("stage_name must be 1-20 of a-z, 0-9, '-', starting with a letter")
        if (
            self.stage_name == PRODUCTION_STAGE
            and isinstance(self.auth, HeaderAuth)
            and not self.allow_header_auth_in_prod
        ):
            found.append(
                "the prod stage refuses header auth (any caller could claim any userId): "
                "use JwtAuth or IamAuth, or set allow_header_auth_in_prod=True deliberately "
                "(-c allowHeaderAuthInProd=true)"
            )
        if not 128 <= self.memory_size <= 10240:
            found.append("memory_size must be 128-10240 MB")
        if self.timeout.to_seconds() >= API_GATEWAY_TIMEOUT.to_seconds():
            found.append("timeout must be under API Gateway's 29 s integration limit")
        if self.throttle_rate_limit <= 0 or self.throttle_burst_limit <= 0:
            found.append("throttle_rate_limit and throttle_burst_limit must be positive")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 1:
            found.append("reserved_concurrency must be at least 1 (or None)")
        if self.powertools_layer_arn is not None and not _is_layer_version_arn(
            self.powertools_layer_arn
        ):
            found.append(
                "powertools_layer_arn must be a layer version ARN "
                "(arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)"
            )
        found.extend(
            f"cors origin {origin!r} must be https://host or http://localhost[:port]"
            for origin in self.cors_origins
            if not re.fullmatch(r"https://[^/\s*]+|http://localhost(:\d+)?", origin)
        )
        return found


class StatsService(Construct):
    """Records learners' study sessions and serves their per-course stats over HTTP.

    Attributes for consumers to extend: ``table``, ``api``, ``stage``, ``url``,
    ``functions`` (by route function id) and the three functions by name, ``alarm_topic``,
    ``monitoring``.
    """

    def __init__(
        self, scope: Construct, construct_id: str, props: StatsServiceProps | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or StatsServiceProps()
        self.table: dynamodb.ITable = props.table or self._create_table(props)
        self.api = apigw.HttpApi(
            self,
            "Api",
            description=f"Learning session stats ({props.stage_name})",
            create_default_stage=False,
            cors_preflight=_cors(props.cors_origins),
        )
        self.stage = self._create_stage(props)
        self.functions = self._create_routes(props)
        self.alarm_topic = props.alarm_topic or alarm_topic(self, props.removal_policy)
        self.monitoring = StatsServiceMonitoring(
            self,
            "Monitoring",
            stage_name=props.stage_name,
            topic=self.alarm_topic,
            api=self.api,
            api_stage=self.stage.stage_name,
            functions=self.functions,
            table=self.table,
        )
        for key, value in {
            "service": deployment.SERVICE_NAME,
            "stage": props.stage_name,
            **props.tags,
        }.items():
            Tags.of(self).add(key, value)

    @property
    def url(self) -> str:
        """The API's base URL (a token until deploy)."""
        return self.stage.url

    @property
    def record_session_function(self) -> lambda_.Function:
        return self.functions[RECORD_SESSION.function_id]

    @property
    def fetch_course_stats_function(self) -> lambda_.Function:
        return self.functions[FETCH_COURSE_STATS.function_id]

    @property
    def fetch_session_function(self) -> lambda_.Function:
        return self.functions[FETCH_SESSION.function_id]

    def _create_routes(self, props: StatsServiceProps) -> dict[str, lambda_.Function]:
        """One function per route of the route table, each behind the chosen authorizer."""
        code = lambda_runtime.function_code()
        layer = lambda_runtime.powertools_layer(self, props.powertools_layer_arn)
        authorizer = route_authorizer(props.auth)
        functions = {}
        for route in ROUTES:
            function = self._create_function(route, code, layer, props)
            self.api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=integrations.HttpLambdaIntegration(
                    f"{route.function_id}Integration", function
                ),
                authorizer=authorizer,
                authorization_scopes=route_scopes(props.auth),
            )
            functions[route.function_id] = function
        if authorizer is None:
            Validations.of(self.api).acknowledge(
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-APIG4",
                    reason="Header auth was chosen explicitly in the props; the prod stage "
                    "refuses it unless overridden on purpose.",
                )
            )
        return functions

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
            # Learners' history is the product: always restorable to any second of 35 days.
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=props.deletion_protection,
            removal_policy=props.removal_policy,
        )

    def _create_stage(self, props: StatsServiceProps) -> apigw.HttpStage:
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=props.log_retention,
            removal_policy=props.removal_policy,
        )
        return apigw.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(
                rate_limit=props.throttle_rate_limit, burst_limit=props.throttle_burst_limit
            ),
            access_log_settings=_AccessLogSettings(access_logs),
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
        # An explicit role instead of the managed AWSLambdaBasicExecutionRole: logs to its
        # own group only, the table actions its route needs only.
        role = iam.Role(
            self,
            f"{route.function_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {route.route_key}",
        )
        log_group.grant_write(role)
        self.table.grant(role, *TABLE_ACTIONS.get(route, READ_ACTIONS))
        function = lambda_.Function(
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
            reserved_concurrent_executions=props.reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            environment={deployment.TABLE_NAME_ENV: self.table.table_name},
        )
        Validations.of(role).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                reason="X-Ray's PutTraceSegments and PutTelemetryRecords accept only "
                "Resource '*'; every other statement names its table or log group.",
            )
        )
        Validations.of(function).acknowledge(
            Acknowledgment(
                id="Serverless::Serverless-LambdaDLQ",
                reason="Invoked synchronously by API Gateway: the caller gets the error; a "
                "dead-letter queue only ever receives failed asynchronous invocations.",
            )
        )
        return function


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogSettings:
    """Access logs as JSON lines with the fields an on-call engineer filters by."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigw.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw_v1.AccessLogFormat:
        return apigw_v1.AccessLogFormat.custom(
            '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
            '"requestTime":"$context.requestTime","routeKey":"$context.routeKey",'
            '"status":"$context.status","latencyMs":"$context.responseLatency",'
            '"integrationError":"$context.integrationErrorMessage",'
            '"authorizerError":"$context.authorizer.error"}'
        )


def _is_layer_version_arn(arn: str) -> bool:
    return Token.is_unresolved(arn) or bool(
        re.fullmatch(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[\w-]+:[0-9]+", arn)
    )


def _cors(origins: Sequence[str]) -> apigw.CorsPreflightOptions | None:
    if not origins:
        return None
    return apigw.CorsPreflightOptions(
        allow_origins=list(origins),
        allow_methods=[apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST],
        allow_headers=["authorization", "content-type", "userid"],
        max_age=Duration.hours(1),
    )
