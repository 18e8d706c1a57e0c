"""The local run's own OpenID Connect issuer (``AUTH=jwt make run``).

It makes an RSA key pair when it starts, publishes the discovery document and the JWKS it
names, as any OIDC provider does, and mints RS256 access tokens for whichever subject a
developer asks for at ``GET /local/token`` (a local-only route, never deployed). The
local JWT authorizer checks tokens against this JWKS, as API Gateway checks a deployed
stage's tokens against its issuer's.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from stats_api.auth_modes import OIDC_DISCOVERY_PATH

DISCOVERY_PATH = OIDC_DISCOVERY_PATH
JWKS_PATH = "/.well-known/jwks.json"
TOKEN_PATH = "/local/token"  # noqa: S105 - a path, not a secret
AUDIENCE = "stats-local"
TOKEN_LIFETIME_S = 3600
ALGORITHM = "RS256"


class LocalIssuer:
    """An OIDC issuer at ``url`` whose signing key lives only as long as the process."""

    def __init__(self, url: str, audience: str = AUDIENCE) -> None:
        self.url = url
        self.audience = audience
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = uuid.uuid4().hex

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": self.url + JWKS_PATH,
            "token_endpoint": self.url + TOKEN_PATH,
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self._kid, "alg": ALGORITHM, "use": "sig"}]}

    def mint(self, subject: str, scopes: tuple[str, ...] = (), **claims: Any) -> str:
        """An access token for ``subject``; ``claims`` add to, override or (``None``) remove
        the standard ones."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.url,
            "sub": subject,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_S,
            "jti": uuid.uuid4().hex,
        }
        if scopes:
            payload["scope"] = " ".join(scopes)
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self._kid})

    def token_response(self, subject: str, scopes: tuple[str, ...] = ()) -> dict[str, Any]:
        """What ``GET /local/token`` answers, in the shape of an OAuth 2.0 token response."""
        return {
            "access_token": self.mint(subject, scopes),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
        }
