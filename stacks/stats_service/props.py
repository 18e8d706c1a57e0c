"""``StatsServiceProps``: every setting of a ``StatsService``, its safe default, and the
rules that refuse a wrong one at synth with a message naming it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns

from stats_api import cors

from .auth import Auth, HeaderAuth
from .lrs_props import LrsProps

API_GATEWAY_TIMEOUT = Duration.seconds(29)
# Lambda refuses SnapStart together with provisioned concurrency:
# https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html
SNAP_START_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html"


@dataclass(frozen=True)
class StatsServiceProps:
    """Settings of a ``StatsService``; every one has a safe default.

    Attributes:
        stage_name: Names the deployment in descriptions, tags and the dashboard header
            (1-20 of ``a-z 0-9 -``, starting with a letter). Default ``dev``.
        production: Turns on the production rules: header auth is refused unless
            ``allow_header_auth`` says otherwise, and the table and logs must be retained
            (``removal_policy`` RETAIN) with deletion protection on. Default False. The
            ``prod`` stage sets it; no stage name implies it.
        auth: Who the caller is: ``JwtAuth`` (the token's ``sub``), ``IamAuth`` (SigV4;
            the trusted signer names the user in the ``userId`` header) or ``HeaderAuth``
            (the ``userId`` header, trusted as sent). Default ``HeaderAuth()``.
        allow_header_auth: With ``production``, accept ``HeaderAuth`` anyway (e.g. behind
            a trusted private gateway). Default False.
        history: Also deploy the history routes: ``GET /courses``, ``GET
            /courses/{courseId}/sessions``, ``DELETE /courses/{courseId}/sessions/
            {sessionId}`` and windowed course stats (``?since=&until=``), each its own
            function. Default False: the three core routes only.
        analytics: Also deploy course analytics: ``GET /analytics/courses/{courseId}`` and
            ``GET /analytics/courses/{courseId}/daily``, each its own function, an analytics
            table, the sessions table's stream and the aggregator it invokes (with its
            on-failure queue and alarms). Not for learners: with ``JwtAuth`` the routes
            demand one of ``JwtAuth.analytics_scopes``; with ``IamAuth`` grant them apart
            (``StatsService.grant_analytics_read``). A brought table must have a stream of
            new and old images. Default False.
        events: Also publish learning events: each session recorded, withdrawn or erased, on
            an EventBridge bus (``SessionRecorded``, ``SessionWithdrawn``, ``SessionErased``,
            source ``stats-service``; their JSON Schemas in docs/events/ and in a schema
            registry), from the sessions table's stream through a publisher function (with
            its on-failure queue and alarms), kept 35 days in an archive for replay. A
            brought table must have a stream of new and old images. Default False.
        event_bus: With ``events``: the bus to publish on, one the app owns, instead of one
            the construct creates. Default: created.
        lrs: With ``events``: also send each event to a Learning Record Store as xAPI
            statements (``LrsProps``: its endpoint, credentials and xAPI names). Default
            none.
        table: Bring your own table instead of creating one. Its key schema must be
            ``userId`` (string) / ``sessionId`` (string), and with ``history`` it needs the
            history index (``table.HISTORY_INDEX_DESCRIPTION``). A table of this app is
            checked at synth and refused with what it lacks. Default: created (always with
            the history index, which cannot be added to a table later).
        table_has_history_index: For an imported table (one CDK cannot see) with
            ``history``: confirm that it has the history index. Default False, which
            refuses the combination at synth.
        removal_policy: For the created table, the log groups and the alarm topic's key.
            DESTROY suits throwaway stages only. Default RETAIN.
        deletion_protection: On the created table. Default True.
        throttle_rate_limit: Stage-wide requests per second, the wallet's first guard.
            Default 50.
        throttle_burst_limit: Stage-wide burst. Default 100.
        reserved_concurrency: Reserves (and caps) each function's concurrency. Lambda
            keeps 100 unreserved per account, so the deploy fails unless the account's
            concurrency quota is at least 100 + (number of functions) x this; new accounts
            start far lower. Default None: the account's pool, stage throttling caps spend.
        memory_size: MB per function; 256 gives twice the CPU of 128 for the cold start's
            imports. Default 256.
        timeout: Per invocation, under API Gateway's 29 s integration limit yet room for
            the SDK's retries. Default 10 s.
        log_retention: Of the functions' and the access logs. Default one month.
        alarm_topic: Where alarms notify. Default: an encrypted topic is created. A topic
            with a resource policy (``enforce_ssl`` writes one) refuses CloudWatch unless a
            statement lets it publish: call ``allow_alarm_notifications(topic)`` on it.
        powertools_layer_arn: The Powertools layer the functions load (a release matching
            ``lambda_runtime.POWERTOOLS_VERSION``, ``RUNTIME`` and ``ARCHITECTURE``).
            Default: the official layer through its public SSM parameter, which exists only
            in the aws partition's commercial regions; give an ARN for China, GovCloud or
            a region Powertools has not reached. Synth refuses a known region outside the
            aws partition without one.
        cors_origins: Browser origins allowed to call the API (``https://host`` or
            ``http://localhost[:port]``): API Gateway answers their preflights, letting
            them send the caller, a token or a SigV4 signature and read ``Retry-After``
            (``stats_api.cors``). Default none: no CORS.
        tags: Added to every resource, after ``service`` and ``stage``. Default none.
        deployment_config: How CodeDeploy shifts each function's ``live`` alias to a new
            version, e.g. ``LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES`` (10% of
            requests for 5 minutes, then all) or ``ALL_AT_ONCE``; a release rolls back when
            it fails or the function's release alarms fire while it shifts. Default the
            10%-for-5-minutes canary.
        break_glass: For an incident only, one deploy: release every function all at once
            and ignore the release alarms (already firing, they would stop the hotfix's
            canary and roll it back). The pre-traffic checks still run, and a failed or
            stopped deployment still rolls back. Default False; the next deploy without it
            restores the canary and its alarms.
        provisioned_concurrency: Execution environments kept initialised on each
            function's ``live`` alias: no cold starts up to that many concurrent requests,
            billed every second whether used or not. Lambda keeps 100 unreserved per
            account, and it may not exceed ``reserved_concurrency``. Not with
            ``snap_start``. Default None (off).
        snap_start: Lambda SnapStart on each published version: new environments resume
            from a snapshot taken after the imports instead of running them; billed per
            cached version and per restore. Refused at synth for a runtime, architecture
            or region Lambda does not offer it in (an environment-agnostic stack gets a
            template rule that refuses the deploy there). Not with
            ``provisioned_concurrency``. Default False (off).
        domain_name: A custom domain for the API (e.g. ``stats.example.com``), mapped to
            its stage; point DNS at the stack's ``DomainTarget`` output. Needs
            ``certificate``. Default none: the ``execute-api`` URL only.
        certificate: The ACM certificate for ``domain_name``, in the API's region: an
            ``ICertificate`` or its ARN. Default none.
    """

    stage_name: str = "dev"
    production: bool = False
    auth: Auth = field(default_factory=HeaderAuth)
    allow_header_auth: bool = False
    history: bool = False
    analytics: bool = False
    events: bool = False
    event_bus: eventbridge.IEventBus | None = None
    lrs: LrsProps | None = None
    table: dynamodb.ITable | None = None
    table_has_history_index: bool = False
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    deletion_protection: bool = True
    throttle_rate_limit: float = 50
    throttle_burst_limit: int = 100
    reserved_concurrency: int | None = None
    memory_size: int = 256
    timeout: Duration = field(default_factory=lambda: Duration.seconds(10))
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    alarm_topic: sns.ITopic | None = None
    powertools_layer_arn: str | None = None
    cors_origins: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    deployment_config: codedeploy.ILambdaDeploymentConfig = field(
        default_factory=lambda: codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES
    )
    break_glass: bool = False
    provisioned_concurrency: int | None = None
    snap_start: bool = False
    domain_name: str | None = None
    certificate: acm.ICertificate | str | None = None

    def __post_init__(self) -> None:
        problems = [
            *self._production_problems(),
            *self._value_problems(),
            *self._cold_start_problems(),
            *self._domain_problems(),
            *(
                f"{name} needs events=True (-c events=true): it is where they go"
                for name, value in (("event_bus", self.event_bus), ("lrs", self.lrs))
                if value is not None and not self.events
            ),
        ]
        if problems:
            raise ValueError("invalid StatsServiceProps: " + "; ".join(problems))

    def _production_problems(self) -> list[str]:
        if not self.production:
            return []
        found = []
        if not self.auth.authenticates_callers and not self.allow_header_auth:
            found.append(
                "production refuses header auth (any caller could claim any userId): use "
                "JwtAuth or IamAuth, or set allow_header_auth=True deliberately "
                "(-c allowHeaderAuth=true)"
            )
        if self.removal_policy != RemovalPolicy.RETAIN or not self.deletion_protection:
            found.append(
                "production keeps learners' data: removal_policy must be RETAIN and "
                "deletion_protection True"
            )
        return found

    def _value_problems(self) -> list[str]:
        found = []
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", self.stage_name):
            found.append("stage_name must be 1-20 of a-z, 0-9, '-', starting with a letter")
        if not 128 <= self.memory_size <= 10240:
            found.append("memory_size must be 128-10240 MB")
        if self.timeout.to_seconds() >= API_GATEWAY_TIMEOUT.to_seconds():
            found.append("timeout must be under API Gateway's 29 s integration limit")
        if self.throttle_rate_limit <= 0 or self.throttle_burst_limit <= 0:
            found.append("throttle_rate_limit and throttle_burst_limit must be positive")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 1:
            found.append("reserved_concurrency must be at least 1 (or None)")
        if self.powertools_layer_arn is not None and not _is_layer_version_arn(
            self.powertools_layer_arn
        ):
            found.append(
                "powertools_layer_arn must be a layer version ARN "
                "(arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)"
            )
        found.extend(
            f"cors origin {origin!r} must be {cors.ORIGIN_RULE}"
            for origin in self.cors_origins
            if not re.fullmatch(cors.ORIGIN_PATTERN, origin)
        )
        return found

    def _cold_start_problems(self) -> list[str]:
        found = []
        provisioned = self.provisioned_concurrency
        if provisioned is not None and provisioned < 1:
            found.append("provisioned_concurrency must be at least 1 (or None)")
        if provisioned is not None and self.snap_start:
            found.append(
                "snap_start and provisioned_concurrency cannot be combined: Lambda does not "
                f"support SnapStart with provisioned concurrency ({SNAP_START_DOCS}); "
                "choose one"
            )
        reserved = self.reserved_concurrency
        if provisioned is not None and reserved is not None and provisioned > reserved:
            found.append(
                f"provisioned_concurrency ({provisioned}) cannot exceed reserved_concurrency "
                f"({reserved}): Lambda refuses it"
            )
        return found

    def _domain_problems(self) -> list[str]:
        if (self.domain_name is None) != (self.certificate is None):
            return ["domain_name and certificate go together: give both or neither"]
        found = []
        if self.domain_name is not None and not _is_domain_name(self.domain_name):
            found.append(
                f"domain_name {self.domain_name!r} must be a lower-case host name such as "
                "stats.example.com"
            )
        if isinstance(self.certificate, str) and not _is_certificate_arn(self.certificate):
            found.append(
                "certificate must be an ICertificate or an ACM certificate ARN "
                "(arn:<partition>:acm:<region>:<account>:certificate/<id>)"
            )
        return found


def _is_domain_name(name: str) -> bool:
    label = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
    return Token.is_unresolved(name) or (
        len(name) <= 253 and bool(re.fullmatch(rf"(\*\.)?({label}\.)+[a-z][a-z0-9-]{{1,62}}", name))
    )


def _is_certificate_arn(arn: str) -> bool:
    return Token.is_unresolved(arn) or bool(
        re.fullmatch(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}", arn)
    )


def _is_layer_version_arn(arn: str) -> bool:
    return Token.is_unresolved(arn) or bool(
        re.fullmatch(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[\w-]+:[0-9]+", arn)
    )
