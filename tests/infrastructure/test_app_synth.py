"""The CDK app as ``make synth`` runs it: every stage synthesises with cdk-nag's packs
attached and clean, and every template passes cfn-lint."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_sns as sns

from app import build_app
from stats_service import IamAuth, StatsService, StatsServiceProps
from tests.support import REPO_ROOT
from tests.support.commands import cfn_lint, run
from tests.support.templates import FEATURE_FLAGS, committed, functions, release_checks

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
STAGE_CONTEXTS = {
    "dev": {"stage": "dev"},
    "staging": {"stage": "staging"},
    "prod": {"stage": "prod"},
    "prod-jwt": {
        "stage": "prod",
        "auth": "jwt",
        "jwtIssuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example",
        "jwtAudience": "client-1,client-2",
    },
    "prod-history": {"stage": "prod", "history": "true"},
    # IAM auth with analytics: the aggregator's release and the analytics reader role.
    "prod-history-analytics": {"stage": "prod", "history": "true", "analytics": "true"},
    # The issue's own checks: make synth STAGE=prod CONTEXT="-c events=true", and with an LRS.
    "prod-events": {"stage": "prod", "events": "true"},
    "prod-events-lrs": {
        "stage": "prod",
        "events": "true",
        "lrsEndpoint": "https://lrs.example.com/xAPI/statements",
        "lrsSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-AbCdEf",
        "lrsActorHomePage": "https://learn.example.com",
        "lrsCourseIri": "https://learn.example.com/courses/{courseId}",
    },
    # Every other option, and each pair of options: test_option_matrix.py.
    "prod-snapstart-domain": {
        "stage": "prod",
        "snapStart": "true",
        "domainName": "stats.example.com",
        "certificateArn": CERTIFICATE,
    },
}
# CDK emits DependsOn that CloudFormation would infer anyway; cfn-lint calls it redundant.
ACCEPTED_CFN_LINT_RULES = {"W3005"}


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage synthesised once, its settings committed, as ``make synth`` would."""
    out = {}
    for name, context in STAGE_CONTEXTS.items():
        outdir = tmp_path_factory.mktemp(name)
        build_app(App(outdir=str(outdir), context=committed(context))).synth()
        out[name] = outdir
    return out


@pytest.mark.parametrize("stage", STAGE_CONTEXTS)
def test_should_pass_cdk_nag_in_every_stage(assemblies: dict[str, Path], stage: str) -> None:
    report = json.loads((assemblies[stage] / "validation-report.json").read_text())

    conclusions = {r["pluginName"]: r["conclusion"] for r in report["pluginReports"]}
    assert conclusions == {"AwsSolutions": "success", "Serverless": "success"}


