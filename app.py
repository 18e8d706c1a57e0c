#!/usr/bin/env python3
"""The CDK app: one ``StatsStack`` for the stage chosen with ``-c stage=dev|staging|prod``,
configured as cdk.json's ``context.stages.<stage>`` commits it (``-c`` overrides a key for a
one-off trial, with a warning naming it).

Every synth runs cdk-nag's AWS Solutions and Serverless packs; any finding that is not
acknowledged (with a reason, in the construct that owns it) fails the synth. The stack is
environment-agnostic (the same template from every machine) unless ``-c account=...
-c region=...`` pin it.
"""

from __future__ import annotations

from aws_cdk import Annotations, App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stats_api.shared_names import STACK_NAME
from stats_service import StatsStack
from stats_service.stage_settings import StageConfiguration

UNCOMMITTED_WARNING = "stats-service:uncommittedConfiguration"


def build_app(app: App | None = None) -> App:
    app = app or App()
    context = StageConfiguration.parse(app.node.try_get_context)
    stack = StatsStack(
        app,
        STACK_NAME.format(stage=context.stage.name),
        service_props=context.service_props,
        env=context.environment(),
    )
    differences = context.differences()
    if differences is not None:
        # Printed by every synth and deploy (as "[Warning at /StatsService-<stage>]"):
        # a one-off trial is fine, a configuration CI will silently undo is not.
        Annotations.of(stack).add_warning_v2(UNCOMMITTED_WARNING, differences)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
