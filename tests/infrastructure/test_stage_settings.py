"""A stage's whole configuration is committed in cdk.json (``context.stages.<stage>``):
``make deploy STAGE=<stage>`` from a laptop and the release workflow deploy the same
template, and a synth that differs from the committed configuration warns, naming how."""

from __future__ import annotations

import itertools
import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk import App, Stack, assertions

from app import UNCOMMITTED_WARNING, build_app
from tests.support import REPO_ROOT

CDK_JSON_CONTEXT: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"
# JSON values as a platform team commits them: a list, a boolean.
JWT_PROD = {
    "auth": "jwt",
    "jwtIssuer": ISSUER,
    "jwtAudience": ["client-1", "client-2"],
    "history": True,
}


def _cdk_command(run: str) -> list[str]:
    """The ``cdk`` command line a workflow or shell ``run`` line executes: a ``make``
    target's expanded by ``make -n`` (exactly what make would run), else the line itself."""
    words = shlex.split(run)
    if words[0] == "make":
        printed = subprocess.run(  # noqa: S603 - make, on this repository's Makefile
            ["make", "-n", "--no-print-directory", *words[1:]],  # noqa: S607
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (line,) = (line for line in printed.splitlines() if line.startswith("npx cdk "))
        words = shlex.split(line)
    assert words[:2] == ["npx", "cdk"], run
    return words[2:]


def _cli_context(cdk_args: list[str]) -> dict[str, Any]:
    """The context the CDK CLI hands the app for ``cdk_args``: cdk.json's, then each
    ``-c key=value`` (as text, as the CLI passes it)."""
    context = dict(CDK_JSON_CONTEXT)
    for flag, value in itertools.pairwise(cdk_args):
        if flag in ("-c", "--context"):
            key, _, text = value.partition("=")
            context[key] = text
    return context


def _synth(context: dict[str, Any], outdir: Path) -> tuple[Stack, dict[str, Any]]:
    """The app's one stack for ``context``, and its template as written to ``outdir``."""
    app = build_app(App(outdir=str(outdir), context=context))
    (stack,) = (child for child in app.node.children if isinstance(child, Stack))
    app.synth()
    template = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
    return stack, template


def _warnings(stack: Stack) -> list[str]:
    found = assertions.Annotations.from_stack(stack).find_warning("*", assertions.Match.any_value())
    return [
        str(message.entry.data) for message in found if UNCOMMITTED_WARNING in str(message.entry)
    ]


def _workflow_deploy(stage: str) -> str:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    job = {"staging": "staging", "prod": "prod"}[stage]
    (run,) = (s["run"] for s in jobs[job]["steps"] if "deploy" in s.get("run", ""))
    return str(run)


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_should_deploy_the_same_template_from_make_and_from_the_workflow(
    stage: str, tmp_path: Path
) -> None:
    by_hand = _cdk_command(f"make deploy STAGE={stage}")
    by_ci = _cdk_command(_workflow_deploy(stage))
    assert by_hand[0] == by_ci[0] == "deploy"

    hand_stack, hand_template = _synth(_cli_context(by_hand), tmp_path / "hand")
    ci_stack, ci_template = _synth(_cli_context(by_ci), tmp_path / "ci")

    assert hand_stack.stack_name == ci_stack.stack_name == f"StatsService-{stage}"
    assert hand_template == ci_template
    assert _warnings(hand_stack) == _warnings(ci_stack) == []


def _stack(stages: dict[str, Any], **given: object) -> Stack:
    app = build_app(App(context={**CDK_JSON_CONTEXT, "stages": stages, **given}))
    (stack,) = (child for child in app.node.children if isinstance(child, Stack))
    return stack


def test_should_deploy_a_stage_as_its_configuration_is_committed() -> None:
    stack = _stack({"prod": JWT_PROD}, stage="prod")
    template = assertions.Template.from_stack(stack)

    template.resource_count_is("AWS::ApiGatewayV2::Route", 6)  # history on
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["client-1", "client-2"]},
        },
    )
    assert _warnings(stack) == []


def test_should_keep_each_stages_configuration_to_itself() -> None:
    template = assertions.Template.from_stack(_stack({"prod": JWT_PROD}, stage="staging"))

    template.resource_count_is("AWS::ApiGatewayV2::Route", 3)
    template.resource_count_is("AWS::ApiGatewayV2::Authorizer", 0)  # staging: IAM


def test_should_warn_naming_each_key_a_synth_overrides_with_both_values() -> None:
    stack = _stack(
        {"prod": JWT_PROD}, stage="prod", history="false", reservedConcurrency="2", auth="jwt"
    )

    (warning,) = _warnings(stack)
    assert "history=false (committed: true)" in warning
    assert "reservedConcurrency=2 (committed: unset)" in warning
    assert "auth=" not in warning  # given, but as committed
    assert "cdk.json context.stages.prod" in warning
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::ApiGatewayV2::Route", 3)  # the override took effect