@pytest.fixture(scope="module")
def cfn_lint_findings(assemblies: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint's findings on every stage's template, by stage: one cfn-lint run for all."""
    templates = {}
    for stage, assembly in assemblies.items():
        (template,) = assembly.glob("*.template.json")
        templates[str(template)] = stage
    findings: dict[str, list[dict[str, Any]]] = {stage: [] for stage in assemblies}
    for finding in cfn_lint(*map(Path, templates)):
        findings[templates[finding["Filename"]]].append(finding)
    return findings


@pytest.mark.parametrize("stage", STAGE_CONTEXTS)
def test_should_pass_cfn_lint_in_every_stage(
    cfn_lint_findings: dict[str, list[dict[str, Any]]], stage: str
) -> None:
    findings = cfn_lint_findings[stage]

    assert {f["Rule"]["Id"] for f in findings} <= ACCEPTED_CFN_LINT_RULES, findings


@pytest.mark.parametrize(
    ("stage", "queues", "rules"), [("prod-events", 1, 0), ("prod-events-lrs", 3, 1)]
)
def test_should_publish_learning_events_with_their_archive_queues_and_alarms(
    assemblies: dict[str, Path], stage: str, queues: int, rules: int
) -> None:
    template = _template(assemblies, stage)
    counts = {
        kind: len(template.find_resources(kind))
        for kind in (
            "AWS::Events::EventBus",
            "AWS::Events::Archive",
            "AWS::EventSchemas::Schema",
            "AWS::SQS::Queue",
            "AWS::Events::Rule",
        )
    }
    # The publisher's on-failure queue; with an LRS, its queue and the dead letters too.
    assert counts == {
        "AWS::Events::EventBus": 1,
        "AWS::Events::Archive": 1,
        "AWS::EventSchemas::Schema": 3,
        "AWS::SQS::Queue": queues,
        "AWS::Events::Rule": rules,
    }
    alarms = " ".join(template.find_resources("AWS::CloudWatch::Alarm"))
    assert "PublisherIteratorAge" in alarms
    assert ("LrsForwarderQueueDLQ" in alarms) is (rules == 1)


def test_should_fail_synth_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = build_app(App(outdir=str(tmp_path), context={"stage": "dev"}))
    # A topic without enforced TLS: AwsSolutions-SNS3 must stop the synth.
    sns.Topic(Stack(app, "Sloppy"), "Topic")

    with pytest.raises(Exception, match="AwsSolutions-SNS3"):
        app.synth()


def test_should_refuse_to_synth_prod_with_header_auth(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="production refuses header auth"):
        build_app(App(outdir=str(tmp_path), context={"stage": "prod", "auth": "header"}))


def test_should_synth_prod_with_header_auth_when_overridden(tmp_path: Path) -> None:
    context = {"stage": "prod", "auth": "header", "allowHeaderAuth": "true"}

    assert build_app(App(outdir=str(tmp_path), context=context)).node.find_all()


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"stage": "qa"}, "unknown stage 'qa'"),
        ({"stage": "dev", "auth": "magic"}, "unknown auth 'magic'"),
        ({"stage": "dev", "auth": "jwt"}, "jwtIssuer"),
        *(
            (
                {"stage": "prod", "reservedConcurrency": bad},
                "reservedConcurrency must be a positive",
            )
            for bad in ("0", "-5", "ten", "2.5", "", True)
        ),
        ({"stage": "dev", "account": "12345"}, "12-digit AWS account id"),
        ({"stage": "dev", "region": "Ireland"}, "region such as eu-west-1"),
        ({"stage": "dev", "region": "cn-north-1"}, "-c powertoolsLayerArn"),
        ({"stage": "prod", "deploymentConfig": "canary"}, "unknown -c deploymentConfig 'canary'"),
        (
            {"stage": "prod", "provisionedConcurrency": "0"},
            "provisionedConcurrency must be a positive",
        ),
        (
            {"stage": "prod", "snapStart": "true", "provisionedConcurrency": "2"},
            "cannot be combined",
        ),
        ({"stage": "prod", "snapStart": "true", "region": "ap-east-2"}, "Taipei"),
        ({"stage": "prod", "domainName": "stats.example.com"}, "go together"),
        # A yes/no flag takes true or false: "yes" once synthesised as false, silently.
        *(
            ({"stage": "dev", flag: bad}, f"-c {flag} must be true or false, got {bad!r}")
            for flag in ("history", "analytics", "events", "snapStart", "allowHeaderAuth")
            for bad in ("yes", "1", "True", "", 1)
        ),
    ],
)
def test_should_explain_a_wrong_context(context: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_app(App(context=context))


def _stack(context: Mapping[str, object]) -> Stack:
    """The one stack ``build_app`` makes for ``context``, with cdk.json's feature flags."""
    app = build_app(App(context={**FEATURE_FLAGS, **context}))
    (stack,) = (child for child in app.node.children if isinstance(child, Stack))
    return stack


def _template(assemblies: dict[str, Path], stage: str) -> assertions.Template:
    (path,) = assemblies[stage].glob("*.template.json")
    return assertions.Template.from_json(json.loads(path.read_text()))


@pytest.mark.parametrize(
    ("stage", "deletion", "retention_days", "rate", "auth"),
    [
        ("dev", "Delete", 7, 10, "NONE"),
        ("staging", "Delete", 30, 25, "AWS_IAM"),
        ("prod", "Retain", 365, 200, "AWS_IAM"),
        ("prod-jwt", "Retain", 365, 200, "JWT"),
        ("prod-history", "Retain", 365, 200, "AWS_IAM"),
    ],
)
def test_should_differ_between_stages_as_documented(
    assemblies: dict[str, Path],
    stage: str,
    deletion: str,
    retention_days: int,
    rate: int,
    auth: str,
) -> None:
    template = _template(assemblies, stage)

    template.has_resource("AWS::DynamoDB::GlobalTable", {"DeletionPolicy": deletion})
    for group in template.find_resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == retention_days
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {"DefaultRouteSettings": assertions.Match.object_like({"ThrottlingRateLimit": rate})},
    )
    for route in template.find_resources("AWS::ApiGatewayV2::Route").values():
        assert route["Properties"].get("AuthorizationType", "NONE") == auth


