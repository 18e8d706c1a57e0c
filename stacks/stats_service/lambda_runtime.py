"""How the functions run: runtime, architecture, and the Powertools layer they load."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Fn, Stack, Token, region_info
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
from constructs import Construct

import stats_api

from .template_rules import refuse_deploy_unless

RUNTIME = lambda_.Runtime.PYTHON_3_14  # the newest runtime Powertools 3.37 supports
ARCHITECTURE = lambda_.Architecture.ARM_64  # ~20% cheaper per GB-second than x86_64

# The deployed functions load this Powertools release; tests check that it equals the pin
# in lambdas/requirements.txt, so what is deployed is what the tests ran.
POWERTOOLS_VERSION = "3.37.0"

# The directory holding the stats_api package: the Lambda asset root. Located from the
# package itself, so an installed construct finds its code whatever the working directory.
ASSET_ROOT = Path(stats_api.__file__).resolve().parent.parent
ASSET_PACKAGE = Path(stats_api.__file__).resolve().parent.name


def function_code() -> lambda_.Code:
    # Only the runtime package: in an installed wheel the asset root is site-packages.
    return lambda_.Code.from_asset(
        str(ASSET_ROOT),
        exclude=["*", f"!{ASSET_PACKAGE}", f"!{ASSET_PACKAGE}/**", "**/__pycache__"],
    )


def powertools_layer_parameter() -> str:
    """The public SSM parameter naming the official Powertools layer for this runtime."""
    return f"/aws/service/powertools/python/{ARCHITECTURE.name}/{RUNTIME.name}/{POWERTOOLS_VERSION}"


# Powertools publishes its layer, and the public parameter naming it, in the commercial
# regions of the aws partition only (not China, not GovCloud; new regions may lag):
# https://docs.powertools.aws.dev/lambda/python/latest/#lambda-layer
PUBLISHED_PARTITION = "aws"
LAYER_ARN_HINT = (
    f"pass the ARN of a Powertools {POWERTOOLS_VERSION} layer for {RUNTIME.name} on "
    f"{ARCHITECTURE.name} in that region with the powertools_layer_arn prop "
    "(-c powertoolsLayerArn=arn:...)"
)


def powertools_layer(scope: Construct, arn: str | None = None) -> lambda_.ILayerVersion:
    """The layer ``arn`` names, else the official one of the stack's region."""
    if arn is None:
        _require_published_partition(scope)
        # Resolved at deploy time in the target region: no Docker, no account-specific ARN.
        arn = ssm.StringParameter.value_for_string_parameter(scope, powertools_layer_parameter())
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)


def _require_published_partition(scope: Construct) -> None:
    """Refuses a partition without the official layer: at synth when the stack's region is
    known, else with a template rule that fails the deploy before any resource changes."""
    partition = partition_at_synth(Stack.of(scope))
    if partition == PUBLISHED_PARTITION:
        return
    if partition is not None:
        raise ValueError(
            f"the official Powertools layer is not published in the {partition} partition "
            f"(region {Stack.of(scope).region}): {LAYER_ARN_HINT}"
        )
    # Rules are checked before any resource changes. (Should CloudFormation resolve the
    # layer's SSM parameter first, the deploy still stops there, naming the parameter.)
    refuse_deploy_unless(
        scope,
        "PowertoolsLayerPublished",
        Fn.condition_equals(Aws.PARTITION, PUBLISHED_PARTITION),
        "The official Powertools layer is published in the aws partition only: outside it, "
        f"{LAYER_ARN_HINT}.",
    )


def partition_at_synth(stack: Stack) -> str | None:
    """The stack's partition when synth can know it (its region is a literal), else None."""
    if not Token.is_unresolved(stack.partition):
        return stack.partition
    if not Token.is_unresolved(stack.region):
        # Without @aws-cdk/core:enablePartitionLiterals; None for a region CDK does not know.
        return region_info.RegionInfo.get(stack.region).partition
    return None
