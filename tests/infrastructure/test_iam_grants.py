"""What the synthesised policies allow, evaluated as IAM evaluates them against the ARNs of
concrete requests, once the template's tokens are resolved for one account, region and API.

The app is another team's: IAM auth, production, history and analytics on, and their
dashboards' role given ``grant_analytics_read``. A grant that names ``{courseId}``
literally (aws/aws-cdk#8036 for REST APIs) would let that role call nothing. And this
project's own app: the role its release gate assumes as the analyst.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_iam as iam

from app import build_app
from local_run.iam_evaluation import is_allowed
from stats_api.caller_policies import INVOKE, execute_api_arn
from stats_api.routes import ROUTES, Route
from stats_api.shared_names import ANALYTICS_READER_OUTPUT, STACK_NAME
from stats_service import IamAuth, StatsService, StatsServiceProps
from tests.support.cloudformation import Deployed
from tests.support.templates import committed

IDS = {"courseId": "algebra-1", "sessionId": "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"}
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"


@pytest.fixture(scope="module")
def deployed() -> tuple[Deployed, str]:
    """The other team's app as deployed, and the logical id of their dashboards' role."""
    stack = Stack(App(), "LearningPlatform")
    stats = StatsService(
        stack,
        "Stats",
        StatsServiceProps(
            stage_name="prod", production=True, auth=IamAuth(), history=True, analytics=True
        ),
    )
    dashboards = iam.Role(stack, "Dashboards", assumed_by=iam.AccountRootPrincipal())
    stats.grant_analytics_read(dashboards)
    template = assertions.Template.from_stack(stack).to_json()
    role_id = stack.resolve(stack.get_logical_id(dashboards.node.default_child))  # type: ignore[arg-type]
    return Deployed(template), str(role_id)


def request_arn(deployed: Deployed, route: Route, **overrides: str) -> str:
    path = route.path.format(**{name: IDS[name] for name in route.path_parameters})
    parts = {"region": deployed.region, "account": deployed.account, "api_id": deployed.api_id}
    return execute_api_arn(f"{route.method}{path}", **(parts | overrides))


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_the_dashboards_role_should_call_the_analytics_routes_and_nothing_else(
    deployed: tuple[Deployed, str], route: Route
) -> None:
    stage, role = deployed
    policies = stage.policies_of_role(role)

    assert is_allowed(policies, INVOKE, request_arn(stage, route)) is route.analytics


def test_the_dashboards_role_should_call_only_this_api_in_this_account_and_region(
    deployed: tuple[Deployed, str],
) -> None:
    stage, role = deployed
    policies = stage.policies_of_role(role)
    analytics = next(route for route in ROUTES if route.analytics)

    for other in ({"api_id": "z9y8x7w6v5"}, {"region": "us-east-1"}, {"account": "210987654321"}):
        assert not is_allowed(policies, INVOKE, request_arn(stage, analytics, **other)), other


def test_the_grant_should_be_all_the_role_is_given(deployed: tuple[Deployed, str]) -> None:
    stage, role = deployed
    statements: list[dict[str, Any]] = [
        s for policy in stage.policies_of_role(role) for s in policy["Statement"]
    ]

    assert [s["Action"] for s in statements] == [INVOKE]


def stage_stack(**settings: str) -> Deployed:
    app = build_app(App(context=committed({"stage": "staging", **settings})))
    stack = app.node.find_child(STACK_NAME.format(stage="staging"))
    return Deployed(assertions.Template.from_stack(stack).to_json())  # type: ignore[arg-type]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_the_release_gates_analyst_should_call_the_analytics_routes_and_nothing_else(
    route: Route,
) -> None:
    # The role a stage with IAM auth and analytics outputs for the gate (ANALYST_ROLE_ARN).
    stage = _staging_with_analytics()
    role = stage.template["Outputs"][ANALYTICS_READER_OUTPUT]["Value"]["Fn::GetAtt"][0]

    assert is_allowed(stage.policies_of_role(role), INVOKE, request_arn(stage, route)) is (
        route.analytics
    )


@functools.cache
def _staging_with_analytics() -> Deployed:
    return stage_stack(history="true", analytics="true")


@pytest.mark.parametrize(
    "settings",
    [{}, {"analytics": "true", "auth": "jwt", "jwtIssuer": ISSUER, "jwtAudience": "client-1"}],
    ids=["no-analytics", "jwt"],
)
def test_no_analyst_role_should_exist_without_iam_analytics(settings: dict[str, str]) -> None:
    stage = stage_stack(**settings)

    assert ANALYTICS_READER_OUTPUT not in stage.template.get("Outputs", {})