def test_should_not_warn_when_the_command_line_repeats_the_committed_value() -> None:
    repeated = {"history": "true", "jwtAudience": "client-1,client-2"}

    assert _warnings(_stack({"prod": JWT_PROD}, stage="prod", **repeated)) == []


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ({"prod": {"histroy": True}}, "context.stages.prod has unknown settings histroy"),
        ({"qa": {}}, "context.stages has unknown stages qa"),
        ({"prod": {"history": "yes"}}, "-c history must be true or false"),
        ({"prod": ["history"]}, "context.stages.prod must be an object"),
    ],
)
def test_should_refuse_a_wrong_committed_configuration(
    stages: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _stack(stages, stage="prod")


def test_should_commit_a_configuration_for_every_stage() -> None:
    assert set(CDK_JSON_CONTEXT["stages"]) == {"dev", "staging", "prod"}


def test_should_import_the_alarm_topic_the_configuration_names() -> None:
    topic = "arn:aws:sns:eu-west-1:123456789012:on-call"
    template = assertions.Template.from_stack(
        _stack({"prod": {"alarmTopicArn": topic}}, stage="prod")
    )

    template.resource_count_is("AWS::SNS::Topic", 0)
    assert template.find_outputs("AlarmTopicArn")["AlarmTopicArn"]["Value"] == topic
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [topic]


def test_should_open_cors_to_the_committed_origins_as_the_local_run_emulates_it() -> None:
    origins = ["https://learn.example.com", "http://localhost:5173"]
    template = assertions.Template.from_stack(
        _stack({"prod": {"corsOrigins": origins}}, stage="prod")
    )

    template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {
            "CorsConfiguration": {
                "AllowOrigins": origins,
                "AllowMethods": ["GET", "POST"],  # the three core routes
                "AllowHeaders": [
                    "authorization",
                    "content-type",
                    "userid",
                    "x-amz-content-sha256",
                    "x-amz-date",
                    "x-amz-security-token",
                ],
                "ExposeHeaders": ["retry-after"],
                "MaxAge": 3600,
            }
        },
    )


def test_should_take_cors_origins_comma_separated_on_the_command_line() -> None:
    stack = _stack({"dev": {}}, stage="dev", corsOrigins="https://a.example, https://b.example")
    template = assertions.Template.from_stack(stack)

    api = next(iter(template.find_resources("AWS::ApiGatewayV2::Api").values()))
    assert api["Properties"]["CorsConfiguration"]["AllowOrigins"] == [
        "https://a.example",
        "https://b.example",
    ]


def test_should_open_no_cors_unless_origins_are_configured() -> None:
    template = assertions.Template.from_stack(_stack({"dev": {}}, stage="dev"))

    api = next(iter(template.find_resources("AWS::ApiGatewayV2::Api").values()))
    assert "CorsConfiguration" not in api["Properties"]


@pytest.mark.parametrize("origin", ["http://learn.example.com", "https://*.example.com", "*"])
def test_should_refuse_a_cors_origin_naming_the_key(origin: str) -> None:
    with pytest.raises(ValueError, match=r"-c corsOrigins: cors origin .* must be https://host"):
        _stack({"prod": {"corsOrigins": [origin]}}, stage="prod")


# Break glass: in an incident the alarms that gate releases are already in ALARM, so a
# hotfix's canary would be stopped and rolled back at once (DEPLOYMENT_STOP_ON_ALARM). One
# deploy with -c breakGlass=true releases every function all at once, its alarms ignored
# (CodeDeploy's AlarmConfiguration.Enabled false), the pre-traffic checks still run:
# https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_AlarmConfiguration.html
@pytest.mark.parametrize("stage", ["prod", "staging"])
def test_should_release_all_at_once_ignoring_the_alarms_when_breaking_glass(stage: str) -> None:
    committed = {stage: {"history": True, "analytics": True}}
    normal = assertions.Template.from_stack(_stack(committed, stage=stage))
    stack = _stack(committed, stage=stage, breakGlass="true")
    template = assertions.Template.from_stack(stack)
    groups = template.find_resources("AWS::CodeDeploy::DeploymentGroup")

    assert len(groups) == 9  # six routes, two analytics routes and the aggregator
    for name, group in groups.items():
        properties = group["Properties"]
        assert properties["DeploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"
        assert properties["AlarmConfiguration"]["Enabled"] is False
        # Still rolled back if the deployment fails (a hook's Failed) or is stopped.
        assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"} <= set(
            properties["AutoRollbackConfiguration"]["Events"]
        )
        # The same alarms stay listed; the next deploy without the flag turns them back on.
        before = normal.find_resources("AWS::CodeDeploy::DeploymentGroup")[name]["Properties"]
        assert before["AlarmConfiguration"]["Enabled"] is True
        assert before["AlarmConfiguration"]["Alarms"] == properties["AlarmConfiguration"]["Alarms"]
    for alias in template.find_resources("AWS::Lambda::Alias").values():
        assert "BeforeAllowTrafficHook" in alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    (warning,) = _warnings(stack)
    assert warning.startswith(f"stage {stage}: break-glass release (-c breakGlass=true): all at")


def test_should_refuse_to_commit_break_glass() -> None:
    with pytest.raises(ValueError, match="breakGlass is for one deploy, on the command line"):
        _stack({"prod": {"breakGlass": True}}, stage="prod")


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_should_take_break_glass_as_true_or_false_only(value: str) -> None:
    with pytest.raises(ValueError, match="-c breakGlass must be true or false"):
        _stack({"prod": {}}, stage="prod", breakGlass=value)
