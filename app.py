#!/usr/bin/env python3
"""The CDK app: one ``StatsStack`` for the stage chosen with ``-c stage=dev|prod``."""

import os

from aws_cdk import App, Environment

from stacks import StatsStack
from stacks.stages import DEFAULT_STAGE, stage_props

app = App()
stage = str(app.node.try_get_context("stage") or DEFAULT_STAGE)
StatsStack(
    app,
    f"StatsService-{stage}",
    service_props=stage_props(stage),
    # Unset (as offline) the stack stays environment-agnostic and synthesises without AWS.
    env=Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    ),
)
app.synth()
