"""How callers authenticate: a JWT authorizer, IAM (SigV4), or the bare ``userId`` header.

The handlers take the caller from the JWT's ``sub`` claim when API Gateway passes one and
from the ``userId`` header otherwise, so the choice made here is the whole switch. Each
class is the construct's declaration of one mode of ``stats_api.auth_modes``: its name, the
authorizer and scopes every route gets, and how a stage's configuration spells it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers

from stats_api.auth_modes import AuthMode
from stats_api.routes import ANALYTICS_SCOPE, Route

# A stage's configuration, key by key (``-c key=value`` over cdk.json's committed values).
Context = Callable[[str], Any]


@dataclass(frozen=True)
class JwtAuth:
    """Any OIDC issuer (e.g. a Cognito user pool): the user is the token's ``sub`` claim."""

    mode: ClassVar[AuthMode] = "jwt"
    authenticates_callers: ClassVar[bool] = True

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

    @classmethod
    def from_context(cls, context: Context) -> JwtAuth:
        issuer, audience = context("jwtIssuer"), context("jwtAudience")
        if not issuer or not audience:
            raise ValueError("-c auth=jwt needs -c jwtIssuer=https://... -c jwtAudience=...")
        return cls(
            issuer=str(issuer),
            audience=_names(audience),
            required_scopes=_names(context("jwtScopes") or ""),
            **(
                {"analytics_scopes": _names(context("jwtAnalyticsScopes"))}
                if context("jwtAnalyticsScopes")
                else {}
            ),
        )

    def route_authorizer(self) -> apigw.IHttpRouteAuthorizer | None:
        return authorizers.HttpJwtAuthorizer(
            "JwtAuthorizer", self.issuer, jwt_audience=list(self.audience)
        )

    def route_scopes(self, route: Route) -> list[str] | None:
        """The scopes API Gateway demands of ``route``'s token (any one of them), per
        route: the analytics routes their own, the learners' routes ``required_scopes``."""
        return list(self.analytics_scopes if route.analytics else self.required_scopes) or None


@dataclass(frozen=True)
class IamAuth:
    """Service-to-service callers sign with SigV4; the trusted caller passes ``userId``."""

    mode: ClassVar[AuthMode] = "iam"
    authenticates_callers: ClassVar[bool] = True

    @classmethod
    def from_context(cls, context: Context) -> IamAuth:
        return cls()

    def route_authorizer(self) -> apigw.IHttpRouteAuthorizer | None:
        return authorizers.HttpIamAuthorizer()

    def route_scopes(self, route: Route) -> list[str] | None:
        return None


@dataclass(frozen=True)
class HeaderAuth:
    """No authorizer: whoever calls names the user. For local runs and dev stages only."""

    mode: ClassVar[AuthMode] = "header"
    authenticates_callers: ClassVar[bool] = False

    @classmethod
    def from_context(cls, context: Context) -> HeaderAuth:
        return cls()

    def route_authorizer(self) -> apigw.IHttpRouteAuthorizer | None:
        return None

    def route_scopes(self, route: Route) -> list[str] | None:
        return None


Auth: TypeAlias = JwtAuth | IamAuth | HeaderAuth
# The construct's declaration of each mode, by name.
AUTH_CLASSES: dict[AuthMode, type[Auth]] = {
    auth_class.mode: auth_class for auth_class in (HeaderAuth, IamAuth, JwtAuth)
}


def _names(value: object) -> tuple[str, ...]:
    """A comma-separated list (-c), or a JSON list (cdk.json)."""
    names = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(str(name).strip() for name in names if str(name).strip())
