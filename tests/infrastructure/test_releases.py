"""Safe releases in the template: the API invokes each function's ``live`` alias, and a
CodeDeploy deployment group per function shifts that alias, rolling back on failure, on a
stop and on the function's release alarms.

CodeDeploy's traffic shifting cannot run offline; these tests pin the template shape that
makes it happen, as documented:
https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html#deployment-configuration-lambda
https://docs.aws.amazon.com/codedeploy/latest/userguide/deployments-rollback-and-redeploy.html#deployments-rollback-and-redeploy-automatic-rollbacks
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-codedeploylambdaaliasupdate
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_dynamodb as dynamodb

from local_run.iam_evaluation import is_allowed
from stats_api import dynamodb_calls, release_check
from stats_api.routes import CORE_ROUTES, deployed_routes
from stats_service import HeaderAuth, IamAuth, JwtAuth, StatsService, StatsServiceProps
from stats_service.monitoring import LATENCY_P99
from tests.support.cloudformation import Deployed
from tests.support.templates import (
    alias_for,
    function_for,
    functions,
    release_checks,
    synth,
)

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"
ROLLBACK_EVENTS = {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"}


def _brought_table_props() -> StatsServiceProps:
    table = dynamodb.TableV2.from_table_name(Stack(App(), "Other"), "Sessions", "sessions")
    return StatsServiceProps(table=table)


VARIANTS = {
    "header": lambda: StatsServiceProps(auth=HeaderAuth()),
    "iam": lambda: StatsServiceProps(auth=IamAuth()),
    "jwt": lambda: StatsServiceProps(auth=JwtAuth(issuer=ISSUER, audience=("client-1",))),
    "history": lambda: StatsServiceProps(history=True),
}


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    return synth()


def _resources(template: assertions.Template, kind: str) -> Mapping[str, Mapping[str, Any]]:
    return template.find_resources(kind)


def _groups_by_alias(template: assertions.Template) -> dict[str, Mapping[str, Any]]:
    """Each deployment group's properties, by the logical id of the alias it shifts."""
    groups = _resources(template, "AWS::CodeDeploy::DeploymentGroup")
    by_alias = {}
    for alias_id, alias in _resources(template, "AWS::Lambda::Alias").items():
        policy = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        by_alias[alias_id] = groups[policy["DeploymentGroupName"]["Ref"]]["Properties"]
    return by_alias


