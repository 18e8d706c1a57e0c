"""Where Lambda SnapStart can run the functions: which runtimes, architectures and regions
Lambda offers it for, and the refusal of any other combination before a deploy starts.

From Lambda's documentation (checked 2026-11-27):
https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html
- runtimes: Java 11 and later, Python 3.12 and later, .NET 8 and later; no other managed
  runtime, no OS-only runtime, no container image;
- architectures: the page lists none among the limits (arm64 was one until 2024), so both;
- regions: every commercial region except Asia Pacific (New Zealand) and Asia Pacific
  (Taipei); the aws partition only, as China and GovCloud are not commercial regions;
- not with provisioned concurrency, EFS, or ephemeral storage above 512 MB (the props
  refuse the first; the functions use neither of the others).
"""

from __future__ import annotations

import re

from aws_cdk import Aws, Fn, Stack, Token
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from . import lambda_runtime
from .template_rules import refuse_deploy_unless

DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html"
OLDEST_PYTHON = (3, 12)
ARCHITECTURES = frozenset({"arm64", "x86_64"})
PARTITION = "aws"
# Commercial regions without SnapStart, by region code.
REGIONS_WITHOUT = {
    "ap-southeast-6": "Asia Pacific (New Zealand)",
    "ap-east-2": "Asia Pacific (Taipei)",
}


def require_support(
    scope: Construct,
    runtime: lambda_.Runtime = lambda_runtime.RUNTIME,
    architecture: lambda_.Architecture = lambda_runtime.ARCHITECTURE,
) -> None:
    """Refuses SnapStart where Lambda does not offer it: for the runtime and architecture,
    and for a region known at synth, with a ValueError; for an environment-agnostic stack,
    with a template rule that stops the deploy before any resource changes."""
    if not _runtime_supported(runtime):
        raise ValueError(
            f"snap_start: Lambda offers SnapStart for Python 3.12 and later, not "
            f"{runtime.name} ({DOCS})"
        )
    if architecture.name not in ARCHITECTURES:
        raise ValueError(f"snap_start: not offered on {architecture.name} ({DOCS})")
    stack = Stack.of(scope)
    partition = lambda_runtime.partition_at_synth(stack)
    region = None if Token.is_unresolved(stack.region) else stack.region
    if region in REGIONS_WITHOUT or partition not in (None, PARTITION):
        where = REGIONS_WITHOUT.get(region or "", f"the {partition} partition")
        raise ValueError(
            f"snap_start: Lambda does not offer SnapStart in {region} ({where}); turn it "
            f"off (-c snapStart=false) or deploy elsewhere ({DOCS})"
        )
    if region is None or partition is None:
        _refuse_deploy_outside_supported_regions(scope)


def _runtime_supported(runtime: lambda_.Runtime) -> bool:
    match = re.fullmatch(r"python(\d+)\.(\d+)", runtime.name)
    version = (int(match.group(1)), int(match.group(2))) if match else None
    return runtime.supports_snap_start and version is not None and version >= OLDEST_PYTHON


def _refuse_deploy_outside_supported_regions(scope: Construct) -> None:
    refuse_deploy_unless(
        scope,
        "SnapStartOffered",
        Fn.condition_and(
            Fn.condition_equals(Aws.PARTITION, PARTITION),
            Fn.condition_not(Fn.condition_contains(list(REGIONS_WITHOUT), Aws.REGION)),
        ),
        f"Lambda SnapStart is offered in the commercial regions except "
        f"{', '.join(REGIONS_WITHOUT)} ({DOCS}): deploy without snap_start "
        "(-c snapStart=false) in this region.",
    )
