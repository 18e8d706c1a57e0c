"""The deployment stages and how they differ: the one place a stage's settings live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

AuthMode = Literal["header", "iam", "jwt"]
AUTH_MODES: tuple[AuthMode, ...] = ("header", "iam", "jwt")


@dataclass(frozen=True)
class Stage:
    name: str
    production: bool  # the production rules (see StatsServiceProps.production)
    default_auth: AuthMode  # unless -c auth=... says otherwise
    removal_policy: RemovalPolicy
    deletion_protection: bool
    throttle_rate_limit: float  # requests per second, stage-wide
    throttle_burst_limit: int
    log_retention: logs.RetentionDays


# Throwaway stacks: everything is deleted with the stack; little traffic allowed.
DEV = Stage(
    name="dev",
    production=False,
    default_auth="header",
    removal_policy=RemovalPolicy.DESTROY,
    deletion_protection=False,
    throttle_rate_limit=10,
    throttle_burst_limit=20,
    log_retention=logs.RetentionDays.ONE_WEEK,
)
# Prod's shape at a smaller scale; its data is disposable.
STAGING = Stage(
    name="staging",
    production=False,
    default_auth="iam",
    removal_policy=RemovalPolicy.DESTROY,
    deletion_protection=False,
    throttle_rate_limit=25,
    throttle_burst_limit=50,
    log_retention=logs.RetentionDays.ONE_MONTH,
)
# Learners' data outlives any stack operation; spend is capped by stage throttling. No
# stage reserves concurrency: Lambda keeps 100 unreserved per account, so reserving 3 x N
# needs a concurrency quota of at least 100 + 3 x N, far above a new account's.
PROD = Stage(
    name="prod",
    production=True,
    default_auth="iam",
    removal_policy=RemovalPolicy.RETAIN,
    deletion_protection=True,
    throttle_rate_limit=200,
    throttle_burst_limit=400,
    log_retention=logs.RetentionDays.ONE_YEAR,
)

STAGES: dict[str, Stage] = {stage.name: stage for stage in (DEV, STAGING, PROD)}
DEFAULT_STAGE = DEV
