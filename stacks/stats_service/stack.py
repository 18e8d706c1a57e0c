"""The deployable stack: one ``StatsService`` and the outputs operators look for."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from .props import StatsServiceProps
from .service import StatsService


class StatsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_props: StatsServiceProps | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.service = StatsService(self, "StatsService", service_props)
        CfnOutput(self, "ApiUrl", value=self.service.url, description="Base URL of the API")
        CfnOutput(self, "TableName", value=self.service.table.table_name)
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=self.service.alarm_topic.topic_arn,
            description="Where the service's alarms notify: subscribe on-call here",
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
