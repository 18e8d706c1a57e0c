"""A client of the HTTP API in any auth mode, for the end-to-end suite.

The same client serves the local run (``make test``) and a deployed stage (``make e2e``).
How it signs for each auth mode is declared once, in ``SIGNING``:
- ``header``: the caller is the ``userId`` header;
- ``jwt``: a bearer token per caller, minted by the local run's ``/local/token`` or, for a
  deployed stage, supplied as ``TOKEN`` (and ``TOKEN_2``... for tests that need more
  callers; they are skipped otherwise);
- ``iam``: every request SigV4-signed with botocore (the local run's credentials, or the
  AWS credentials of the environment for a deployed stage), the caller in ``userId``.

The analytics routes are called as an analyst, whom a deployed stage's suite is given apart
(``ANALYST_SETTINGS``): ``ANALYST_TOKEN`` (JWT: a token with the analytics scope), or
``ANALYST_PROFILE`` / ``ANALYST_ROLE_ARN`` (IAM: a profile of, or a role to assume as, a
principal granted the analytics routes). Without them those checks are skipped, and the
run's summary says that the analytics were not checked.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
import jwt
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

from local_run.auth_modes import DEFAULT_REGION, AuthSettings
from stats_api.auth_modes import AuthMode
from stats_api.routes import ANALYTICS_SCOPE
from tests.support.local_process import Reply, request

USER_HEADER = "userId"
# What gives a deployed stage's suite its analyst, per auth mode (docs/deploy.md: "Test a deployed
# stage"); header auth needs none (anyone may call the analytics routes there).
ANALYST_SETTINGS: dict[AuthMode, tuple[str, ...]] = {
    "header": (),
    "iam": ("ANALYST_PROFILE", "ANALYST_ROLE_ARN"),
    "jwt": ("ANALYST_TOKEN",),
}
# Set: the suite runs against that deployed stage only, in the mode AUTH names.
BASE_URL = os.environ.get("BASE_URL", "")

local_only = pytest.mark.skipif(bool(BASE_URL), reason="the local run's own behaviour")
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-call.html
_EXECUTE_API_HOST = re.compile(r"[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def signing_region(base_url: str, environ: Mapping[str, str]) -> str:
    """The region IAM requests to ``base_url`` are signed for: the one its host names
    (``<api-id>.execute-api.<region>.amazonaws.com``), else ``AWS_REGION``, else
    ``AWS_DEFAULT_REGION``, else, for a local run, the local run's default."""
    host = urlsplit(base_url).hostname or ""
    named = _EXECUTE_API_HOST.fullmatch(host)
    if named:
        return named.group(1)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        return region
    if host in _LOCAL_HOSTS:
        return DEFAULT_REGION
    raise RuntimeError(f"AUTH=iam: {host} names no region; set AWS_REGION to the API's region")


@dataclass(frozen=True)
class Signing:
    """How the suite authenticates as a caller in one auth mode."""

    caller_in_header: bool  # the caller names itself in ``userId``
    bearer_tokens: bool  # a bearer token per caller: minted locally, or TOKEN, TOKEN_2...
    sigv4: bool  # every request SigV4-signed with AWS credentials


SIGNING: dict[AuthMode, Signing] = {
    "header": Signing(caller_in_header=True, bearer_tokens=False, sigv4=False),
    "iam": Signing(caller_in_header=True, bearer_tokens=False, sigv4=True),
    "jwt": Signing(caller_in_header=False, bearer_tokens=True, sigv4=False),
}


@dataclass(frozen=True)
class Caller:
    """Someone calling the API: ``name`` is who the service takes them for."""

    name: str
    token: str | None = None  # JWT mode
    # IAM mode: signs with these instead of the suite's (another principal, another policy).
    credentials: Credentials | ReadOnlyCredentials | None = None


