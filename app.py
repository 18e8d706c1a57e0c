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

from stats_service import StatsStack
from stats_service.deploy_context import DeployContext


def build_app(app: App | None = None) -> App:
    app = app or App()
    context = DeployContext.parse(app.node.try_get_context)
    StatsStack(
        app,
        f"StatsService-{context.stage.name}",
        service_props=context.service_props(),
        env=context.environment(),
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
