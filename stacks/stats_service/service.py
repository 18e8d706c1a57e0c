"""``StatsService``: the table, one function per route, the HTTP API, and their monitoring."""

from __future__ import annotations

from aws_cdk import Tags
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api import shared_names
from stats_api.routes import ANALYTICS_ROUTES, deployed_routes

from . import lambda_runtime, snap_start
from .alarm_topic import alarm_topic
from .analytics import AGGREGATOR_ACTIONS, aggregator_spec, failure_queue, read_stream
from .api import add_routes, api_stage, http_api
from .domain import custom_domain
from .functions import route_function_spec, service_function
from .monitoring import StatsServiceMonitoring
from .props import StatsServiceProps
from .releases import deployment_groups, live_aliases
from .service_metrics import analytics_operations
from .table import analytics_table, check_brought_table, sessions_table


class StatsService(Construct):
    """Records learners' study sessions and serves their per-course stats over HTTP.

    Attributes for consumers to extend: ``table``, ``api``, ``stage``, ``url``,
    ``functions`` (each deployed route's, by its function id), ``alarm_topic``,
    ``monitoring`` (``monitoring.fault_alarms_for(function_id)`` for deployments to watch),
    ``aliases`` (each function's ``live`` alias, which the API invokes) and
    ``deployment_groups`` (CodeDeploy's, which shift the aliases), both by function id,
    and ``domain`` (the custom domain, or None). With analytics: ``analytics_table``,
    ``aggregator_function``, ``analytics_failures`` (the on-failure queue) and
    ``grant_analytics_read(grantee)`` for IAM callers.
    """

    def __init__(
        self, scope: Construct, construct_id: str, props: StatsServiceProps | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or StatsServiceProps()
        if props.table is not None:
            check_brought_table(props.table, props)
        self.table: dynamodb.ITable = props.table or sessions_table(self, props)
        self.api = http_api(self, props)
        self.stage = api_stage(self, self.api, props)
        if props.snap_start:
            snap_start.require_support(self)
        code = lambda_runtime.function_code()
        layer = lambda_runtime.powertools_layer(self, props.powertools_layer_arn)
        routes = deployed_routes(props.history, props.analytics)
        # With analytics: their table, and the aggregator the sessions' stream invokes.
        self.analytics_table: dynamodb.TableV2 | None = None
        self.aggregator_function: lambda_.Function | None = None
        self.analytics_failures: sqs.Queue | None = None
        if props.analytics:
            self.analytics_table = analytics_table(self, props)
            self.analytics_failures = failure_queue(self, "AnalyticsFailures", props)
            self.aggregator_function = service_function(
                self, aggregator_spec(self.analytics_table), code=code, layer=layer, props=props
            )
            read_stream(self.aggregator_function, self.table, self.analytics_failures)
        self.functions: dict[str, lambda_.Function] = {
            route.function_id: service_function(
                self,
                route_function_spec(
                    route, table=self.table, props=props, analytics_table=self.analytics_table
                ),
                code=code,
                layer=layer,
                props=props,
            )
            for route in routes
        }
        self.aliases: dict[str, lambda_.Alias] = live_aliases(self.functions, props)
        add_routes(self.api, routes, self.aliases, props)
        self.domain: apigw.DomainName | None = custom_domain(self, self.api, self.stage, props)
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
            routes=routes,
            history=props.history,
        )
        aggregator, failures = self.aggregator_function, self.analytics_failures
        if aggregator is not None and failures is not None and self.analytics_table is not None:
            self.monitoring.monitor_analytics(
                aggregator,
                failures,
                self.analytics_table,
                analytics_operations(routes, AGGREGATOR_ACTIONS),
            )
        self.deployment_groups: dict[str, codedeploy.LambdaDeploymentGroup] = deployment_groups(
            self,
            self.aliases,
            self.monitoring.release_alarms_for,
            props,
            routes={route.function_id: route for route in routes},
            code=code,
        )
        for key, value in {
            "service": shared_names.SERVICE_NAME,
            "stage": props.stage_name,
            **props.tags,
        }.items():
            Tags.of(self).add(key, value)

    def grant_analytics_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Lets ``grantee`` call the analytics routes on an IAM-auth stage (and nothing
        else: the learners' routes are granted apart)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["execute-api:Invoke"],
            resource_arns=[
                self.api.arn_for_execute_api(route.method, route.path, self.stage.stage_name)
                for route in ANALYTICS_ROUTES
            ],
        )

    @property
    def url(self) -> str:
        """The API's base URL (a token until deploy)."""
        return self.stage.url
