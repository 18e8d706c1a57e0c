#!/usr/bin/env python3
"""Another team's CDK app: installs ``stats-service`` and puts ``StatsService`` in its own
stack, with its own alarm topic and auth, then extends what the construct exposes."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_service import JwtAuth, StatsService, StatsServiceProps, allow_alarm_notifications

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"


class LearningPlatformStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        on_call = sns.Topic(self, "OnCall", enforce_ssl=True)
        # Its TLS-only policy replaces SNS's default one: let CloudWatch alarms publish.
        allow_alarm_notifications(on_call)
        stats = StatsService(
            self,
            "Stats",
            StatsServiceProps(
                stage_name="prod",
                production=True,
                auth=JwtAuth(issuer=ISSUER, audience=("learning-web",)),
                alarm_topic=on_call,
                cors_origins=("https://learn.example.com",),
                tags={"team": "learning-platform"},
            ),
        )
        # Extending it: an analytics role that may read the table, nothing more.
        analytics = iam.Role(self, "Analytics", assumed_by=iam.AccountRootPrincipal())
        stats.table.grant_read_data(analytics)
        CfnOutput(self, "StatsApiUrl", value=stats.url)


app = App()
LearningPlatformStack(app, "LearningPlatform")
app.synth()
