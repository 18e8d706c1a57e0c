"""The settings a stage deploys with, parsed and checked in one place.

A stage's configuration is committed in ``cdk.json``, under ``context.stages.<stage>``,
with the keys below (JSON values: ``"history": true``, ``"reservedConcurrency": 5``); that
is what ``make deploy STAGE=<stage>`` and the release workflow deploy. ``-c key=value``
(``make synth/deploy CONTEXT="-c key=value"``) overrides a committed key for a one-off trial,
and the synth warns, naming each key that differs from the committed configuration (the
next CI deploy would put it back).

- ``stage=dev|staging|prod`` (default dev): the stage's built-in settings (``stages.py``);
  only on the command line.
- ``auth=header|iam|jwt``: instead of the stage's default; JWT needs
  ``jwtIssuer=https://...`` and ``jwtAudience=client-id[,other]`` (``jwtScopes=a,b``
  optional). ``allowHeaderAuth=true`` lets a production stage take header auth.
- ``history=true``: also deploy the history routes (off by default).
- ``analytics=true``: also deploy course analytics (off by default); with JWT auth their
  routes take ``jwtAnalyticsScopes=a,b`` (default ``stats/analytics.read``).
- ``reservedConcurrency=N``: reserved for each function (none by default).
- ``deploymentConfig=CodeDeployDefault.Lambda...``: how releases shift traffic, instead of
  the stage's (e.g. ``CodeDeployDefault.LambdaAllAtOnce``).
- ``provisionedConcurrency=N`` or ``snapStart=true``: a cold-start option (off by default).
- ``domainName=stats.example.com`` with ``certificateArn=arn:...``: a custom domain.
- ``powertoolsLayerArn=arn:...``: where the official Powertools layer is not published.
- ``alarmTopicArn=arn:aws:sns:...``: an existing topic for the alarms, instead of one
  created with the stack (its policy must let this account's CloudWatch alarms publish).
- ``corsOrigins=https://learn.example.com,http://localhost:5173``: browser origins allowed
  to call the API (a JSON list in cdk.json works too); none by default.
- ``account=123456789012`` and ``region=eu-west-1`` pin the stack; else it is
  environment-agnostic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aws_cdk import Environment
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_api import auth_modes, cors

from .auth import AUTH_CLASSES, Auth, Context
from .props import StatsServiceProps
from .releases import DEPLOYMENT_CONFIGS
from .stages import DEFAULT_STAGE, STAGES, Stage

# Where cdk.json commits each stage's configuration: context.stages.<stage>.
STAGES_CONTEXT_KEY = "stages"
# Every key a stage's configuration (or a one-off -c) may set; "stage" picks the stage.
SETTINGS = (
    "auth",
    "jwtIssuer",
    "jwtAudience",
    "jwtScopes",
    "jwtAnalyticsScopes",
    "allowHeaderAuth",
    "history",
    "analytics",
    "reservedConcurrency",
    "powertoolsLayerArn",
    "account",
    "region",
    "deploymentConfig",
    "provisionedConcurrency",
    "snapStart",
    "domainName",
    "certificateArn",
    "alarmTopicArn",
    "corsOrigins",
)


@dataclass(frozen=True)
class StageConfiguration:
    stage: Stage
    auth: Auth
    allow_header_auth: bool = False
    history: bool = False
    analytics: bool = False
    reserved_concurrency: int | None = None
    powertools_layer_arn: str | None = None
    account: str | None = None
    region: str | None = None
    deployment_config: codedeploy.ILambdaDeploymentConfig | None = None  # None: the stage's
    provisioned_concurrency: int | None = None
    snap_start: bool = False
    domain_name: str | None = None
    certificate_arn: str | None = None
    alarm_topic_arn: str | None = None
    cors_origins: tuple[str, ...] = ()
    # What the command line (-c) sets to another value than the stage's committed
    # configuration: key -> (given, committed or None). The next deploy of the committed
    # configuration undoes it.
    overridden: tuple[tuple[str, str, str | None], ...] = ()

    @classmethod
    def parse(cls, given: Context) -> StageConfiguration:
        """The stage's committed configuration with any ``-c`` overrides, or a ValueError
        naming the wrong value."""
        stage = _stage(given("stage"))
        committed = _committed_configuration(given(STAGES_CONTEXT_KEY), stage.name)
        overridden = tuple(
            (key, str(_as_text(given(key))), _as_text(committed.get(key)))
            for key in SETTINGS
            if given(key) is not None and _as_text(given(key)) != _as_text(committed.get(key))
        )

        def context(key: str) -> Any:
            value = given(key)
            return committed.get(key) if value is None else value

        return cls(
            stage=stage,
            auth=_auth(context("auth") or stage.default_auth, context),
            allow_header_auth=_flag(context, "allowHeaderAuth"),
            history=_flag(context, "history"),
            analytics=_flag(context, "analytics"),
            reserved_concurrency=_positive_count(context, "reservedConcurrency"),
            powertools_layer_arn=_optional_text(context("powertoolsLayerArn")),
            account=_matching(context, "account", r"[0-9]{12}", "a 12-digit AWS account id"),
            region=_matching(
                context, "region", r"[a-z]{2}(-[a-z]+)+-[0-9]+", "an AWS region such as eu-west-1"
            ),
            deployment_config=_deployment_config(context("deploymentConfig")),
            provisioned_concurrency=_positive_count(context, "provisionedConcurrency"),
            snap_start=_flag(context, "snapStart"),
            domain_name=_optional_text(context("domainName")),
            certificate_arn=_optional_text(context("certificateArn")),
            alarm_topic_arn=_matching(
                context,
                "alarmTopicArn",
                r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}",
                "an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            ),
            cors_origins=_cors_origins(context("corsOrigins")),
            overridden=overridden,
        )

    def differences(self) -> str | None:
        """One line naming what differs from the stage's committed configuration, or None."""
        if not self.overridden:
            return None
        changes = ", ".join(
            f"{key}={given} (committed: {'unset' if committed is None else committed})"
            for key, given, committed in self.overridden
        )
        return (
            f"stage {self.stage.name} differs from its committed configuration (cdk.json "
            f"context.{STAGES_CONTEXT_KEY}.{self.stage.name}): {changes}. The next deploy "
            "of the committed configuration (make deploy, the release workflow) undoes this: "
            "commit it there to keep it."
        )

    def service_props(self, scope: Construct) -> StatsServiceProps:
        """The construct's props; ``scope`` (the stack) holds what they import."""
        stage = self.stage
        alarm_topic = (
            None
            if self.alarm_topic_arn is None
            else sns.Topic.from_topic_arn(scope, "AlarmTopic", self.alarm_topic_arn)
        )
        return StatsServiceProps(
            stage_name=stage.name,
            production=stage.production,
            auth=self.auth,
            allow_header_auth=self.allow_header_auth,
            history=self.history,
            analytics=self.analytics,
            removal_policy=stage.removal_policy,
            deletion_protection=stage.deletion_protection,
            throttle_rate_limit=stage.throttle_rate_limit,
            throttle_burst_limit=stage.throttle_burst_limit,
            log_retention=stage.log_retention,
            reserved_concurrency=self.reserved_concurrency,
            powertools_layer_arn=self.powertools_layer_arn,
            deployment_config=self.deployment_config or stage.deployment_config,
            provisioned_concurrency=self.provisioned_concurrency,
            snap_start=self.snap_start,
            domain_name=self.domain_name,
            certificate=self.certificate_arn,
            alarm_topic=alarm_topic,
            cors_origins=self.cors_origins,
        )

    def environment(self) -> Environment:
        """Where the stack deploys: only what ``account`` / ``region`` pin, else anywhere.

        CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION are ignored on purpose: the CLI sets them
        from the caller's profile (us-east-1 when it has none), so the template would differ
        from laptop to laptop and CI. An environment-agnostic stack deploys to the account
        and region of the profile ``cdk deploy`` runs with.
        """
        return Environment(account=self.account, region=self.region)


