"""``StatsService``: the table, one function per route, the HTTP API, and their monitoring."""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Stack, Tags, Validations
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api import caller_policies, shared_names
from stats_api.routes import deployed_routes

from . import lambda_runtime, snap_start
from .alarm_topic import alarm_topic
from .analytics import (
    AGGREGATOR_ACTIONS,
    AGGREGATOR_ID,
    aggregator_spec,
    failure_queue,
    stream_mapping,
)
from .api import add_routes, api_stage, http_api
from .domain import custom_domain
from .functions import route_function_spec, service_function
from .learning_events import LearningEvents, learning_events
from .monitoring import StatsServiceMonitoring
from .props import StatsServiceProps
from .releases import Release, deployment_groups, live_alias, live_aliases
from .service_metrics import analytics_operations
from .table import analytics_table, check_brought_table, sessions_table


class StatsService(Construct):
    """Records learners' study sessions and serves their per-course stats over HTTP.

    Attributes for consumers to extend: ``table``, ``api``, ``stage``, ``url``,
    ``functions`` (each deployed route's, by its function id), ``alarm_topic``,
    ``monitoring`` (``monitoring.fault_alarms_for(function_id)`` for deployments to watch),
    ``aliases`` (each route function's ``live`` alias, which the API invokes) and
    ``deployment_groups`` (CodeDeploy's, which shift the aliases; the aggregator's too),
    both by function id, and ``domain`` (the custom domain, or None). With analytics:
    ``analytics_table``, ``aggregator_function`` with ``aggregator_alias`` (what the stream
    invokes), ``analytics_failures`` (the on-failure queue) and
    ``grant_analytics_read(grantee)`` for IAM callers. With events: ``learning_events``
    (the bus, archive, schema registry, publisher and, with an LRS, its forwarder and
    queues: ``LearningEvents``).
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
        self.aggregator_alias: lambda_.Alias | None = None
        self.analytics_failures: sqs.Queue | None = None
        if props.analytics:
            self.analytics_table = analytics_table(self, props)
            self.analytics_failures = failure_queue(self, "AnalyticsFailures", props)
            self.aggregator_function = service_function(
                self, aggregator_spec(self.analytics_table), code=code, layer=layer, props=props
            )
            # Released as the routes' functions are: the stream invokes the live alias.
            self.aggregator_alias = live_alias(
                self.aggregator_function,
                "What the sessions table's stream invokes; CodeDeploy shifts it to each release",
            )
            stream_mapping(
                self.aggregator_function,
                self.aggregator_alias,
                table=self.table,
                failures=self.analytics_failures,
            )
        # With events: the bus, its archive and schemas, the publisher the stream invokes;
        # with an LRS, the forwarder and its queues.
        self.learning_events: LearningEvents | None = (
            learning_events(self, table=self.table, props=props, code=code, layer=layer)
            if props.events
            else None
        )
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
        releases = {
            route.function_id: Release(
                self.aliases[route.function_id],
                route.route_key,
                self.monitoring.release_alarms_for(route.function_id),
            )
            for route in routes
        }
        aggregator, alias = self.aggregator_function, self.aggregator_alias
        failures, analytics = self.analytics_failures, self.analytics_table
        if aggregator and alias and failures and analytics:  # analytics are on
            self.monitoring.monitor_analytics(
                aggregator, failures, analytics, analytics_operations(routes, AGGREGATOR_ACTIONS)
            )
            releases[AGGREGATOR_ID] = Release(
                alias,
                shared_names.AGGREGATOR_RELEASE_CHECK,
                self.monitoring.aggregator_release_alarms(),
            )
        if self.learning_events is not None:
            self.monitoring.monitor_learning_events(self.learning_events)
            releases.update(self.learning_events.releases(self.monitoring.consumer_release_alarms))
        self.deployment_groups: dict[str, codedeploy.LambdaDeploymentGroup] = deployment_groups(
            self, releases, props, code=code
        )
        for key, value in {
            "service": shared_names.SERVICE_NAME,
            "stage": props.stage_name,
            **props.tags,
        }.items():
            Tags.of(self).add(key, value)

    def grant_analytics_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Lets ``grantee`` call the analytics routes on an IAM-auth stage, with any course
        id, and nothing else (``caller_policies.ANALYTICS_GRANTS``: the learners' routes
        are granted apart)."""
        arns = [
            self.api.arn_for_execute_api(grant.method, grant.path, self.stage.stage_name)
            for grant in caller_policies.ANALYTICS_GRANTS
        ]
        granted = iam.Grant.add_to_principal(
            grantee=grantee, actions=[caller_policies.INVOKE], resource_arns=arns
        )
        if isinstance(grantee, Construct):  # its policy, for cdk-nag users (this app is one)
            for arn in arns:
                Validations.of(grantee).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions::AwsSolutions-IAM5"
                        f"[Resource::{_as_nag_names(Stack.of(self), arn)}]",
                        reason="Any course id (the route's path parameter) on this one "
                        "analytics route of this API; the method and path name the route.",
                    )
                )
        return granted

    @property
    def url(self) -> str:
        """The API's base URL (a token until deploy)."""
        return self.stage.url


def _as_nag_names(stack: Stack, value: str) -> str:
    """``value`` as cdk-nag names it in a finding: each reference ``<LogicalId>`` (or
    ``<LogicalId.Attribute>``), each pseudo parameter ``<AWS::Region>``..., unless the
    stack's environment resolved it to its text."""
    resolved = stack.resolve(value)
    if isinstance(resolved, str):
        return resolved

    def named(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Ref" in part:
            return f"<{part['Ref']}>"
        return f"<{'.'.join(part['Fn::GetAtt'])}>"

    return "".join(named(part) for part in resolved["Fn::Join"][1])
