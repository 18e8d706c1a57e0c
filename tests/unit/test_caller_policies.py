"""The grants IAM callers get (``stats_api.caller_policies``), evaluated as IAM evaluates them
against the ARNs of concrete requests: a learners' backend (and CI) may call every learner
route and never an analytics one; the analytics grant allows the analytics routes and
nothing else. The docs' policies (docs/deploy.md, docs/operations.md) are these very
statements."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local_run.iam_evaluation import is_allowed
from stats_api import caller_policies
from stats_api.caller_policies import INVOKE, analytics_policy, execute_api_arn, learners_policy
from stats_api.routes import ANALYTICS_ROUTES, LEARNER_ROUTES, ROUTES, Route
from tests.support import REPO_ROOT

ARN_PARTS = {"region": "eu-west-1", "account": "123456789012", "api_id": "a1b2c3d4e5"}
# Ids as clients send them: ordinary, and ones that look like other paths.
IDS = [
    {"courseId": "algebra-1", "sessionId": "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"},
    {"courseId": "analytics", "sessionId": "courses"},
    {"courseId": "Algebra_1.v2", "sessionId": "x"},
]


def request_arn(route: Route, ids: dict[str, str], **arn_parts: str) -> str:
    """The ARN API Gateway authorises a request to ``route`` against, its ids filled in."""
    path = route.path.format(**{name: ids[name] for name in route.path_parameters})
    return execute_api_arn(f"{route.method}{path}", **(arn_parts or ARN_PARTS))


def other_requests(ids: dict[str, str]) -> list[str]:
    """Requests no grant should allow: other methods, paths, stages, APIs, regions."""
    own = request_arn(LEARNER_ROUTES[0], ids)
    return [
        execute_api_arn("GET/admin", **ARN_PARTS),
        execute_api_arn("GET/", **ARN_PARTS),
        execute_api_arn(f"PUT/courses/{ids['courseId']}", **ARN_PARTS),
        execute_api_arn(f"POST/analytics/courses/{ids['courseId']}", **ARN_PARTS),
        own.replace("a1b2c3d4e5", "z9y8x7w6v5"),
        own.replace("eu-west-1", "us-east-1"),
        own.replace("/$default/", "/test/"),
    ]


@pytest.mark.parametrize("ids", IDS)
@pytest.mark.parametrize("route", LEARNER_ROUTES, ids=lambda route: route.route_key)
def test_the_learners_policy_should_allow_each_learner_route(
    route: Route, ids: dict[str, str]
) -> None:
    assert is_allowed([learners_policy(**ARN_PARTS)], INVOKE, request_arn(route, ids))


@pytest.mark.parametrize("ids", IDS)
@pytest.mark.parametrize("route", ANALYTICS_ROUTES, ids=lambda route: route.route_key)
def test_the_learners_policy_should_never_reach_the_analytics_routes(
    route: Route, ids: dict[str, str]
) -> None:
    assert not is_allowed([learners_policy(**ARN_PARTS)], INVOKE, request_arn(route, ids))


@pytest.mark.parametrize("ids", IDS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_the_analytics_grant_should_allow_exactly_the_analytics_routes(
    route: Route, ids: dict[str, str]
) -> None:
    allowed = is_allowed([analytics_policy(**ARN_PARTS)], INVOKE, request_arn(route, ids))

    assert allowed is route.analytics


@pytest.mark.parametrize("ids", IDS)
def test_no_grant_should_allow_other_methods_paths_stages_apis_or_regions(
    ids: dict[str, str],
) -> None:
    policies = [learners_policy(**ARN_PARTS), analytics_policy(**ARN_PARTS)]

    for arn in other_requests(ids):
        assert not is_allowed(policies, INVOKE, arn), arn


def test_the_readmes_former_policy_reached_the_analytics_routes() -> None:
    # "*/$default/*/courses/*": the method's * runs across "/" into /analytics/courses/...
    former = {"Statement": [{"Effect": "Allow", "Action": INVOKE, "Resource": [
        "arn:aws:execute-api:eu-west-1:123456789012:*/$default/*/courses/*"]}]}  # fmt: skip

    assert is_allowed([former], INVOKE, request_arn(ANALYTICS_ROUTES[0], IDS[0]))
    assert not is_allowed(
        [learners_policy(**ARN_PARTS)], INVOKE, request_arn(ANALYTICS_ROUTES[0], IDS[0])
    )


def test_a_grant_should_name_the_method_and_make_each_path_parameter_a_wildcard() -> None:
    # Literal values: a change to how grants are derived must fail here.
    assert [g.resource for g in caller_policies.LEARNER_GRANTS] == [
        "POST/courses/*",
        "GET/courses/*",
        "GET/courses/*/sessions/*",
        "GET/courses",
        "GET/courses/*/sessions",
        "DELETE/courses/*/sessions/*",
    ]
    assert [g.resource for g in caller_policies.ANALYTICS_GRANTS] == [
        "GET/analytics/courses/*",
        "GET/analytics/courses/*/daily",
    ]


_JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)
# Where the policies are given: the CI policy with deploying, the analytics reader's with
# course analytics.
POLICY_DOCS = "".join(
    (REPO_ROOT / "docs" / name).read_text() for name in ("deploy.md", "operations.md")
)


def readme_statements() -> list[dict[str, Any]]:
    """Every statement of the docs' JSON policies that grants execute-api."""
    found = []
    for block in _JSON_BLOCK.findall(POLICY_DOCS):
        if INVOKE in block:
            found += [s for s in json.loads(block)["Statement"] if s["Action"] == INVOKE]
    return found


def test_the_readme_should_give_exactly_the_declared_statements() -> None:
    declared = {
        statement["Sid"]: statement
        for statement in [*learners_policy()["Statement"], *analytics_policy()["Statement"]]
    }
    given = readme_statements()

    assert {statement["Sid"] for statement in given} == set(declared)
    for statement in given:
        assert statement == declared[statement["Sid"]]


def test_the_readmes_ci_policy_should_let_the_gate_assume_only_the_analytics_reader() -> None:
    # CloudFormation names the stack's role <stack>-<logical id>-<suffix>.
    ci = next(
        json.loads(block)
        for block in _JSON_BLOCK.findall(POLICY_DOCS)
        if "ActAsTheAnalyst" in block
    )
    account = "123456789012"
    role = f"arn:aws:iam::{account}:role/StatsService-staging-AnalyticsReader1A2B3C4D-Q1W2E3R4T5Y6"
    filled = json.dumps(ci).replace("<account>", account).replace("<region>", "eu-west-1")
    policy = json.loads(filled.replace("<api-id>", "a1b2c3d4e5"))

    assert is_allowed([policy], "sts:AssumeRole", role)
    assert not is_allowed([policy], "sts:AssumeRole", role.replace(account, "210987654321"))
    assert not is_allowed(
        [policy], "sts:AssumeRole", f"arn:aws:iam::{account}:role/stats-service-deploy"
    )
    assert not is_allowed(
        [policy],
        "sts:AssumeRole",
        f"arn:aws:iam::{account}:role/StatsService-staging-RecordSessionRole1A2B-Q1W2E3",
    )
