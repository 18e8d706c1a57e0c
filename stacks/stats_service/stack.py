"""The deployable stack: one ``StatsService`` and the outputs operators look for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from stats_api import auth_modes
from stats_api.shared_names import (
    ANALYTICS_READER_OUTPUT,
    ANALYTICS_TABLE_NAME_OUTPUT,
    EVENT_BUS_NAME_OUTPUT,
    LRS_ACTOR_HOME_PAGE_OUTPUT,
    TABLE_NAME_OUTPUT,
)

from .props import StatsServiceProps
from .service import StatsService


class StatsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_props: StatsServiceProps | Callable[[Stack], StatsServiceProps] | None = None,
        **kwargs: Any,
    ) -> None:
        """``service_props``: the props, or a function of this stack that makes them (for
        props that import resources, such as an existing alarm topic, into it)."""
        super().__init__(scope, construct_id, **kwargs)
        props = service_props(self) if callable(service_props) else service_props
        self.service = StatsService(self, "StatsService", props)
        CfnOutput(self, "ApiUrl", value=self.service.url, description="Base URL of the API")
        CfnOutput(self, TABLE_NAME_OUTPUT, value=self.service.table.table_name)
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=self.service.alarm_topic.topic_arn,
            description="Where the service's alarms notify: subscribe on-call here",
        )
        # What `make e2e AUTH=...` must sign with: the release workflow reads it, so a stage
        # whose committed auth changes is tested in its new mode, not the old one.
        CfnOutput(
            self,
            "AuthMode",
            value=self.service.props.auth.mode,
            description=f"How callers authenticate: {auth_modes.listed()}",
        )
        if self.service.analytics_table is not None and self.service.props.auth.mode == "iam":
            # The release gate's analyst: `make e2e`/`make smoke` assume it (ANALYST_ROLE_ARN)
            # to check the analytics routes through the grant itself, as dashboards call them.
            reader = iam.Role(
                self,
                "AnalyticsReader",
                assumed_by=iam.AccountRootPrincipal(),
                description="Reads course analytics (grant_analytics_read) and nothing else; "
                "assumable by this account's principals allowed sts:AssumeRole on it",
            )
            self.service.grant_analytics_read(reader)
            CfnOutput(
                self,
                ANALYTICS_READER_OUTPUT,
                value=reader.role_arn,
                description="A role granted the analytics routes only: the release gate's analyst",
            )
        if self.service.analytics_table is not None:
            # What `make analytics-backfill` writes to.
            CfnOutput(
                self,
                ANALYTICS_TABLE_NAME_OUTPUT,
                value=self.service.analytics_table.table_name,
                description="The course analytics table",
            )
        events = self.service.learning_events
        if events is not None:
            # Where consumers subscribe: a rule on this bus, source stats-service.
            CfnOutput(
                self,
                EVENT_BUS_NAME_OUTPUT,
                value=events.bus.event_bus_name,
                description="The bus learning events are published on",
            )
        lrs = self.service.props.lrs
        if lrs is not None:
            # What `make erase` names as the xAPI actor for the LRS's own erasure.
            CfnOutput(
                self,
                LRS_ACTOR_HOME_PAGE_OUTPUT,
                value=lrs.actor_home_page,
                description="The homePage of the learners' xAPI accounts at the LRS",
            )
        if self.service.domain is not None:
            domain = self.service.domain
            CfnOutput(
                self,
                "DomainTarget",
                value=domain.regional_domain_name,
                # A literal: CloudFormation takes no intrinsic function in an output's
                # Description (cfn-lint E6003), and the domain name may be a token.
                description="Point the custom domain here (CNAME, or alias with "
                "DomainHostedZoneId)",
            )
            CfnOutput(
                self,
                "DomainHostedZoneId",
                value=domain.regional_hosted_zone_id,
                description="The hosted zone of DomainTarget, for a Route 53 alias record",
            )