def _alarm_metric_names(alarm: Mapping[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {q["MetricStat"]["Metric"]["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q}


@pytest.mark.parametrize("variant", [*VARIANTS, "brought-table"])
def test_should_route_every_request_to_the_live_alias_of_its_function(variant: str) -> None:
    props = _brought_table_props() if variant == "brought-table" else VARIANTS[variant]()
    template = synth(props)
    routes = deployed_routes(props.history)
    aliases = _resources(template, "AWS::Lambda::Alias")
    versions = _resources(template, "AWS::Lambda::Version")

    for route in routes:
        alias = aliases[alias_for(template, route.route_key)]["Properties"]
        function_id = function_for(template, route.route_key)
        version_id = alias["FunctionVersion"]["Fn::GetAtt"][0]
        assert alias["Name"] == "live"
        assert functions(template)[function_id]["Properties"]["Handler"] == route.handler
        # A published version of that same function, never $LATEST.
        assert versions[version_id]["Properties"]["FunctionName"] == {"Ref": function_id}
    assert len(aliases) == len(routes)


def test_should_let_api_gateway_invoke_only_the_aliases(template: assertions.Template) -> None:
    aliases = set(_resources(template, "AWS::Lambda::Alias"))
    permissions = [
        p["Properties"]
        for p in _resources(template, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]

    assert len(permissions) == len(CORE_ROUTES)
    assert {p["FunctionName"]["Ref"] for p in permissions} == aliases


@pytest.mark.parametrize("variant", [*VARIANTS, "brought-table"])
def test_should_shift_each_alias_with_its_own_deployment_group(variant: str) -> None:
    props = _brought_table_props() if variant == "brought-table" else VARIANTS[variant]()
    template = synth(props)
    routes = deployed_routes(props.history)
    groups = _groups_by_alias(template)

    assert len(groups) == len(routes)
    assert len(_resources(template, "AWS::CodeDeploy::DeploymentGroup")) == len(routes)
    template.resource_count_is("AWS::CodeDeploy::Application", 1)
    for group in groups.values():
        assert group["DeploymentStyle"] == {
            "DeploymentOption": "WITH_TRAFFIC_CONTROL",
            "DeploymentType": "BLUE_GREEN",
        }


def test_should_release_as_a_canary_of_10_percent_for_5_minutes_by_default(
    template: assertions.Template,
) -> None:
    for group in _groups_by_alias(template).values():
        assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def test_should_release_as_the_props_say() -> None:
    props = StatsServiceProps(deployment_config=codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE)

    for group in _groups_by_alias(synth(props)).values():
        assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"


def test_should_roll_back_on_failure_on_a_stop_and_on_alarm(
    template: assertions.Template,
) -> None:
    for group in _groups_by_alias(template).values():
        assert group["AutoRollbackConfiguration"]["Enabled"] is True
        assert set(group["AutoRollbackConfiguration"]["Events"]) == ROLLBACK_EVENTS
        assert group["AlarmConfiguration"]["Enabled"] is True
        # Alarms CodeDeploy cannot read must stop the release, not be ignored.
        assert not group["AlarmConfiguration"].get("IgnorePollAlarmFailure", False)


def test_should_watch_each_functions_own_alarms_and_the_apis_5xx_rate(
    template: assertions.Template,
) -> None:
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    aliases = _resources(template, "AWS::Lambda::Alias")

    for alias_id, group in _groups_by_alias(template).items():
        function_id = aliases[alias_id]["Properties"]["FunctionName"]["Ref"]
        watched = [
            alarms[a["Name"]["Ref"]]["Properties"] for a in group["AlarmConfiguration"]["Alarms"]
        ]
        own = [a for a in watched if function_id in str(a)]
        api = [a for a in watched if function_id not in str(a)]
        # Lambda's Errors (rate and first error), the handler's Faults, the p99 Duration.
        assert sorted(name for a in own for name in _alarm_metric_names(a)) == [
            "Duration",
            "Errors",
            "Errors",
            "Faults",
        ]
        assert [_alarm_metric_names(a) for a in api] == [{"5xx"}]
        assert len(watched) <= 10  # CodeDeploy's limit of alarms per deployment group


def test_should_expose_the_alarms_a_release_watches() -> None:
    service = StatsService(Stack(App(), "Consumer"), "Stats")

    for function_id in service.functions:
        release = {a.node.path for a in service.monitoring.release_alarms_for(function_id)}
        faults = {a.node.path for a in service.monitoring.fault_alarms_for(function_id)}
        assert faults < release
        assert len(release) == 5
    with pytest.raises(KeyError, match="no function 'Checkout'"):
        service.monitoring.release_alarms_for("Checkout")


def test_should_roll_back_within_a_canarys_bake_at_the_first_error(
    template: assertions.Template,
) -> None:
    # An invocation that never reached the handler (import error, timeout) counts in
    # Lambda's Errors only; waiting for the 15-minute rate alarm would outlast the canary.
    first_errors = [
        a["Properties"]
        for a in _resources(template, "AWS::CloudWatch::Alarm").values()
        if _alarm_metric_names(a["Properties"]) == {"Errors"}
        and a["Properties"]["EvaluationPeriods"] == 1
    ]

    assert len(first_errors) == len(CORE_ROUTES)
    for alarm in first_errors:
        (query,) = alarm["Metrics"]
        assert (query["MetricStat"]["Stat"], query["MetricStat"]["Period"]) == ("Sum", 60)
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
        assert alarm["DatapointsToAlarm"] == 1
        assert alarm["TreatMissingData"] == "notBreaching"


def test_should_alarm_when_p99_latency_stays_above_the_stores_read_timeout(
    template: assertions.Template,
) -> None:
    # The threshold is the DynamoDB client's read timeout: above it, more than 1% of
    # requests waited out a timeout or a retry.
    assert LATENCY_P99.to_seconds() == dynamodb_calls.CLIENT_CONFIG.read_timeout  # type: ignore[attr-defined]
    latency = [
        a["Properties"]
        for a in _resources(template, "AWS::CloudWatch::Alarm").values()
        if _alarm_metric_names(a["Properties"]) == {"Duration"}
    ]

    assert len(latency) == len(CORE_ROUTES)
    for alarm in latency:
        (query,) = alarm["Metrics"]
        assert (query["MetricStat"]["Stat"], query["MetricStat"]["Period"]) == ("p99", 60)
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 2000)
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (3, 3)
        assert alarm["TreatMissingData"] == "notBreaching"


def test_should_delete_superseded_versions_once_a_release_completes(
    template: assertions.Template,
) -> None:
    # A version replaced in a stack update goes in the cleanup phase, after CodeDeploy has
    # finished shifting; with SnapStart, every version kept would be billed for its cache.
    for version in _resources(template, "AWS::Lambda::Version").values():
        assert version.get("DeletionPolicy", "Delete") == "Delete"


def test_should_expose_aliases_and_deployment_groups_by_function_id() -> None:
    service = StatsService(Stack(App(), "Consumer"), "Stats")

    assert set(service.aliases) == set(service.functions) == {r.function_id for r in CORE_ROUTES}
    assert set(service.deployment_groups) == set(service.functions)
    for function_id, alias in service.aliases.items():
        assert alias.alias_name == "live"
        assert alias.version.lambda_ is service.functions[function_id]
        assert service.deployment_groups[function_id].node.scope is service


# CodeDeploy invokes the alias's BeforeAllowTrafficHook before shifting any traffic, and the
# hook's Failed report stops the release (the hook's own logic: tests/unit/test_release_check.py):
# https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-codedeploylambdaaliasupdate
@pytest.mark.parametrize("variant", ["iam", "history"])
def test_should_check_each_new_version_before_it_takes_traffic(variant: str) -> None:
    props = VARIANTS[variant]()
    template = synth(props)
    aliases = _resources(template, "AWS::Lambda::Alias")
    hooks = release_checks(template)
    route_keys = {route.handler: route.route_key for route in deployed_routes(props.history)}

    assert len(hooks) == len(aliases) == len(deployed_routes(props.history))
    for alias in aliases.values():
        hook_id = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["BeforeAllowTrafficHook"]
        hook = hooks[hook_id["Ref"]]["Properties"]
        function_id = alias["Properties"]["FunctionName"]["Ref"]
        version = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        # The hook tests exactly the version this release moves the alias to...
        assert hook["Environment"]["Variables"] == {
            release_check.TARGET_ENV: {"Ref": version},
            release_check.ROUTE_ENV: route_keys[
                functions(template)[function_id]["Properties"]["Handler"]
            ],
        }
        # ...and is updated, with its permissions, before the alias update runs it.
        assert hook_id["Ref"] in alias["DependsOn"]
        assert hook["Role"]["Fn::GetAtt"][0] in alias["DependsOn"]
        # Raw boto3 only: no layer, so a broken layer cannot pass its own check.
        assert "Layers" not in hook
        # A stuck invoke, retried, still leaves it time to report (else CodeDeploy waits
        # an hour for a status).
        config: Any = release_check.LAMBDA_CONFIG
        attempts = config.retries["max_attempts"]
        assert hook["Timeout"] > attempts * (config.connect_timeout + config.read_timeout)
        assert hook["Handler"] == "stats_api.release_check.handler"


def test_should_let_each_hook_invoke_only_its_functions_versions_and_act_only_on_its_group(
    template: assertions.Template,
) -> None:
    # Evaluated as IAM does, against the ARNs the hook's calls name once deployed. A grant
    # on the function's versions (<function ARN>:*) stays the same from release to release:
    # one naming the new version would change seconds before the hook runs (IAM
    # propagation).
    stage = Deployed(template.to_json())
    groups = _resources(template, "AWS::CodeDeploy::DeploymentGroup")
    for alias in _resources(template, "AWS::Lambda::Alias").values():
        update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        hook = update["BeforeAllowTrafficHook"]["Ref"]
        policies = stage.policies_of_role(
            _resources(template, "AWS::Lambda::Function")[hook]["Properties"]["Role"]["Fn::GetAtt"][
                0
            ]
        )
        function = stage.get_att(alias["Properties"]["FunctionName"]["Ref"], "Arn")
        other = stage.get_att(
            next(iter(set(functions(template)) - {function.split(":")[-1]})), "Arn"
        )
        for version in ("1", "7", "live"):
            assert is_allowed(policies, "lambda:InvokeFunction", f"{function}:{version}")
        assert not is_allowed(policies, "lambda:InvokeFunction", function)  # $LATEST
        assert not is_allowed(policies, "lambda:InvokeFunction", f"{other}:1")
        own = update["DeploymentGroupName"]["Ref"]
        arns = {
            name: stage.region_arn(
                "codedeploy", f"deploymentgroup:{stage.ref(_application(groups))}/{name}"
            )
            for name in groups
        }
        for action in ("PutLifecycleEventHookExecutionStatus", "StopDeployment"):
            assert is_allowed(policies, f"codedeploy:{action}", arns[own])
            assert not any(
                is_allowed(policies, f"codedeploy:{action}", arn)
                for name, arn in arns.items()
                if name != own
            )
        granted = {a for p in policies for s in p["Statement"] for a in _listed(s["Action"])}
        assert granted == {
            "lambda:InvokeFunction",
            "codedeploy:PutLifecycleEventHookExecutionStatus",
            "codedeploy:StopDeployment",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
        }


def _application(groups: Mapping[str, Mapping[str, Any]]) -> str:
    (application,) = {g["Properties"]["ApplicationName"]["Ref"] for g in groups.values()}
    return str(application)


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
