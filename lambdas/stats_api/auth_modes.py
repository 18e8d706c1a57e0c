"""The auth modes a stage deploys with and the local run emulates: the one list of their
names, and how the OpenAPI document of each describes it.

Every layer reads this vocabulary and declares each mode once: the construct its ``Auth``
class (``stats_service.auth``), the local run how it emulates it (``local_run.auth_modes``),
the e2e suite how it signs for it (``tests.support.api_client``); a test fails while a layer
lacks a mode. Pure data, imported by no handler: the functions take the caller from the
event whatever the mode (a JWT's ``sub`` when API Gateway passes one, else ``userId``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

AuthMode = Literal["header", "iam", "jwt"]
AUTH_MODES: tuple[AuthMode, ...] = get_args(AuthMode)

# Where an OpenID Connect issuer publishes its metadata (OpenID Connect Discovery 1.0).
OIDC_DISCOVERY_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class DocumentedMode:
    """How the OpenAPI document of a stage in this mode describes its auth."""

    # By scheme name. An ``openIdConnect`` scheme's ``openIdConnectUrl`` is filled in from
    # the issuer the document is made for. Empty: the mode authenticates no one.
    security_schemes: dict[str, dict[str, Any]]
    # What API Gateway answers, before any function runs, when its authorizer refuses.
    refusals: dict[int, str]
    # Whether the caller names itself in the userId header (else a token names it).
    caller_in_header: bool


DOCUMENTED: dict[AuthMode, DocumentedMode] = {
    "header": DocumentedMode(security_schemes={}, refusals={}, caller_in_header=True),
    "iam": DocumentedMode(
        security_schemes={
            # As API Gateway's own export declares SigV4: an apiKey in the Authorization
            # header, marked with its extension. No generator signs from it: sign with an
            # AWS SDK's signer (botocore, aws4fetch), as the README shows.
            "sigv4": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "AWS Signature Version 4 for the service `execute-api` in the "
                "stage's region, by credentials an IAM policy allows `execute-api:Invoke` on "
                "the operation. The signer names the caller in `userId`.",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
        },
        refusals={
            403: "The request is unsigned, wrongly signed, signed more than 5 minutes off, or "
            "by credentials no IAM policy allows this operation (the analytics operations "
            "are granted apart from the learners').",
        },
        caller_in_header=True,
    ),
    "jwt": DocumentedMode(
        security_schemes={
            "jwt": {
                "type": "openIdConnect",
                "description": "An access token of the stage's OpenID Connect issuer, sent "
                "as `Authorization: Bearer <token>`; the caller is its `sub`. An operation "
                "listing scopes takes a token with any one of them.",
            },
        },
        refusals={
            401: "The bearer token is missing, or not one of the issuer's valid tokens for "
            "this API (signature, issuer, audience, expiry).",
            403: "The token has none of the scopes the operation lists.",
        },
        caller_in_header=False,
    ),
}


def listed(last: str = "or") -> str:
    """The modes' names for a message: ``header, iam or jwt``."""
    *others, final = AUTH_MODES
    return f"{', '.join(others)} {last} {final}" if others else final
