"""The deployment stages and their built-in settings, which are not a team's to choose
(production rules, retention, throttling, release style): what a team chooses for a stage
is its committed configuration (``stage_settings.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_logs as logs

from stats_api.auth_modes import AuthMode


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
    # How each release reaches the stage's traffic, unless -c deploymentConfig=... says
    # otherwise; every stage rolls back on a failed release or a release alarm.
    deployment_config: codedeploy.ILambdaDeploymentConfig

    def props(self) -> dict[str, Any]:
        """The ``StatsServiceProps`` fields the stage sets, by name."""
        return {
            "stage_name": self.name,
            "production": self.production,
            "removal_policy": self.removal_policy,
            "deletion_protection": self.deletion_protection,
            "throttle_rate_limit": self.throttle_rate_limit,
            "throttle_burst_limit": self.throttle_burst_limit,
            "log_retention": self.log_retention,
            "deployment_config": self.deployment_config,
        }


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
    deployment_config=codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
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
    deployment_config=codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
)
# Learners' data outlives any stack operation; spend is capped by stage throttling. No
# stage reserves concurrency: Lambda keeps 100 unreserved per account, so reserving N for
# each route function (3 to 8) needs a quota of at least 100 + 8 x N, far above a new
# account's.
PROD = Stage(
    name="prod",
    production=True,
    default_auth="iam",
    removal_policy=RemovalPolicy.RETAIN,
    deletion_protection=True,
    throttle_rate_limit=200,
    throttle_burst_limit=400,
    log_retention=logs.RetentionDays.ONE_YEAR,
    # A bad release reaches 10% of learners for at most the 5 minutes its alarms watch.
    deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
)

STAGES: dict[str, Stage] = {stage.name: stage for stage in (DEV, STAGING, PROD)}
DEFAULT_STAGE = DEV
