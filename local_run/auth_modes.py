"""``AUTH=header|jwt|iam make run``: the local run's ways to know the caller, one for each
auth mode a stage can deploy with (``stats_api.auth_modes``).

Each mode's setup (``SETUPS``) gives the local API Gateway its authorizer, the local-only
routes it needs (the OIDC issuer's, for JWT), and the curl lines the banner prints for it.
"""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from local_run import oidc
from local_run.authorizers import (
    Authorizer,
    IamAuthorizer,
    JwtAuthorizer,
    NoAuthorizer,
    Principal,
)
from local_run.events import LOCAL_ACCOUNT_ID, LOCAL_API_ID
from local_run.messages import HttpRequest, HttpResponse, error_response, json_response
from stats_api import caller_policies
from stats_api.auth_modes import AUTH_MODES, AuthMode
from stats_api.routes import ANALYTICS_SCOPE

DEFAULT_MODE: AuthMode = "header"
DEFAULT_REGION = "us-east-1"
# Made-up credentials callers sign with locally; they open nothing anywhere else.
DEFAULT_ACCESS_KEY_ID = "AKIALOCALSTATSSERVICE"
DEFAULT_SECRET_ACCESS_KEY = "local-secret-for-the-stats-service-only"  # noqa: S105
# A second local principal, given what StatsService.grant_analytics_read grants (the
# analytics routes only), as the first one is given the learners' policy: as on a stage,
# the learners' signer is refused there, and this one elsewhere.
DEFAULT_ANALYTICS_ACCESS_KEY_ID = "AKIALOCALSTATSANALYTICS"
DEFAULT_ANALYTICS_SECRET_ACCESS_KEY = "local-secret-for-course-analytics-only"  # noqa: S105

LocalRoute = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class AuthSettings:
    """What the environment says about auth, read once when the local run starts."""

    mode: AuthMode = DEFAULT_MODE
    region: str = DEFAULT_REGION
    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    secret_access_key: str = DEFAULT_SECRET_ACCESS_KEY
    # JWT only: a route needs at least one of these scopes (none: any valid token).
    required_scopes: tuple[str, ...] = ()
    analytics_scopes: tuple[str, ...] = (ANALYTICS_SCOPE,)
    analytics_access_key_id: str = DEFAULT_ANALYTICS_ACCESS_KEY_ID
    analytics_secret_access_key: str = DEFAULT_ANALYTICS_SECRET_ACCESS_KEY

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> AuthSettings:
        given = environ.get("AUTH") or DEFAULT_MODE
        mode = next((mode for mode in AUTH_MODES if mode == given), None)
        if mode is None:
            raise ValueError(f"AUTH must be one of {', '.join(AUTH_MODES)}, not {given!r}")
        return cls(
            mode=mode,
            # As `make e2e` signs for a local URL: the SDKs read AWS_REGION, boto3 only
            # AWS_DEFAULT_REGION, and a shell may hold either.
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            access_key_id=environ.get("LOCAL_AWS_ACCESS_KEY_ID") or DEFAULT_ACCESS_KEY_ID,
            secret_access_key=environ.get("LOCAL_AWS_SECRET_ACCESS_KEY")
            or DEFAULT_SECRET_ACCESS_KEY,
            required_scopes=tuple(environ.get("JWT_SCOPES", "").replace(",", " ").split()),
            analytics_scopes=tuple(
                (environ.get("JWT_ANALYTICS_SCOPES") or ANALYTICS_SCOPE).replace(",", " ").split()
            ),
            analytics_access_key_id=environ.get("LOCAL_ANALYTICS_ACCESS_KEY_ID")
            or DEFAULT_ANALYTICS_ACCESS_KEY_ID,
            analytics_secret_access_key=environ.get("LOCAL_ANALYTICS_SECRET_ACCESS_KEY")
            or DEFAULT_ANALYTICS_SECRET_ACCESS_KEY,
        )


@dataclass(frozen=True)
class AuthSetup:
    authorizer: Authorizer
    # The analytics routes' (None: the same as every route's; header auth has none at all).
    analytics_authorizer: Authorizer | None = None
    local_routes: dict[str, LocalRoute] = field(default_factory=dict)
    description: str = ""
    curl_lines: tuple[str, ...] = ()


def auth_setup(settings: AuthSettings, url: str) -> AuthSetup:
    """The authorizer, local routes and banner lines of ``settings.mode`` for the API at ``url``."""
    return SETUPS[settings.mode](settings, url)