def _committed_configuration(stages: object, stage: str) -> dict[str, Any]:
    """``stage``'s committed settings from cdk.json's ``stages`` (none: all defaults)."""
    if stages is None:
        return {}
    where = f"cdk.json context.{STAGES_CONTEXT_KEY}"
    committed = _object_of(stages, STAGES, where, "stages")
    return _object_of(committed.get(stage) or {}, SETTINGS, f"{where}.{stage}", "settings")


def _object_of(value: object, known: Iterable[str], where: str, what: str) -> dict[str, Any]:
    """``value`` as a JSON object whose keys are all ``known`` ``what``, or a ValueError."""
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object of {what}")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(
            f"{where} has unknown {what} {', '.join(unknown)}: choose among {', '.join(known)}"
        )
    return dict(value)


def _as_text(value: object) -> str | None:
    """A setting as -c would spell it (cdk.json's true and 5 are -c's "true" and "5")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


def _stage(value: object) -> Stage:
    name = str(value or DEFAULT_STAGE.name)
    if name not in STAGES:
        raise ValueError(
            f"unknown stage {name!r}: choose one of {', '.join(STAGES)} with -c stage=NAME"
        )
    return STAGES[name]


def _auth(mode: object, context: Context) -> Auth:
    if mode not in AUTH_CLASSES:
        raise ValueError(f"unknown auth {mode!r}: choose {auth_modes.listed()} with -c auth=MODE")
    return AUTH_CLASSES[mode].from_context(context)


def _positive_count(context: Context, key: str) -> int | None:
    """A number of executions for each function (reserved or provisioned), or None."""
    value = context(key)
    if value is None:
        return None
    if isinstance(value, bool) or not re.fullmatch(r"[1-9][0-9]*", str(value).strip()):
        raise ValueError(
            f"-c {key} must be a positive whole number (executions for each function), "
            f"got {value!r}"
        )
    return int(str(value))


def _deployment_config(value: object) -> codedeploy.ILambdaDeploymentConfig | None:
    if value is None:
        return None
    if value not in DEPLOYMENT_CONFIGS:
        raise ValueError(
            f"unknown -c deploymentConfig {value!r}: choose one of {', '.join(DEPLOYMENT_CONFIGS)}"
        )
    return DEPLOYMENT_CONFIGS[str(value)]


def _matching(context: Context, key: str, pattern: str, meaning: str) -> str | None:
    value = context(key)
    if value is None:
        return None
    if not re.fullmatch(pattern, str(value)):
        raise ValueError(f"-c {key} must be {meaning}, got {value!r}")
    return str(value)


def _flag(context: Context, key: str) -> bool:
    """A yes/no setting: ``true`` or ``false`` (``-c`` gives text, cdk.json may give a JSON
    boolean); unset is false. Anything else is refused: ``-c history=yes`` once synthesised
    without history, saying nothing."""
    value = context(key)
    if value is None or value is False or value == "false":
        return False
    if value is True or value == "true":
        return True
    raise ValueError(f"-c {key} must be true or false, got {value!r}")


def _cors_origins(value: object) -> tuple[str, ...]:
    """Browser origins: comma-separated (-c), or a JSON list (cdk.json)."""
    try:
        return cors.origins(_as_text(value) or "")
    except ValueError as error:
        raise ValueError(f"-c corsOrigins: {error}") from None


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
