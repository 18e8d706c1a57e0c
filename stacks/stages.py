"""The deployment stages and how they differ; chosen with ``cdk synth -c stage=NAME``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

from stacks.stats_service import StatsServiceProps

DEFAULT_STAGE = "dev"

STAGES: dict[str, StatsServiceProps] = {
    # Throwaway stacks: everything is deleted with the stack.
    "dev": StatsServiceProps(
        stage_name="dev",
        removal_policy=RemovalPolicy.DESTROY,
        log_retention=logs.RetentionDays.ONE_WEEK,
    ),
    # Learners' data outlives any stack operation.
    "prod": StatsServiceProps(
        stage_name="prod",
        removal_policy=RemovalPolicy.RETAIN,
        log_retention=logs.RetentionDays.ONE_YEAR,
    ),
}


def stage_props(name: str) -> StatsServiceProps:
    try:
        return STAGES[name]
    except KeyError:
        raise ValueError(
            f"unknown stage {name!r}: choose one of {', '.join(sorted(STAGES))} with -c stage=NAME"
        ) from None
