"""The settings a team chooses for a stage, each declared once in ``SETTINGS``: its key, the
``StatsServiceProps`` field it sets, how its value is read and checked, and what it means.
Parsing, the props and the list of keys below all follow from that table.

A stage's configuration is committed in ``cdk.json``, under ``context.stages.<stage>``,
with these keys (JSON values: ``"history": true``, ``"reservedConcurrency": 5``); that is
what ``make deploy STAGE=<stage>`` and the release workflow deploy. ``-c key=value``
(``make synth/deploy CONTEXT="-c key=value"``) overrides a committed key for a one-off trial,
and the synth warns, naming each key that differs from the committed configuration (the
next CI deploy would put it back). ``-c stage=dev|staging|prod`` (default dev, only on the
command line) picks the stage and its built-in settings (``built_in_stages.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import Environment
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_sns as sns
from constructs import Construct

from stats_api.routes import ANALYTICS_SCOPE

from . import setting_readers as readers
from .auth import Context
from .built_in_stages import DEFAULT_STAGE, STAGES, Stage
from .props import StatsServiceProps

# Where cdk.json commits each stage's configuration: context.stages.<stage>.
STAGES_CONTEXT_KEY = "stages"
BREAK_GLASS = "breakGlass"  # command line only: committed, it would ignore every alarm
BREAK_GLASS_WARNING = (
    "stage {stage}: break-glass release (-c breakGlass=true): all at once, release alarms "
    "ignored, pre-traffic checks kept; the next deploy without it restores them. "
)


@dataclass(frozen=True)
class Setting:
    key: str  # as cdk.json's context.stages.<stage> and -c spell it
    doc: str
    # None: another setting's reader reads it (the JWT keys are the auth's).
    read: readers.Reader | None
    prop: str | None = None  # the StatsServiceProps field it sets; None: see ``doc``
    # For a prop that holds a construct: the value made into one, in the stack.
    construct: Callable[[Construct, Any], Any] | None = None
    # For one deploy, never committed: read from -c alone, and no "differs" warning.
    command_line_only: bool = False


def _alarm_topic(scope: Construct, arn: str) -> sns.ITopic:
    return sns.Topic.from_topic_arn(scope, "AlarmTopic", arn)


_SNS_TOPIC_ARN = r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}"
_EVENT_BUS_ARN = r"arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]{1,256}"


def _event_bus(scope: Construct, arn: str) -> eventbridge.IEventBus:
    return eventbridge.EventBus.from_event_bus_arn(scope, "EventBus", arn)


# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("auth", "``header|iam|jwt``, instead of the stage's default.", readers.auth, "auth"),
    Setting("jwtIssuer", "with ``auth=jwt``: the issuer, ``https://...``.", None),
    Setting("jwtAudience", "with ``auth=jwt``: the accepted audiences, ``a[,b]``.", None),
    Setting("jwtScopes", "with ``auth=jwt``, optional: scopes a token needs one of.", None),
    Setting("jwtAnalyticsScopes", "with ``auth=jwt``: the analytics routes' scopes "
            f"(default ``{ANALYTICS_SCOPE}``).", None),
    Setting("allowHeaderAuth", "``true`` lets a production stage take header auth.", readers.flag,
            "allow_header_auth"),
    Setting("history", "``true``: also deploy the history routes (off).", readers.flag,
            "history"),
    Setting("analytics", "``true``: also deploy course analytics (off).", readers.flag,
            "analytics"),
    Setting("events", "``true``: publish learning events on EventBridge (off).", readers.flag,
            "events"),
    Setting("eventBusArn", "``arn:aws:events:...``: with ``events``, the app's bus instead of "
            "one created with the stack.", readers.matching(_EVENT_BUS_ARN, "an event bus ARN "
            "(arn:<partition>:events:<region>:<account>:event-bus/<name>)"), "event_bus",
            construct=_event_bus),
    Setting(readers.LRS_KEYS[0], "``https://.../xAPI/statements``: with ``events``, send each "
            "event to this LRS as xAPI statements, with the three keys below.", readers.lrs,
            "lrs"),
    Setting(readers.LRS_KEYS[1], "the complete ARN of the Secrets Manager secret holding the "
            'LRS\'s ``{"username", "password"}``.', None),
    Setting(readers.LRS_KEYS[2], "``https://...``: the platform whose accounts the user ids are "
            "(each statement's actor homePage).", None),
    Setting(readers.LRS_KEYS[3], "``https://.../courses/{courseId}``: the course activity's IRI.",
            None),
    Setting("reservedConcurrency", "``N`` reserved for each function (none).",
            readers.positive_count, "reserved_concurrency"),
    Setting("powertoolsLayerArn", "``arn:...``: where the official Powertools layer is not "
            "published.", readers.text, "powertools_layer_arn"),
    Setting("account", "``123456789012`` pins the stack's account (else any).",
            readers.matching(r"[0-9]{12}", "a 12-digit AWS account id")),
    Setting("region", "``eu-west-1`` pins the stack's region (else any).",
            readers.matching(r"[a-z]{2}(-[a-z]+)+-[0-9]+", "an AWS region such as eu-west-1")),
    Setting("deploymentConfig", "``CodeDeployDefault.Lambda...``: how releases shift traffic, "
            "instead of the stage's.", readers.deployment_config, "deployment_config"),
    Setting("provisionedConcurrency", "``N``: a cold-start option (off).", readers.positive_count,
            "provisioned_concurrency"),
    Setting("snapStart", "``true``: a cold-start option (off).", readers.flag, "snap_start"),
    Setting("domainName", "``stats.example.com``: a custom domain, with ``certificateArn``.",
            readers.text, "domain_name"),
    Setting("certificateArn", "``arn:...``: the custom domain's certificate.", readers.text,
            "certificate"),
    Setting(BREAK_GLASS, "``true``: one deploy during an incident, all at once, the release "
            "alarms ignored; on the command line only, never committed.", readers.flag,
            "break_glass", command_line_only=True),
    Setting("alarmTopicArn", "``arn:aws:sns:...``: an existing topic for the alarms instead of "
            "one created with the stack (its policy must let this account's CloudWatch alarms "
            "publish).", readers.matching(_SNS_TOPIC_ARN, "an SNS topic ARN "
            "(arn:<partition>:sns:<region>:<account>:<name>)"), "alarm_topic",
            construct=_alarm_topic),
    Setting("corsOrigins", "``https://learn.example.com,http://localhost:5173``: browser "
            "origins allowed to call the API (a JSON list in cdk.json too); none by default.",
            readers.cors_origins, "cors_origins"),
)
# fmt: on
KEYS = tuple(setting.key for setting in SETTINGS)
_COMMAND_LINE_ONLY = tuple(s.key for s in SETTINGS if s.command_line_only)


@dataclass(frozen=True)
class StageConfiguration:
    stage: Stage
    values: Mapping[str, Any]  # by key, each as its reader gave it (None: unset)
    # What the command line (-c) sets to another value than the stage's committed
    # configuration: (key, given, committed or None). The next deploy of the committed
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
            for key in KEYS
            if key not in _COMMAND_LINE_ONLY
            and given(key) is not None
            and _as_text(given(key)) != _as_text(committed.get(key))
        )
        built_in = {"auth": stage.default_auth}

        def context(key: str) -> Any:
            for source in (given(key), committed.get(key), built_in.get(key)):
                if source is not None:
                    return source
            return None

        values = {
            s.key: s.read(given if s.command_line_only else context, s.key)
            for s in SETTINGS
            if s.read is not None
        }
        return cls(stage=stage, values=values, overridden=overridden)

    def differences(self) -> str | None:
        """One line naming what differs from the stage's committed configuration (and a
        break-glass release), or None."""
        glass = (
            BREAK_GLASS_WARNING.format(stage=self.stage.name) if self.values[BREAK_GLASS] else ""
        )
        if not self.overridden:
            return glass or None
        changes = ", ".join(
            f"{key}={given} (committed: {'unset' if committed is None else committed})"
            for key, given, committed in self.overridden
        )
        return glass + (
            f"stage {self.stage.name} differs from its committed configuration (cdk.json "
            f"context.{STAGES_CONTEXT_KEY}.{self.stage.name}): {changes}. The next deploy "
            "of the committed configuration (make deploy, the release workflow) undoes this: "
            "commit it there to keep it."
        )

    def service_props(self, scope: Construct) -> StatsServiceProps:
        """The construct's props: the stage's built-in settings, then what the stage's
        configuration chose; ``scope`` (the stack) holds what they import."""
        chosen = {
            setting.prop: (
                setting.construct(scope, value) if setting.construct is not None else value
            )
            for setting in SETTINGS
            if setting.prop is not None and (value := self.values.get(setting.key)) is not None
        }
        return StatsServiceProps(**{**self.stage.props(), **chosen})

    def environment(self) -> Environment:
        """Where the stack deploys: only what ``account`` / ``region`` pin, else anywhere.

        CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION are ignored on purpose: the CLI sets them
        from the caller's profile (us-east-1 when it has none), so the template would differ
        from laptop to laptop and CI. An environment-agnostic stack deploys to the account
        and region of the profile ``cdk deploy`` runs with.
        """
        return Environment(account=self.values.get("account"), region=self.values.get("region"))


def _committed_configuration(stages: object, stage: str) -> dict[str, Any]:
    """``stage``'s committed settings from cdk.json's ``stages`` (none: all defaults)."""
    if stages is None:
        return {}
    where = f"cdk.json context.{STAGES_CONTEXT_KEY}"
    committed = _object_of(stages, STAGES, where, "stages")
    for key in _COMMAND_LINE_ONLY:
        if key in (committed.get(stage) or {}):
            raise ValueError(f"{where}.{stage}: {key} is for one deploy, on the command line")
    committable = [key for key in KEYS if key not in _COMMAND_LINE_ONLY]
    return _object_of(committed.get(stage) or {}, committable, f"{where}.{stage}", "settings")


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


# The keys, as the table declares them: what help() and an editor show of this module.
__doc__ = f"{__doc__}\nThe keys:\n\n" + "\n".join(f"- ``{s.key}``: {s.doc}" for s in SETTINGS)
