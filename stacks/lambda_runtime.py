"""How the functions run: runtime, architecture, and the Powertools layer they load."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
from constructs import Construct

import stats_api

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


def powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    # Resolved at deploy time in the target region: no Docker, no account-specific ARN.
    arn = ssm.StringParameter.value_for_string_parameter(scope, powertools_layer_parameter())
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)
