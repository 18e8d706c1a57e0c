#!/usr/bin/env python3
"""The CDK app: one ``StatsStack`` for the stage chosen with ``-c stage=dev|staging|prod``.

Every synth runs cdk-nag's AWS Solutions and Serverless packs; any finding that is not
acknowledged (with a reason, in the construct that owns it) fails the synth. The stack is
environment-agnostic (the same template from every machine) unless ``-c account=...
-c region=...`` pin it.
"""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks import StatsStack
from stacks.stages import DEFAULT_STAGE, stack_environment, stage_props


def build_app(app: App | None = None) -> App:
    app = app or App()
    stage = str(app.node.try_get_context("stage") or DEFAULT_STAGE)
    StatsStack(
        app,
        f"StatsService-{stage}",
        service_props=stage_props(stage, app.node.try_get_context),
        env=stack_environment(app.node.try_get_context),
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
