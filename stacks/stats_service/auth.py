"""How callers authenticate: a JWT authorizer, IAM (SigV4), or the bare ``userId`` header.

The handlers take the caller from the JWT's ``sub`` claim when API Gateway passes one and
from the ``userId`` header otherwise, so the choice made here is the whole switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeAlias

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers

from stats_api.routes import ANALYTICS_SCOPE, Route


@dataclass(frozen=True)
class JwtAuth:
    """Any OIDC issuer (e.g. a Cognito user pool): the user is the token's ``sub`` claim."""

    mode: ClassVar[str] = "jwt"

    issuer: str  # e.g. https://cognito-idp.<region>.amazonaws.com/<user-pool-id>
    audience: tuple[str, ...]  # accepted ``aud`` (or Cognito ``client_id``) values
    required_scopes: tuple[str, ...] = ()
    # The analytics routes (across learners) take a token with one of these scopes,
    # whatever ``required_scopes`` says: a learner's token is refused (403).
    analytics_scopes: tuple[str, ...] = (ANALYTICS_SCOPE,)

    def __post_init__(self) -> None:
        if not self.issuer.startswith("https://"):
            raise ValueError(f"JwtAuth.issuer must be an https URL, got {self.issuer!r}")
        if not self.audience:
            raise ValueError("JwtAuth.audience needs at least one accepted audience")
        if not self.analytics_scopes:
            raise ValueError(
                "JwtAuth.analytics_scopes needs at least one scope: without one, any "
                "learner's token could read every course's analytics"
            )


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


def route_scopes(auth: Auth, route: Route) -> list[str] | None:
    """The scopes API Gateway demands of ``route``'s token (any one of them), per route: the
    analytics routes their own, the learners' routes ``required_scopes`` (if any)."""
    if not isinstance(auth, JwtAuth):
        return None
    scopes = auth.analytics_scopes if route.analytics else auth.required_scopes
    return list(scopes) or None
