#!/usr/bin/env python3
"""Another team's CDK app: installs ``stats-service`` and puts ``StatsService`` in its own
stack, with its own alarm topic and auth, history and course analytics, then gives its
dashboards' role the analytics routes (and nothing else) with ``grant_analytics_read``."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_service import IamAuth, StatsService, StatsServiceProps, allow_alarm_notifications


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
                auth=IamAuth(),  # its backend signs for the learners
                history=True,
                analytics=True,
                alarm_topic=on_call,
                cors_origins=("https://learn.example.com",),
                tags={"team": "learning-platform"},
            ),
        )
        # The dashboards read course analytics through their routes (any course, a
        # constant cost per read), never the learners' routes or the tables themselves.
        dashboards = iam.Role(self, "Dashboards", assumed_by=iam.AccountRootPrincipal())
        stats.grant_analytics_read(dashboards)
        CfnOutput(self, "StatsApiUrl", value=stats.url)


app = App()
LearningPlatformStack(app, "LearningPlatform")
app.synth()
