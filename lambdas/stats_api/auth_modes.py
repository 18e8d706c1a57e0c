"""The auth modes a stage deploys with and the local run emulates: the one list of their
names, and the OpenAPI security scheme each one is documented with.

Every layer reads this vocabulary and declares each mode once: the construct its ``Auth``
class (``stats_service.auth``), the local run how it emulates it (``local_run.auth_modes``),
the e2e suite how it signs for it (``tests.support.api_client``); a test fails while a layer
lacks a mode. Pure data, imported by no handler: the functions take the caller from the
event whatever the mode (a JWT's ``sub`` when API Gateway passes one, else ``userId``).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

AuthMode = Literal["header", "iam", "jwt"]
AUTH_MODES: tuple[AuthMode, ...] = get_args(AuthMode)

# Each mode's OpenAPI security schemes, by scheme name. Header auth authenticates no one:
# it has none, and the document says so with an empty requirement.
SECURITY_SCHEMES: dict[AuthMode, dict[str, dict[str, Any]]] = {
    "header": {},
    "iam": {
        "sigv4": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "IAM stages: AWS Signature Version 4 for the service `execute-api`. "
            "Unsigned or wrongly signed: 403. The signer names the caller in `userId`.",
            "x-amazon-apigateway-authtype": "awsSigv4",
        },
    },
    "jwt": {
        "jwt": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "JWT stages: a token of the stage's OIDC issuer; the caller is its "
            "`sub`. Missing or invalid: 401. A route's required scopes: any one of them, "
            "else 403.",
        },
    },
}


def listed(last: str = "or") -> str:
    """The modes' names for a message: ``header, iam or jwt``."""
    *others, final = AUTH_MODES
    return f"{', '.join(others)} {last} {final}" if others else final
