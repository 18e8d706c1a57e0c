"""How callers authenticate: a JWT authorizer, IAM (SigV4), or the bare ``userId`` header.

The handlers take the caller from the JWT's ``sub`` claim when API Gateway passes one and
from the ``userId`` header otherwise, so the choice made here is the whole switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeAlias

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers


@dataclass(frozen=True)
class JwtAuth:
    """Any OIDC issuer (e.g. a Cognito user pool): the user is the token's ``sub`` claim."""

    mode: ClassVar[str] = "jwt"

    issuer: str  # e.g. https://cognito-idp.<region>.amazonaws.com/<user-pool-id>
    audience: tuple[str, ...]  # accepted ``aud`` (or Cognito ``client_id``) values
    required_scopes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.issuer.startswith("https://"):
            raise ValueError(f"JwtAuth.issuer must be an https URL, got {self.issuer!r}")
        if not self.audience:
            raise ValueError("JwtAuth.audience needs at least one accepted audience")


@dataclass(frozen=True)
class IamAuth:
    """Service-to-service callers sign with SigV4; the trusted caller passes ``userId``."""

    mode: ClassVar[str] = "iam"


@dataclass(frozen=True)
class HeaderAuth:
    """No authorizer: whoever calls names the user. For local runs and dev stages only."""

    mode: ClassVar[str] = "header"


Auth: TypeAlias = JwtAuth | IamAuth | HeaderAuth


def route_authorizer(auth: Auth) -> apigw.IHttpRouteAuthorizer | None:
    """The authorizer every route gets, or None for header auth."""
    if isinstance(auth, JwtAuth):
        return authorizers.HttpJwtAuthorizer(
            "JwtAuthorizer", auth.issuer, jwt_audience=list(auth.audience)
        )
    if isinstance(auth, IamAuth):
        return authorizers.HttpIamAuthorizer()
    return None


def route_scopes(auth: Auth) -> list[str] | None:
    return (
        list(auth.required_scopes) if isinstance(auth, JwtAuth) and auth.required_scopes else None
    )