@pytest.mark.parametrize(
    ("stage", "config"),
    [
        ("dev", "CodeDeployDefault.LambdaAllAtOnce"),
        ("staging", "CodeDeployDefault.LambdaAllAtOnce"),
        ("prod", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
        ("prod-jwt", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
    ],
)
def test_should_release_each_stage_through_live_aliases_that_roll_back(
    assemblies: dict[str, Path], stage: str, config: str
) -> None:
    template = _template(assemblies, stage)
    aliases = template.find_resources("AWS::Lambda::Alias")
    groups = template.find_resources("AWS::CodeDeploy::DeploymentGroup")

    for integration in template.find_resources("AWS::ApiGatewayV2::Integration").values():
        alias = aliases[integration["Properties"]["IntegrationUri"]["Ref"]]
        assert alias["Properties"]["Name"] == "live"
    assert len(groups) == len(aliases) == len(functions(template)) == len(release_checks(template))
    for alias in aliases.values():
        group_id = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"]
        group = groups[group_id["Ref"]]["Properties"]
        assert group["DeploymentConfigName"] == config
        assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(
            group["AutoRollbackConfiguration"]["Events"]
        )
        assert group["AlarmConfiguration"]["Alarms"]


def test_should_release_as_the_context_says() -> None:
    linear = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    stack = _stack({"stage": "prod", "deploymentConfig": linear})

    groups = assertions.Template.from_stack(stack).find_resources(
        "AWS::CodeDeploy::DeploymentGroup"
    )
    assert {g["Properties"]["DeploymentConfigName"] for g in groups.values()} == {linear}


def test_should_output_the_api_url_table_name_and_alarm_topic(
    assemblies: dict[str, Path],
) -> None:
    template = _template(assemblies, "prod")
    outputs = template.find_outputs("*")
    (topic_id,) = template.find_resources("AWS::SNS::Topic")

    assert {"ApiUrl", "TableName", "AlarmTopicArn"} <= set(outputs)
    # On-call subscribes to the topic the alarms notify (a topic's Ref is its ARN).
    assert outputs["AlarmTopicArn"]["Value"] == {"Ref": topic_id}
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]


# cdk.json holds JSON: a committed flag may be a real boolean rather than text.
@pytest.mark.parametrize(
    ("history", "functions"), [(True, 6), ("true", 6), (False, 3), ("false", 3)]
)
def test_should_take_a_flag_as_text_or_as_a_boolean(history: object, functions: int) -> None:
    template = assertions.Template.from_stack(_stack({"stage": "dev", "history": history}))

    template.resource_count_is("AWS::ApiGatewayV2::Route", functions)


def test_should_turn_analytics_on_with_their_own_jwt_scopes_from_the_context() -> None:
    stack = _stack(
        {
            "stage": "dev",
            "analytics": "true",
            "auth": "jwt",
            "jwtIssuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example",
            "jwtAudience": "client-1",
            "jwtAnalyticsScopes": "dashboards/read,ops/read",
        }
    )
    template = assertions.Template.from_stack(stack)

    scopes = {
        route["Properties"]["RouteKey"]: route["Properties"].get("AuthorizationScopes")
        for route in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert scopes["GET /analytics/courses/{courseId}"] == ["dashboards/read", "ops/read"]
    assert scopes["GET /courses/{courseId}"] is None
    assert "AnalyticsTableName" in template.find_outputs("*")
    template.resource_count_is("AWS::Lambda::EventSourceMapping", 1)


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``make synth`` of the dev stage with one-off context, as a user types it (the pinned
    CLI): the assembly and everything it printed."""
    outdir = tmp_path_factory.mktemp("cli")
    output = run(
        "make",
        "--no-print-directory",
        "synth",
        "STAGE=dev",
        f"CONTEXT=-c history=true -o {outdir}",
        cwd=REPO_ROOT,
    )
    return outdir, output


def test_should_say_when_a_synth_differs_from_the_committed_configuration(
    cli_synth: tuple[Path, str],
) -> None:
    outdir, output = cli_synth

    (line,) = (line for line in output.splitlines() if "committed configuration" in line)
    assert line.startswith("WARNING stage dev differs from its committed configuration")
    assert "history=true (committed: unset)" in line
    # The one-off context took effect: the history routes are there.
    template = json.loads((outdir / "StatsService-dev.template.json").read_text())
    routes = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    assert len(routes) == 6


def test_should_synthesise_an_environment_agnostic_stack_with_the_cli(
    cli_synth: tuple[Path, str],
) -> None:
    outdir, _ = cli_synth
    manifest = json.loads((outdir / "manifest.json").read_text())

    # The CLI sets CDK_DEFAULT_REGION (us-east-1 offline); the app must not pin it.
    environment = manifest["artifacts"]["StatsService-dev"]["environment"]
    assert environment == "aws://unknown-account/unknown-region"


def test_should_configure_every_feature_flag_the_cli_knows(cli_synth: tuple[Path, str]) -> None:
    _, output = cli_synth

    assert "feature flag" not in output.lower(), output


# Lambda keeps 100 unreserved concurrent executions per account, so reserving 3 x N fails
# the deploy unless the account's quota is at least 100 + 3 x N; new accounts start lower.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
@pytest.mark.parametrize("stage", STAGE_CONTEXTS)
def test_should_reserve_no_concurrency_by_default(assemblies: dict[str, Path], stage: str) -> None:
    found = functions(_template(assemblies, stage))

    assert found
    for function in found.values():
        assert "ReservedConcurrentExecutions" not in function["Properties"]


def test_should_reserve_the_concurrency_the_context_asks_for_on_every_function() -> None:
    stack = _stack({"stage": "prod", "reservedConcurrency": "5"})

    found = functions(assertions.Template.from_stack(stack))
    assert [f["Properties"]["ReservedConcurrentExecutions"] for f in found.values()] == [5] * 3


def test_should_stay_environment_agnostic_whatever_the_shell_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111111111111")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-1")

    assert _stack({"stage": "dev"}).environment == "aws://unknown-account/unknown-region"


def test_should_pin_the_environment_the_context_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-1")
    context = {"stage": "dev", "account": "123456789012", "region": "eu-west-1"}

    assert _stack(context).environment == "aws://123456789012/eu-west-1"


def test_should_load_the_powertools_layer_the_context_names() -> None:
    layer = "arn:aws-cn:lambda:cn-north-1:123456789012:layer:powertools-py314-arm64:3"
    context = {"stage": "dev", "region": "cn-north-1", "powertoolsLayerArn": layer}

    found = functions(assertions.Template.from_stack(_stack(context)))
    assert [f["Properties"]["Layers"] for f in found.values()] == [[layer]] * 3


# Dashboard names are unique per account, alarm names per account and region:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
def _names(stacks: tuple[Stack, ...], kind: str, key: str) -> list[str]:
    """Every ``key`` of every ``kind`` resource of ``stacks``, tokens rendered as JSON."""
    return [
        json.dumps(resource["Properties"][key], sort_keys=True)
        for stack in stacks
        for resource in assertions.Template.from_stack(stack).find_resources(kind).values()
    ]


def _dashboard_names(*stacks: Stack) -> list[str]:
    return _names(stacks, "AWS::CloudWatch::Dashboard", "DashboardName")


def _alarm_names(*stacks: Stack) -> list[str]:
    return _names(stacks, "AWS::CloudWatch::Alarm", "AlarmName")


def _assert_unique(names: list[str]) -> None:
    assert names
    assert len(set(names)) == len(names), names


def test_should_name_the_same_stage_apart_in_two_regions() -> None:
    stacks = [_stack({"stage": "prod", "region": region}) for region in ("eu-west-1", "us-east-1")]

    # Each region holds its own alarms: only the account-wide dashboard names must differ.
    _assert_unique(_dashboard_names(*stacks))


def test_should_name_two_services_in_one_stack_apart() -> None:
    stack = Stack(App(), "Platform")
    StatsService(stack, "Stats")
    StatsService(stack, "MoreStats")

    _assert_unique(_dashboard_names(stack))
    _assert_unique(_alarm_names(stack))


def test_should_name_a_consumers_prod_service_apart_from_the_apps_prod_stack() -> None:
    consumer = Stack(App(), "LearningPlatform")
    StatsService(
        consumer, "Stats", StatsServiceProps(stage_name="prod", production=True, auth=IamAuth())
    )
    app_stack = _stack({"stage": "prod"})

    _assert_unique(_dashboard_names(consumer, app_stack))
    _assert_unique(_alarm_names(consumer, app_stack))


@pytest.mark.parametrize(("stage", "routes"), [("prod", 3), ("prod-history", 6)])
def test_should_deploy_the_history_routes_only_when_turned_on(
    assemblies: dict[str, Path], stage: str, routes: int
) -> None:
    template = _template(assemblies, stage)

    template.resource_count_is("AWS::ApiGatewayV2::Route", routes)
    assert len(functions(template)) == len(release_checks(template)) == routes


@pytest.mark.parametrize(
    ("context", "mode"),
    [
        ({"stage": "dev"}, "header"),
        ({"stage": "staging"}, "iam"),
        (
            {
                "stage": "prod",
                "auth": "jwt",
                "jwtIssuer": "https://issuer.example.com",
                "jwtAudience": "client",
            },
            "jwt",
        ),
    ],
)
def test_should_output_the_auth_mode_the_release_workflow_tests_with(
    context: dict[str, str], mode: str
) -> None:
    outputs = assertions.Template.from_stack(_stack(context)).find_outputs("AuthMode")

    # A literal, as `make e2e AUTH=...` takes it; an output's Description must be one too.
    assert outputs["AuthMode"]["Value"] == mode
    assert isinstance(outputs["AuthMode"]["Description"], str)