@dataclass
class Api:
    base_url: str
    mode: AuthMode
    mints_tokens: bool  # JWT mode: the local run's issuer, else the TOKENs supplied
    credentials: Credentials | ReadOnlyCredentials | None = None  # IAM mode
    region: str = ""
    tokens: list[str] = field(default_factory=list)  # JWT mode, supplied
    created: list[str] = field(default_factory=list)  # what a run leaves behind
    banner: str = ""  # what the local run printed when it started
    # IAM mode: the principal an IAM policy grants the analytics routes (None: unknown here).
    analytics_credentials: Credentials | ReadOnlyCredentials | None = None
    analyst_token: str | None = None  # JWT mode, supplied (ANALYST_TOKEN)
    # What the run's summary says of the analytics routes (the analytics checks set it).
    analytics: str = "analytics NOT checked: no analytics check ran"

    @classmethod
    def local(cls, base_url: str, mode: AuthMode, settings: AuthSettings, banner: str) -> Api:
        credentials = Credentials(settings.access_key_id, settings.secret_access_key)
        return cls(
            base_url,
            mode,
            True,
            credentials=credentials,
            region=settings.region,
            banner=banner,
            analytics_credentials=Credentials(
                settings.analytics_access_key_id, settings.analytics_secret_access_key
            ),
        )

    @classmethod
    def deployed_stage(cls, base_url: str, mode: AuthMode, environ: Mapping[str, str]) -> Api:
        """The stage at ``base_url`` (or a local run started by hand: it mints tokens)."""
        base_url = base_url.rstrip("/")
        tokens = [value for name, value in sorted(environ.items()) if name.startswith("TOKEN")]
        api = cls(base_url, mode, mints_tokens=False, tokens=[t for t in tokens if t])
        if api.signing.sigv4:
            found = boto3.Session().get_credentials()
            if found is None:
                raise RuntimeError(
                    "AUTH=iam needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    "(and AWS_SESSION_TOKEN with temporary ones), or AWS_PROFILE"
                )
            api.credentials = found.get_frozen_credentials()
            api.region = signing_region(base_url, environ)
            api.analytics_credentials = analyst_credentials(environ, api.region)
        if api.signing.bearer_tokens and not api.tokens:
            api.mints_tokens = request("GET", f"{base_url}/local/token?sub=probe").status == 200
            if not api.mints_tokens:
                raise RuntimeError("AUTH=jwt needs TOKEN=<a bearer token of the stage's issuer>")
        api.analyst_token = environ.get("ANALYST_TOKEN") or None
        return api

    @property
    def signing(self) -> Signing:
        return SIGNING[self.mode]

    def new_caller(self, spare_tokens: Iterator[str], *, writes: bool = True) -> Caller:
        """A caller no other test uses; against a deployed JWT stage, the next spare token
        (a stage's issuer mints tokens for its users, not for this suite). A caller that
        only reads (``writes=False``) is not listed among what the run leaves behind."""
        if self.signing.bearer_tokens and not self.mints_tokens:
            token = next(spare_tokens, None)
            if token is None:
                pytest.skip("needs one more caller: set TOKEN_2 (a token for another user)")
            return Caller(str(jwt.decode(token, options={"verify_signature": False})["sub"]), token)
        name = f"e2e-{uuid.uuid4()}"
        if self.signing.bearer_tokens:
            minted = request("GET", f"{self.base_url}/local/token?sub={name}").body
            return Caller(name, minted["access_token"])
        if writes:
            self.created.append(f"user {name}")
        return Caller(name)

    def analyst(self) -> Caller | None:
        """A caller permitted the analytics routes: a token with the analytics scope, or the
        principal an IAM policy grants them; None where the suite was given neither."""
        if self.mode == "jwt":
            if self.analyst_token:
                claims = jwt.decode(self.analyst_token, options={"verify_signature": False})
                return Caller(str(claims["sub"]), self.analyst_token)
            if not self.mints_tokens:
                return None
            scope = ANALYTICS_SCOPE
            url = f"{self.base_url}/local/token?sub=e2e-analyst&scope={scope}"
            return Caller("e2e-analyst", request("GET", url).body["access_token"])
        if self.mode == "iam":
            if self.analytics_credentials is None:
                return None
            return Caller("e2e-analyst", credentials=self.analytics_credentials)
        return Caller("e2e-analyst")  # header auth: anyone (dev stages only)

    def missing_analyst(self) -> str:
        """What the shell lacks for the analytics checks (an empty string: nothing)."""
        names = ANALYST_SETTINGS[self.mode]
        if not names or self.analyst() is not None:
            return ""
        where = "docs/deploy.md: Test a deployed stage"
        return f"set {' or '.join(names)} for the analytics checks ({where})"

    def new_course(self) -> str:
        course = f"e2e-{uuid.uuid4().hex[:12]}"
        self.created.append(f"course {course}")
        return course

    def call(
        self,
        method: str,
        path: str,
        caller: Caller | None,
        *,
        body: Any = None,
        raw_body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """One request as ``caller`` (None: no credentials at all)."""
        data = raw_body if raw_body is not None else None if body is None else json.dumps(body)
        payload = data.encode() if isinstance(data, str) else data
        all_headers = dict(headers or {})
        if payload is not None:
            all_headers.setdefault("content-type", "application/json")
        if caller is not None and self.signing.caller_in_header:
            all_headers.setdefault(USER_HEADER, caller.name)
        if caller is not None and caller.token is not None:
            all_headers["authorization"] = f"Bearer {caller.token}"
        url = self.base_url + path
        if caller is not None and self.signing.sigv4:
            all_headers = self.signed(method, url, all_headers, payload, caller.credentials)
        return request(method, url, raw_body=payload, headers=all_headers)

    def signed(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: bytes | None,
        credentials: Credentials | ReadOnlyCredentials | None = None,
    ) -> dict[str, str]:
        """``headers`` plus a SigV4 signature of the request, as an AWS SDK signs it."""
        signer = credentials or self.credentials
        assert signer is not None, "IAM mode has credentials"
        aws_request = AWSRequest(method=method, url=url, headers=headers, data=payload or b"")
        aws_request.headers["host"] = urlsplit(url).netloc
        SigV4Auth(signer, "execute-api", self.region).add_auth(aws_request)
        return dict(aws_request.headers.items())

    def session(self, caller: Caller, course: str, body: dict[str, Any]) -> Reply:
        return self.call("POST", f"/courses/{course}", caller, body=body)


def analyst_credentials(
    environ: Mapping[str, str], region: str
) -> Credentials | ReadOnlyCredentials | None:
    """IAM mode: the analyst's credentials, from ``ANALYST_PROFILE`` (a profile of the AWS
    config files) or ``ANALYST_ROLE_ARN`` (a role the suite's own credentials assume);
    None when neither is set."""
    profile, role = environ.get("ANALYST_PROFILE"), environ.get("ANALYST_ROLE_ARN")
    if profile and role:
        raise RuntimeError("set ANALYST_PROFILE or ANALYST_ROLE_ARN, not both")
    if profile:
        found = boto3.Session(profile_name=profile).get_credentials()
        if found is None:
            raise RuntimeError(f"ANALYST_PROFILE={profile} holds no credentials")
        return found.get_frozen_credentials()
    if role:
        assumed = (
            boto3.Session()
            .client("sts", region_name=region)
            .assume_role(RoleArn=role, RoleSessionName=f"stats-e2e-analyst-{uuid.uuid4().hex[:8]}")[
                "Credentials"
            ]
        )
        return Credentials(
            assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
        )
    return None
