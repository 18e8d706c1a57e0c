"""Synthesised templates of ``StatsService`` variants, for CloudFormation assertions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Stack, assertions

from stats_api.routes import CORE_ROUTES, ROUTES
from stats_api.shared_names import RELEASE_CHECK_HANDLER
from stats_service import StatsService, StatsServiceProps
from tests.support import REPO_ROOT

# The feature flags `cdk synth` hands the app: the tests synthesise what the CLI would.
FEATURE_FLAGS = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]


def committed(context: Mapping[str, object]) -> dict[str, object]:
    """The app's context for a stage whose configuration commits ``context``'s settings
    (cdk.json ``context.stages.<stage>``), as ``make synth STAGE=<stage>`` hands it."""
    stage = str(context["stage"])
    settings = {key: value for key, value in context.items() if key != "stage"}
    return {**FEATURE_FLAGS, "stage": stage, "stages": {stage: settings}}


def synth(props: StatsServiceProps | None = None) -> assertions.Template:
    stack = Stack(App(), "Test")
    StatsService(stack, "Stats", props)
    return assertions.Template.from_stack(stack)


ROUTE_HANDLERS = frozenset(route.handler for route in ROUTES)


def functions(template: assertions.Template) -> Mapping[str, Mapping[str, Any]]:
    """The route functions (not the release checks that test their new versions)."""
    return {
        logical_id: function
        for logical_id, function in template.find_resources("AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") in ROUTE_HANDLERS
    }


def release_checks(template: assertions.Template) -> Mapping[str, Mapping[str, Any]]:
    """The pre-traffic hook functions, one per route function."""
    return {
        logical_id: function
        for logical_id, function in template.find_resources("AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") == RELEASE_CHECK_HANDLER
    }


def routes(template: assertions.Template) -> Mapping[str, Mapping[str, Any]]:
    found = template.find_resources("AWS::ApiGatewayV2::Route")
    assert len(found) == len(CORE_ROUTES)
    return found


def alias_for(template: assertions.Template, route_key: str) -> str:
    """The logical id of the Lambda alias ``route_key`` invokes, via route and integration."""
    matching = template.find_resources(
        "AWS::ApiGatewayV2::Route", {"Properties": {"RouteKey": route_key}}
    )
    assert len(matching) == 1, route_key
    target = next(iter(matching.values()))["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    integration = template.find_resources("AWS::ApiGatewayV2::Integration")[target]
    return str(integration["Properties"]["IntegrationUri"]["Ref"])


def function_for(template: assertions.Template, route_key: str) -> str:
    """The logical id of the function behind ``route_key``, via its alias."""
    alias = template.find_resources("AWS::Lambda::Alias")[alias_for(template, route_key)]
    return str(alias["Properties"]["FunctionName"]["Ref"])


def role_statements(template: assertions.Template, function_id: str) -> list[dict[str, Any]]:
    """Every policy statement attached to the function's role (any function's)."""
    function = template.find_resources("AWS::Lambda::Function")[function_id]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions(template: assertions.Template, function_id: str) -> set[str]:
    found: set[str] = set()
    for statement in role_statements(template, function_id):
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def topic_statements(template: assertions.Template, topic_id: str) -> list[dict[str, Any]]:
    """Every statement of the topic policies that apply to the topic ``topic_id``."""
    statements: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::SNS::TopicPolicy").values():
        if {"Ref": topic_id} in policy["Properties"]["Topics"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def alarm_publishing(topic_id: str) -> dict[str, Any]:
    """The statement that lets this account's CloudWatch alarms publish to the topic."""
    return {
        "Sid": "AllowCloudWatchAlarmsOfThisAccount",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": {"Ref": topic_id},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
    }


def dashboard_metrics(template: assertions.Template) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric name, dimensions) of every metric the one dashboard graphs; a
    reference to a resource reads ``Ref:<logical id>``."""
    (dashboard,) = template.find_resources("AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = json.loads("".join(p if isinstance(p, str) else f"Ref:{p['Ref']}" for p in parts))
    found = []
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            if isinstance(metric[0], str):  # not a math expression
                namespace, name, *rest = (part for part in metric if isinstance(part, str))
                found.append((namespace, name, dict(zip(rest[::2], rest[1::2], strict=True))))
    return found


# What the event source mappings on the sessions table's stream let through, spelled out
# (not read from the construct): a session's INSERT and REMOVE, sessions alone carrying the
# history key.
SESSION_CHANGE_PATTERNS = [
    {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"courseCompletedAt": {"S": [{"exists": True}]}}},
    },
    {
        "eventName": ["REMOVE"],
        "dynamodb": {"OldImage": {"courseCompletedAt": {"S": [{"exists": True}]}}},
    },
]
