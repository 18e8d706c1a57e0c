#!/usr/bin/env python3
"""The CDK app: one ``StatsStack`` for the stage chosen with ``-c stage=dev|staging|prod``.

Every synth runs cdk-nag's AWS Solutions and Serverless packs; any finding that is not
acknowledged (with a reason, in the construct that owns it) fails the synth.
"""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks import StatsStack
from stacks.stages import DEFAULT_STAGE, stage_props


def build_app(app: App | None = None) -> App:
    app = app or App()
    stage = str(app.node.try_get_context("stage") or DEFAULT_STAGE)
    StatsStack(
        app,
        f"StatsService-{stage}",
        service_props=stage_props(stage, app.node.try_get_context),
        # Unset (as offline) the stack stays environment-agnostic and synthesises without AWS.
        env=Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION"),
        ),
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
