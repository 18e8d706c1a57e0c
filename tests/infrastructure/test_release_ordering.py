"""Every CodeDeploy-updated alias starts its deployment only once everything that deployment
needs exists, in every stage's template, walked as CloudFormation orders it.

Updating an alias with a ``CodeDeployLambdaAliasUpdate`` policy starts a deployment of its
group, which invokes the pre-traffic hook (through the group's service role and its
policies), and the hook invokes the new version and reports (through its role and its
policies). CloudFormation orders a resource only after what it names (``Ref``,
``Fn::GetAtt``, ``Fn::Sub``) and its ``DependsOn``, transitively; a reference inside an
``UpdatePolicy`` orders nothing. So all of that must be in the alias's dependency closure,
or on the first update of a stack that had no hooks the deployment may start before a
policy exists: the hook cannot be invoked, and the release rolls back.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-codedeploylambdaaliasupdate
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, assertions

from app import build_app
from stats_api.shared_names import STACK_NAME
from tests.support.cloudformation import Deployed, dependency_closure, referenced
from tests.support.templates import committed

STAGES = {
    "dev": {"stage": "dev"},
    "staging": {"stage": "staging"},
    "prod": {"stage": "prod"},
    "dev-history-analytics": {"stage": "dev", "history": "true", "analytics": "true"},
    "prod-history-analytics": {"stage": "prod", "history": "true", "analytics": "true"},
    "prod-jwt-analytics-break-glass": {
        "stage": "prod",
        "auth": "jwt",
        "jwtIssuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example",
        "jwtAudience": "client-1",
        "analytics": "true",
    },
}


@functools.cache
def stage_template(name: str) -> Mapping[str, Any]:
    """The stack ``make synth`` makes for ``STAGES[name]``, committed, once per module run."""
    context = committed(STAGES[name])
    if name.endswith("break-glass"):
        context["breakGlass"] = "true"
    app = build_app(App(context=context))
    stack = app.node.find_child(STACK_NAME.format(stage=context["stage"]))
    return assertions.Template.from_stack(stack).to_json()  # type: ignore[arg-type]


@pytest.fixture(params=STAGES)
def template(request: pytest.FixtureRequest) -> Mapping[str, Any]:
    return stage_template(request.param)


def deployment_needs(template: Mapping[str, Any], alias_id: str) -> set[str]:
    """What the deployment an update of ``alias_id`` starts needs in place: the group and
    hooks its UpdatePolicy names, what they need, and every policy attached to a role
    among them, until nothing new is found."""
    resources = template["Resources"]
    update = resources[alias_id]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    needed = {name for name in referenced(update) if name in resources}
    while True:
        found = set(needed)
        for name in needed:
            found |= dependency_closure(template, name)
        roles = {n for n in found if resources[n]["Type"] == "AWS::IAM::Role"}
        found |= {
            name
            for name, resource in resources.items()
            if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
            and roles & set(referenced(resource["Properties"].get("Roles", [])))
        }
        if found == needed:
            return needed
        needed = found


def updated_aliases(template: Mapping[str, Any]) -> list[str]:
    return [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Alias"
        and "CodeDeployLambdaAliasUpdate" in resource.get("UpdatePolicy", {})
    ]


def test_every_alias_should_wait_for_all_its_deployment_needs(
    template: Mapping[str, Any],
) -> None:
    aliases = updated_aliases(template)

    assert aliases
    for alias in aliases:
        missing = deployment_needs(template, alias) - dependency_closure(template, alias)
        assert missing == set(), f"{alias} may start its deployment before {sorted(missing)}"


def test_the_needs_should_hold_the_policies_that_let_codedeploy_invoke_the_hook(
    template: Mapping[str, Any],
) -> None:
    # The rule above is only as strong as what it collects: the group's service role and
    # the policy CDK adds to it (invoking the hook), and the hook's role and policy.
    resources = template["Resources"]
    for alias in updated_aliases(template):
        needs = deployment_needs(template, alias)
        kinds = sorted(resources[name]["Type"] for name in needs)
        assert kinds.count("AWS::CodeDeploy::DeploymentGroup") == 1
        assert kinds.count("AWS::IAM::Role") >= 2
        assert kinds.count("AWS::IAM::Policy") >= 2
        invokes_hook = [
            name
            for name in needs
            if resources[name]["Type"] == "AWS::IAM::Policy"
            and "lambda:InvokeFunction" in str(resources[name]["Properties"])
        ]
        assert len(invokes_hook) == 2  # CodeDeploy's (the hook) and the hook's (the version)


def test_the_aggregator_should_be_released_by_codedeploy_when_analytics_are_on() -> None:
    template = stage_template("prod-history-analytics")
    mappings = [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]

    (mapping_id,) = mappings
    mapping = template["Resources"][mapping_id]["Properties"]
    # The mapping invokes the function qualified by its alias: "<function ARN>:live".
    stage = Deployed(template)
    invoked = stage.resolve(mapping["FunctionName"])
    (released,) = (
        name
        for name in updated_aliases(template)
        if stage.ref(name).endswith(f":function:{invoked}")
    )
    assert template["Resources"][released]["Properties"]["Name"] == "live"
    # The logical id it had when it invoked the function: CloudFormation updates it in
    # place (FunctionName: no interruption) instead of creating a second mapping.
    assert mapping_id == (
        "StatsServiceAggregateCourseAnalyticsDynamoDBEventSourceStatsServiceprodStatsServiceTable28A99F1AB83E88B9"
    )
