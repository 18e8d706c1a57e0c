#!/usr/bin/env python3
"""Another team's CDK app: installs ``stats-service`` and puts ``StatsService`` in its own
stack, with its own alarm topic and auth, history and course analytics, then gives its
dashboards' role the analytics routes (and nothing else) with ``grant_analytics_read``.
Learning events go to its own bus, where its badges rule picks the recorded sessions, and
to its LRS, whose credentials it keeps in a secret of its own."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Stack
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_service import (
    IamAuth,
    LrsProps,
    StatsService,
    StatsServiceProps,
    allow_alarm_notifications,
)


class LearningPlatformStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        on_call = sns.Topic(self, "OnCall", enforce_ssl=True)
        # Its TLS-only policy replaces SNS's default one: let CloudWatch alarms publish.
        allow_alarm_notifications(on_call)
        platform_bus = eventbridge.EventBus(self, "PlatformEvents")
        # {"username": ..., "password": ...}, set by the LRS's owners (never in the template).
        lrs_credentials = secretsmanager.Secret(self, "LrsCredentials")
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
                events=True,
                event_bus=platform_bus,
                lrs=LrsProps(
                    statements_endpoint="https://lrs.example.com/xAPI/statements",
                    credentials=lrs_credentials,
                    actor_home_page="https://learn.example.com",
                    course_iri_template="https://learn.example.com/courses/{courseId}",
                ),
            ),
        )
        # Badges take each recorded session from the bus (source stats-service) into their
        # own queue; they drop redeliveries by the event's detail.eventId.
        badges = sqs.Queue(self, "BadgeAwards", enforce_ssl=True)
        eventbridge.Rule(
            self,
            "Badges",
            event_bus=platform_bus,
            event_pattern=eventbridge.EventPattern(
                source=["stats-service"], detail_type=["SessionRecorded"]
            ),
            targets=[targets.SqsQueue(badges)],
        )
        # The dashboards read course analytics through their routes (any course, a
        # constant cost per read), never the learners' routes or the tables themselves.
        dashboards = iam.Role(self, "Dashboards", assumed_by=iam.AccountRootPrincipal())
        stats.grant_analytics_read(dashboards)
        CfnOutput(self, "StatsApiUrl", value=stats.url)


app = App()
LearningPlatformStack(app, "LearningPlatform")
app.synth()
