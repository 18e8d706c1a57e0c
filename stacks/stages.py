"""The deployment stages and how they differ: the one place a stage's settings live.

Chosen with ``cdk synth -c stage=NAME``. Auth is set per deployment with context:
``-c auth=jwt -c jwtIssuer=https://... -c jwtAudience=client-id[,other]`` (optionally
``-c jwtScopes=a,b``), ``-c auth=iam`` or ``-c auth=header``; prod takes header auth only
with ``-c allowHeaderAuthInProd=true``. ``-c reservedConcurrency=N`` reserves N concurrent
executions for each function (none by default). The stack is environment-agnostic unless
``-c account=123456789012 -c region=eu-west-1`` pins it. ``-c powertoolsLayerArn=arn:...``
names the Powertools layer where the official one is not published (China, GovCloud).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_cdk import Environment, RemovalPolicy
from aws_cdk import aws_logs as logs

from .auth import Auth, HeaderAuth, IamAuth, JwtAuth
from .stats_service import StatsServiceProps

DEFAULT_STAGE = "dev"

Context = Callable[[str], Any]

STAGES: dict[str, dict[str, Any]] = {
    # Throwaway stacks: everything is deleted with the stack; little traffic allowed.
    "dev": {
        "default_auth": "header",
        "removal_policy": RemovalPolicy.DESTROY,
        "deletion_protection": False,
        "throttle_rate_limit": 10,
        "throttle_burst_limit": 20,
        "log_retention": logs.RetentionDays.ONE_WEEK,
    },
    # Prod's shape at a smaller scale; its data is disposable.
    "staging": {
        "default_auth": "iam",
        "removal_policy": RemovalPolicy.DESTROY,
        "deletion_protection": False,
        "throttle_rate_limit": 25,
        "throttle_burst_limit": 50,
        "log_retention": logs.RetentionDays.ONE_MONTH,
    },
    # Learners' data outlives any stack operation; spend is capped by stage throttling. No
    # stage reserves concurrency: Lambda keeps 100 unreserved per account, so reserving
    # 3 x N needs a concurrency quota of at least 100 + 3 x N, far above a new account's.
    "prod": {
        "default_auth": "iam",
        "removal_policy": RemovalPolicy.RETAIN,
        "deletion_protection": True,
        "throttle_rate_limit": 200,
        "throttle_burst_limit": 400,
        "log_retention": logs.RetentionDays.ONE_YEAR,
    },
}


def stage_props(name: str, context: Context) -> StatsServiceProps:
    """The settings of stage ``name``, with auth taken from the CDK context."""
    if name not in STAGES:
        raise ValueError(
            f"unknown stage {name!r}: choose one of {', '.join(STAGES)} with -c stage=NAME"
        )
    settings = dict(STAGES[name])
    mode = str(context("auth") or settings.pop("default_auth"))
    settings.pop("default_auth", None)
    return StatsServiceProps(
        stage_name=name,
        auth=_auth(mode, context),
        allow_header_auth_in_prod=str(context("allowHeaderAuthInProd")).lower() == "true",
        reserved_concurrency=_reserved_concurrency(context("reservedConcurrency")),
        powertools_layer_arn=_optional_text(context("powertoolsLayerArn")),
        **settings,
    )


def stack_environment(context: Context) -> Environment:
    """Where the stack deploys: only what ``-c account`` / ``-c region`` pin, else anywhere.

    CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION are ignored on purpose: the CLI sets them from
    the caller's profile (us-east-1 when it has none), so the template would differ from
    laptop to laptop and CI. An environment-agnostic stack deploys to the account and
    region of the profile ``cdk deploy`` runs with.
    """
    account, region = context("account"), context("region")
    if account is not None and not re.fullmatch(r"[0-9]{12}", str(account)):
        raise ValueError(f"-c account must be a 12-digit AWS account id, got {account!r}")
    if region is not None and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]+", str(region)):
        raise ValueError(f"-c region must be an AWS region such as eu-west-1, got {region!r}")
    return Environment(account=_optional_text(account), region=_optional_text(region))


def _reserved_concurrency(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not re.fullmatch(r"[1-9][0-9]*", str(value).strip()):
        raise ValueError(
            f"-c reservedConcurrency must be a positive whole number (executions reserved for "
            f"each function), got {value!r}"
        )
    return int(str(value))


def _auth(mode: str, context: Context) -> Auth:
    if mode == "header":
        return HeaderAuth()
    if mode == "iam":
        return IamAuth()
    if mode == "jwt":
        issuer, audience = context("jwtIssuer"), context("jwtAudience")
        if not issuer or not audience:
            raise ValueError("-c auth=jwt needs -c jwtIssuer=https://... -c jwtAudience=...")
        return JwtAuth(
            issuer=str(issuer),
            audience=_names(audience),
            required_scopes=_names(context("jwtScopes") or ""),
        )
    raise ValueError(f"unknown auth {mode!r}: choose header, iam or jwt with -c auth=MODE")


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _names(value: object) -> tuple[str, ...]:
    return tuple(name.strip() for name in str(value).split(",") if name.strip())
