"""The local run guards the analytics routes as a stage of each auth mode does: JWT, their
own scope; IAM, another principal (the learners' signer is refused there and the analytics
one everywhere else); header auth, nothing (dev only)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_run.auth_modes import AuthSettings, auth_setup
from local_run.gateway import Gateway, Integration
from local_run.messages import HttpRequest
from local_run.oidc import TOKEN_PATH
from stats_api.routes import ANALYTICS_SCOPE, ROUTES

URL = "http://127.0.0.1:3000"
LEARNER_PATH, ANALYTICS_PATH = "/courses/algebra-1", "/analytics/courses/algebra-1"


def gateway(settings: AuthSettings) -> tuple[Gateway, Any]:
    setup = auth_setup(settings, URL)
    answer = {"statusCode": 200, "body": "{}"}
    integrations = (Integration(route, lambda event, context: answer) for route in ROUTES)
    return Gateway(integrations, setup.authorizer, setup.analytics_authorizer), setup


def token(setup: Any, scope: str = "") -> str:
    query = "sub=someone" + (f"&scope={scope}" if scope else "")
    response = setup.local_routes[TOKEN_PATH](HttpRequest("GET", TOKEN_PATH, query))
    return str(json.loads(response.body)["access_token"])


def get(path: str, headers: tuple[tuple[str, str], ...] = ()) -> HttpRequest:
    return HttpRequest("GET", path, headers=(("host", "127.0.0.1:3000"), *headers))


def bearer(jwt: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {jwt}"),)


def signed(path: str, key: str, secret: str) -> HttpRequest:
    request = AWSRequest("GET", URL + path, headers={"userId": "someone"})
    SigV4Auth(Credentials(key, secret), "execute-api", "us-east-1").add_auth(request)
    return get(path, tuple(request.headers.items()))


@pytest.mark.parametrize("learner_scopes", ["", "stats/learn"])
def test_should_demand_the_analytics_scope_of_a_token_on_the_analytics_routes_only(
    learner_scopes: str,
) -> None:
    settings = AuthSettings.from_environment({"AUTH": "jwt", "JWT_SCOPES": learner_scopes})
    api, setup = gateway(settings)
    learner = token(setup, learner_scopes)
    analyst = token(setup, ANALYTICS_SCOPE)
    assert api.handle(get(LEARNER_PATH, bearer(learner))).status == 200
    assert api.handle(get(ANALYTICS_PATH, bearer(learner))).status == 403
    assert api.handle(get(ANALYTICS_PATH + "/daily", bearer(learner))).status == 403
    assert api.handle(get(ANALYTICS_PATH, bearer(analyst))).status == 200
    assert api.handle(get(ANALYTICS_PATH, ())).status == 401


def test_should_take_the_analytics_scope_the_environment_names() -> None:
    settings = AuthSettings.from_environment({"AUTH": "jwt", "JWT_ANALYTICS_SCOPES": "a,b"})
    api, setup = gateway(settings)

    answer = api.handle(get(ANALYTICS_PATH, bearer(token(setup, "b"))))
    assert settings.analytics_scopes == ("a", "b")
    assert answer.status == 200
    default_scope = token(setup, ANALYTICS_SCOPE)
    assert (
        api.handle(get(ANALYTICS_PATH, (("authorization", f"Bearer {default_scope}"),))).status
        == 403
    )


def test_should_let_each_iam_principal_call_only_the_routes_granted_to_it() -> None:
    settings = AuthSettings.from_environment({"AUTH": "iam"})
    api, _ = gateway(settings)
    learners = (settings.access_key_id, settings.secret_access_key)
    analytics = (settings.analytics_access_key_id, settings.analytics_secret_access_key)

    assert api.handle(signed(LEARNER_PATH, *learners)).status == 200
    assert api.handle(signed(ANALYTICS_PATH, *learners)).status == 403
    assert api.handle(signed(ANALYTICS_PATH, *analytics)).status == 200
    assert api.handle(signed(LEARNER_PATH, *analytics)).status == 403


def test_should_leave_the_analytics_routes_open_with_header_auth() -> None:
    api, setup = gateway(AuthSettings.from_environment({}))

    assert api.handle(get(ANALYTICS_PATH)).status == 200
    assert "open to anyone" in setup.description