def _header_setup(_: AuthSettings, url: str) -> AuthSetup:
    return AuthSetup(
        NoAuthorizer(),
        description="header auth: the caller is the userId header; the analytics routes "
        "are open to anyone, as on a header-auth stage (dev only)",
        curl_lines=_curl_lines(url, "curl -s", "-H 'userId: learner-42'"),
    )


def _jwt_setup(settings: AuthSettings, url: str) -> AuthSetup:
    issuer = oidc.LocalIssuer(url)
    authorizer = JwtAuthorizer(
        issuer.url, (issuer.audience,), issuer.jwks(), settings.required_scopes
    )

    def token(request: HttpRequest) -> HttpResponse:
        query = parse_qs(request.query)
        subject = query.get("sub", [""])[0]
        if not subject:
            return error_response(400, "sub is required: /local/token?sub=<user>[&scope=a+b]")
        scopes = tuple(" ".join(query.get("scope", [])).split())
        return json_response(200, issuer.token_response(subject, scopes))

    scopes = settings.required_scopes
    scope_query = "&scope=" + "+".join(scopes[:1]) if scopes else ""
    fetch_token = (
        f"TOKEN=$(curl -s '{url}{oidc.TOKEN_PATH}?sub=learner-42{scope_query}' "
        "| python3 -c 'import json, sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    analytics = JwtAuthorizer(
        issuer.url, (issuer.audience,), issuer.jwks(), settings.analytics_scopes
    )
    return AuthSetup(
        authorizer,
        analytics_authorizer=analytics,
        local_routes={
            oidc.DISCOVERY_PATH: lambda _: json_response(200, issuer.discovery_document()),
            oidc.JWKS_PATH: lambda _: json_response(200, issuer.jwks()),
            oidc.TOKEN_PATH: token,
        },
        description=f"JWT auth: issuer {issuer.url}, audience {issuer.audience}"
        + (f", required scopes (any of) {' '.join(scopes)}" if scopes else "")
        + f"; analytics routes: scope {' '.join(settings.analytics_scopes)}"
        + "; the caller is the token's sub",
        curl_lines=(fetch_token, *_curl_lines(url, "curl -s", '-H "Authorization: Bearer $TOKEN"')),
    )


def _iam_setup(settings: AuthSettings, url: str) -> AuthSetup:
    # Each principal's identity policies as a stage's callers get them, evaluated for every
    # request as IAM evaluates them.
    arn_parts = {"region": settings.region, "account": LOCAL_ACCOUNT_ID, "api_id": LOCAL_API_ID}
    learners = Principal(
        settings.access_key_id,
        settings.secret_access_key,
        (caller_policies.learners_policy(**arn_parts),),
    )
    analysts = Principal(
        settings.analytics_access_key_id,
        settings.analytics_secret_access_key,
        (caller_policies.analytics_policy(**arn_parts),),
    )
    authorizer = IamAuthorizer((learners, analysts), settings.region)
    sigv4 = shlex.quote(f"aws:amz:{settings.region}:execute-api")
    user = shlex.quote(f"{settings.access_key_id}:{settings.secret_access_key}")
    return AuthSetup(
        authorizer,
        description=f"IAM auth: SigV4 for execute-api in {settings.region}, access key "
        f"{settings.access_key_id}, secret key {settings.secret_access_key}; the signer "
        "names the caller in the userId header (the learners' policy: every route but "
        f"analytics); the analytics routes take access key {settings.analytics_access_key_id}, "
        f"secret key {settings.analytics_secret_access_key} (grant_analytics_read's policy: "
        "those routes only)",
        curl_lines=_curl_lines(
            url, f"curl -s --aws-sigv4 {sigv4} --user {user}", "-H 'userId: learner-42'"
        ),
    )


# How the local run emulates each mode, by name.
SETUPS: dict[AuthMode, Callable[[AuthSettings, str], AuthSetup]] = {
    "header": _header_setup,
    "iam": _iam_setup,
    "jwt": _jwt_setup,
}


def _curl_lines(url: str, curl: str, caller: str) -> tuple[str, ...]:
    # The POST names its session id, so the line reading it back pastes as printed (a
    # placeholder such as <sessionId> is a shell redirect); pasted again, it is a replay,
    # answered 200 and counted once. A new id per start, as a client makes one per session.
    session_id = uuid.uuid4()
    body = (
        f'{{"sessionId": "{session_id}", '
        '"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}'
    )
    return (
        f"{curl} -X POST {url}/courses/algebra-1 {caller} "
        f"-H 'content-type: application/json' -d '{body}'",
        f"{curl} {url}/courses/algebra-1 {caller}",
        f"{curl} {url}/courses/algebra-1/sessions/{session_id} {caller}",
    )
