"""The local stand-ins for API Gateway's authorizers: they answer before any function runs.

Each checks a request as API Gateway's own authorizer of that kind does and either refuses
it with API Gateway's answer or returns the ``requestContext.authorizer`` the function gets:

- ``JwtAuthorizer``: a bearer token signed (RS256) by a key of the issuer's JWKS, with the
  issuer's ``iss``, an accepted ``aud`` (or ``client_id`` when there is no ``aud``),
  ``exp`` in the future and ``nbf``/``iat`` in the past; a route's required scopes need at
  least one match in ``scope``/``scp``. Missing or invalid -> 401, scopes missing -> 403.
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
- ``IamAuthorizer``: a SigV4 signature (service ``execute-api``, this region) by one of the
  local principals' credentials, at most 5 minutes from now, and that principal's IAM
  policies allowing ``execute-api:Invoke`` on the request's ARN, evaluated as IAM does
  (``iam_evaluation``); anything else -> 403. The signature is recomputed with botocore's
  own SigV4 signer.
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from local_run.events import LOCAL_ACCOUNT_ID, LOCAL_API_ID, iam_authorizer, jwt_authorizer
from local_run.iam_evaluation import is_allowed
from local_run.messages import HttpRequest
from stats_api.caller_policies import INVOKE, execute_api_arn

SIGNING_SERVICE = "execute-api"
MAX_CLOCK_SKEW = datetime.timedelta(minutes=5)
_RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]  # API Gateway takes RSA-signed tokens only
_SIGV4_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})"
)


class Refused(Exception):
    """API Gateway's own answer to a request its authorizer turned away."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.message = message
        self.reason = reason  # for the local run's log; API Gateway tells clients no more


def unauthorized(reason: str) -> Refused:
    return Refused(401, "Unauthorized", reason)


def forbidden(reason: str) -> Refused:
    return Refused(403, "Forbidden", reason)


class Authorizer(Protocol):
    def authorize(self, request: HttpRequest) -> dict[str, Any] | None:
        """The authorizer context for the function, or raise ``Refused``."""


class NoAuthorizer:
    """Header auth: every request reaches its function, which reads the ``userId`` header."""

    def authorize(self, request: HttpRequest) -> None:
        return None


@dataclass(frozen=True)
class JwtAuthorizer:
    issuer: str
    audiences: tuple[str, ...]
    jwks: dict[str, Any]
    required_scopes: tuple[str, ...] = ()
    _keys: jwt.PyJWKSet = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", jwt.PyJWKSet.from_dict(self.jwks))

    def authorize(self, request: HttpRequest) -> dict[str, Any]:
        claims = self._verified_claims(_bearer_token(request.combined_headers()))
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        if not set(_names(audience)) & set(self.audiences):
            raise unauthorized("the token does not have a valid audience")
        scopes = _names(claims.get("scope", claims.get("scp")))
        if self.required_scopes and not set(scopes) & set(self.required_scopes):
            raise forbidden("the token has none of the route's scopes")
        return jwt_authorizer(
            {name: _claim_text(value) for name, value in claims.items()}, scopes or None
        )

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            key = self._keys[jwt.get_unverified_header(token).get("kid", "")]
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=_RSA_ALGORITHMS,
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except (jwt.InvalidTokenError, KeyError) as error:
            raise unauthorized(f"invalid token: {error}") from None
        return claims


def _bearer_token(headers: Mapping[str, str]) -> str:
    value = headers.get("authorization", "").strip()
    token = value[7:].strip() if value[:7].lower() == "bearer " else value
    if not token:
        raise unauthorized("no token in the Authorization header")
    return token


def _names(value: object) -> list[str]:
    """A claim holding one name, several space-separated names, or a list of names."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _claim_text(value: object) -> str:
    # API Gateway hands claims to the function as strings: lists as "[a b]".
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(_claim_text(item) for item in value) + "]"
    return json.dumps(value)


@dataclass(frozen=True)
class Principal:
    """Someone who signs requests: their credentials and the identity policies IAM
    evaluates for them."""

    access_key: str
    secret_key: str
    policies: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class IamAuthorizer:
    principals: tuple[Principal, ...]
    region: str
    account_id: str = LOCAL_ACCOUNT_ID
    api_id: str = LOCAL_API_ID

    def authorize(self, request: HttpRequest) -> dict[str, Any]:
        headers = request.combined_headers()
        match = _SIGV4_AUTHORIZATION.fullmatch(headers.get("authorization", "").strip())
        if match is None:
            raise forbidden("no SigV4 Authorization header")
        access_key, date, region, service, terminal = _scope(match["credential"])
        principal = next((p for p in self.principals if p.access_key == access_key), None)
        if principal is None:
            raise forbidden(f"unknown access key {access_key}")
        if (region, service, terminal) != (self.region, SIGNING_SERVICE, "aws4_request"):
            raise forbidden(f"signed for {region}/{service}, not {self.region}/execute-api")
        timestamp = headers.get("x-amz-date", "")
        signed_at = _signing_time(timestamp)
        if date != timestamp[:8]:
            raise forbidden("the credential scope's date is not the x-amz-date's")
        if abs(datetime.datetime.now(datetime.UTC) - signed_at) > MAX_CLOCK_SKEW:
            raise forbidden("signed more than 5 minutes from now")
        signed_headers = match["signed"].split(";")
        if "host" not in signed_headers or not set(signed_headers) <= set(headers):
            raise forbidden("the host header, or a header named as signed, is missing")
        signed = {name: headers[name] for name in signed_headers}
        expected = _signature(request, signed, timestamp, principal.secret_key, self.region)
        if not hmac.compare_digest(expected, match["signature"]):
            raise forbidden("the signature does not match")
        arn = execute_api_arn(
            f"{request.method}{request.path}",
            region=self.region,
            account=self.account_id,
            api_id=self.api_id,
        )
        if not is_allowed(principal.policies, INVOKE, arn):
            raise forbidden(f"{access_key}'s policies do not allow {INVOKE} on {arn}")
        return iam_authorizer(access_key, self.account_id)


def _scope(credential: str) -> tuple[str, str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise forbidden("malformed credential scope")
    return parts[0], parts[1], parts[2], parts[3], parts[4]


def _signing_time(timestamp: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.strptime(timestamp, SIGV4_TIMESTAMP)
    except ValueError:
        raise forbidden("no valid x-amz-date header") from None
    return moment.replace(tzinfo=datetime.UTC)


class _SignedHeadersOnly(SigV4Auth):
    """botocore's SigV4 signer, told which headers the client signed (it would pick its own)."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SIGNING_SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._signed:
            chosen[name] = request.headers[name]
        return chosen


def _signature(
    request: HttpRequest, signed: dict[str, str], timestamp: str, secret: str, region: str
) -> str:
    payload_hash = signed.get("x-amz-content-sha256")
    if payload_hash is not None and payload_hash != hashlib.sha256(request.body).hexdigest():
        raise forbidden("x-amz-content-sha256 is not the body's hash")
    url = f"http://{signed['host']}{request.path}"
    aws_request = AWSRequest(
        method=request.method,
        url=f"{url}?{request.query}" if request.query else url,
        headers=signed,
        data=request.body,
    )
    aws_request.context["timestamp"] = timestamp
    signer = _SignedHeadersOnly(Credentials("", secret), region, list(signed))
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))
