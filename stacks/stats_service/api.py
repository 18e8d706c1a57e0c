"""The HTTP API (API Gateway v2): its stage with throttling and access logs, CORS, and each
route of the route table wired to its function behind the chosen authorizer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stats_api import cors
from stats_api.routes import Route, deployed_routes

from .props import StatsServiceProps


def http_api(scope: Construct, props: StatsServiceProps) -> apigw.HttpApi:
    return apigw.HttpApi(
        scope,
        "Api",
        description=f"Learning session stats ({props.stage_name})",
        create_default_stage=False,
        cors_preflight=cors_preflight(
            props.cors_origins, {r.method for r in deployed_routes(props.history, props.analytics)}
        ),
    )


def api_stage(scope: Construct, api: apigw.HttpApi, props: StatsServiceProps) -> apigw.HttpStage:
    """The ``$default`` stage: the stage-wide throttling is the wallet's first guard."""
    access_logs = logs.LogGroup(
        scope, "AccessLogs", retention=props.log_retention, removal_policy=props.removal_policy
    )
    return apigw.HttpStage(
        scope,
        "Stage",
        http_api=api,
        stage_name="$default",
        auto_deploy=True,
        throttle=apigw.ThrottleSettings(
            rate_limit=props.throttle_rate_limit, burst_limit=props.throttle_burst_limit
        ),
        access_log_settings=_AccessLogSettings(access_logs),
    )


def add_routes(
    api: apigw.HttpApi,
    routes: Sequence[Route],
    functions: Mapping[str, lambda_.IFunction],
    props: StatsServiceProps,
) -> None:
    """Each route to its own function, every one behind the authorizer ``props.auth`` names."""
    authorizer = props.auth.route_authorizer()
    for route in routes:
        api.add_routes(
            path=route.path,
            methods=[apigw.HttpMethod(route.method)],
            integration=integrations.HttpLambdaIntegration(
                f"{route.function_id}Integration", functions[route.function_id]
            ),
            authorizer=authorizer,
            authorization_scopes=props.auth.route_scopes(route),
        )
    if authorizer is None:
        Validations.of(api).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-APIG4",
                reason="Header auth was chosen explicitly in the props; production refuses "
                "it unless allowed on purpose.",
            )
        )


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


def cors_preflight(origins: Sequence[str], methods: set[str]) -> apigw.CorsPreflightOptions | None:
    """What API Gateway answers browsers at ``origins`` with (None: no CORS at all)."""
    if not origins:
        return None
    return apigw.CorsPreflightOptions(
        allow_origins=list(origins),
        allow_methods=[apigw.CorsHttpMethod(method) for method in sorted(methods)],
        allow_headers=list(cors.ALLOWED_HEADERS),
        expose_headers=list(cors.EXPOSED_HEADERS),
        max_age=Duration.seconds(cors.MAX_AGE_SECONDS),
    )
