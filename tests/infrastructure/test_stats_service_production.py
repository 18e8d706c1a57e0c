"""Template assertions for running in production: auth, least privilege, limits,
observability and data protection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Duration, RemovalPolicy, Stack, assertions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns

from stats_api.routes import CORE_ROUTES, RECORD_SESSION, deployed_routes
from stats_api.shared_names import (
    FAULTS_METRIC,
    FUNCTION_NAME_DIMENSION,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    SESSIONS_RECORDED_METRIC,
)
from stats_service import HeaderAuth, IamAuth, JwtAuth, StatsService, StatsServiceProps
from tests.support.templates import (
    alarm_publishing,
    dashboard_metrics,
    function_for,
    functions,
    role_statements,
    routes,
    synth,
    topic_statements,
)

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"

Match = assertions.Match
NUMBER = dynamodb.AttributeType.NUMBER


@pytest.fixture(scope="module")
def default_template() -> assertions.Template:
    return synth()


@pytest.fixture(scope="module")
def jwt_template() -> assertions.Template:
    auth = JwtAuth(issuer=ISSUER, audience=("client-1",), required_scopes=("stats/write",))
    return synth(
        StatsServiceProps(stage_name="prod", production=True, auth=auth, reserved_concurrency=7)
    )


@pytest.fixture(scope="module")
def iam_template() -> assertions.Template:
    return synth(StatsServiceProps(auth=IamAuth()))


@pytest.fixture(scope="module")
def dev_template() -> assertions.Template:
    return synth(
        StatsServiceProps(
            stage_name="dev",
            removal_policy=RemovalPolicy.DESTROY,
            deletion_protection=False,
            log_retention=logs.RetentionDays.ONE_WEEK,
            throttle_rate_limit=10,
            throttle_burst_limit=20,
        )
    )


def test_should_put_the_jwt_authorizer_on_every_route(jwt_template: assertions.Template) -> None:
    jwt_template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["client-1"]},
        },
    )
    authorizer_id = next(iter(jwt_template.find_resources("AWS::ApiGatewayV2::Authorizer")))
    for route in routes(jwt_template).values():
        assert route["Properties"]["AuthorizationType"] == "JWT"
        assert route["Properties"]["AuthorizerId"] == {"Ref": authorizer_id}
        assert route["Properties"]["AuthorizationScopes"] == ["stats/write"]


def test_should_require_sigv4_on_every_route_with_iam_auth(
    iam_template: assertions.Template,
) -> None:
    for route in routes(iam_template).values():
        assert route["Properties"]["AuthorizationType"] == "AWS_IAM"


def test_should_leave_routes_open_only_with_header_auth(dev_template: assertions.Template) -> None:
    for route in routes(dev_template).values():
        assert route["Properties"].get("AuthorizationType", "NONE") == "NONE"


def test_should_refuse_header_auth_in_production_unless_allowed() -> None:
    with pytest.raises(ValueError, match="production refuses header auth"):
        StatsServiceProps(production=True, auth=HeaderAuth())

    assert StatsServiceProps(production=True, auth=HeaderAuth(), allow_header_auth=True)


@pytest.mark.parametrize("stage_name", ["prod", "production", "live"])
def test_should_take_the_production_rules_from_the_prop_not_the_stage_name(
    stage_name: str,
) -> None:
    # The guard once looked for stage_name == "prod": a stage called "production" had none.
    assert StatsServiceProps(stage_name=stage_name, auth=HeaderAuth())
    with pytest.raises(ValueError, match="production refuses header auth"):
        StatsServiceProps(stage_name=stage_name, production=True, auth=HeaderAuth())


@pytest.mark.parametrize(
    "settings",
    [{"removal_policy": RemovalPolicy.DESTROY}, {"deletion_protection": False}],
)
def test_should_keep_learners_data_in_production(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="production keeps learners' data"):
        StatsServiceProps(production=True, auth=IamAuth(), **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"memory_size": 64}, "memory_size"),
        ({"timeout": Duration.seconds(29)}, "29 s"),
        ({"throttle_rate_limit": 0}, "throttle"),
        ({"reserved_concurrency": 0}, "reserved_concurrency"),
        ({"stage_name": "Prod!"}, "stage_name"),
        ({"cors_origins": ("http://evil.example",)}, "cors origin"),
    ],
)
def test_should_refuse_wrong_props_with_a_clear_message(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        StatsServiceProps(**overrides)  # type: ignore[arg-type]


def test_should_refuse_a_jwt_auth_without_https_issuer_or_audience() -> None:
    with pytest.raises(ValueError, match="https"):
        JwtAuth(issuer="http://issuer", audience=("a",))
    with pytest.raises(ValueError, match="audience"):
        JwtAuth(issuer=ISSUER, audience=())


CODEDEPLOY_LAMBDA_POLICY = "service-role/AWSCodeDeployRoleForLambdaLimited"


def test_should_use_no_aws_managed_policies_but_codedeploys_own(
    default_template: assertions.Template,
) -> None:
    # CDK gives every Lambda deployment group's role CodeDeploy's limited policy; no other
    # role of the service carries a managed policy.
    for role in default_template.find_resources("AWS::IAM::Role").values():
        principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        managed = role["Properties"].get("ManagedPolicyArns", [])
        if principal == {"Service": "codedeploy.amazonaws.com"}:
            assert [policy["Fn::Join"][1][-1] for policy in managed] == [
                f":iam::aws:policy/{CODEDEPLOY_LAMBDA_POLICY}"
            ]
        else:
            assert not managed


def test_should_let_each_function_write_logs_only_to_its_own_group(
    default_template: assertions.Template,
) -> None:
    for function_id, function in functions(default_template).items():
        own_group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        log_statements = [
            s
            for s in role_statements(default_template, function_id)
            if any(str(a).startswith("logs:") for a in _list(s["Action"]))
        ]
        assert log_statements, function_id
        for statement in log_statements:
            assert statement["Resource"] == {"Fn::GetAtt": [own_group, "Arn"]}


def test_should_scope_every_table_statement_to_the_table(
    default_template: assertions.Template,
) -> None:
    table_id = next(iter(default_template.find_resources("AWS::DynamoDB::GlobalTable")))
    for function_id in functions(default_template):
        for statement in role_statements(default_template, function_id):
            if any(str(a).startswith("dynamodb:") for a in _list(statement["Action"])):
                assert {"Fn::GetAtt": [table_id, "Arn"]} in _list(statement["Resource"])
                assert "*" not in _list(statement["Resource"])


def test_should_run_functions_on_arm64_latest_python_with_tracing(
    jwt_template: assertions.Template,
) -> None:
    for function in functions(jwt_template).values():
        properties = function["Properties"]
        assert properties["Architectures"] == ["arm64"]
        assert properties["Runtime"] == "python3.14"
        assert properties["Timeout"] < 29
        assert properties["MemorySize"] == 256
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["ReservedConcurrentExecutions"] == 7


def test_should_throttle_the_stage_and_log_access(dev_template: assertions.Template) -> None:
    dev_template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {"ThrottlingRateLimit": 10, "ThrottlingBurstLimit": 20},
            "AccessLogSettings": {
                "DestinationArn": Match.any_value(),
                "Format": Match.string_like_regexp(r"\$context\.requestId"),
            },
        },
    )


def test_should_keep_point_in_time_recovery_on_in_every_stage(
    dev_template: assertions.Template, jwt_template: assertions.Template
) -> None:
    for template in (dev_template, jwt_template):
        template.has_resource_properties(
            "AWS::DynamoDB::GlobalTable",
            {
                "Replicas": [
                    Match.object_like(
                        {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
                    )
                ]
            },
        )


def test_should_retain_and_protect_the_table_by_default(
    default_template: assertions.Template,
) -> None:
    default_template.has_resource(
        "AWS::DynamoDB::GlobalTable",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like(
                {"Replicas": [Match.object_like({"DeletionProtectionEnabled": True})]}
            ),
        },
    )


def test_should_let_a_throwaway_stage_clean_up(dev_template: assertions.Template) -> None:
    dev_template.has_resource("AWS::DynamoDB::GlobalTable", {"DeletionPolicy": "Delete"})
    dev_template.has_resource("AWS::KMS::Key", {"DeletionPolicy": "Delete"})
    for group in dev_template.find_resources("AWS::Logs::LogGroup").values():
        assert group["DeletionPolicy"] == "Delete"
        assert group["Properties"]["RetentionInDays"] == 7


def test_should_alarm_on_the_golden_signals_into_an_encrypted_topic(
    default_template: assertions.Template,
) -> None:
    topic_id = next(iter(default_template.find_resources("AWS::SNS::Topic")))
    default_template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()}
    )
    alarms = default_template.find_resources("AWS::CloudWatch::Alarm").values()
    assert alarms
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    watched = " ".join(str(alarm["Properties"]) for alarm in alarms)
    for metric in (
        "5xx",
        "Errors",
        "Throttles",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "SystemErrors",
    ):
        assert metric in watched, metric
    throttle_alarms = [a for a in alarms if "'Throttles'" in str(a["Properties"])]
    assert len(throttle_alarms) == len(CORE_ROUTES)


# The history routes query the table and its index: their system errors must alarm too.
@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (False, {"TransactWriteItems", "GetItem"}),
        (True, {"TransactWriteItems", "GetItem", "Query"}),
    ],
)
def test_should_alarm_on_system_errors_of_the_operations_the_service_calls(
    default_template: assertions.Template, history: bool, expected: set[str]
) -> None:
    template = synth(StatsServiceProps(history=True)) if history else default_template
    (alarm,) = (
        alarm["Properties"]
        for alarm in template.find_resources("AWS::CloudWatch::Alarm").values()
        if "SystemErrors" in str(alarm["Properties"])
    )
    queries = {query["Id"]: query for query in alarm["Metrics"]}
    stats = {id_: q["MetricStat"]["Metric"] for id_, q in queries.items() if "MetricStat" in q}
    (expression,) = (q["Expression"] for q in queries.values() if "Expression" in q)

    operations = {
        dimension["Value"]
        for metric in stats.values()
        for dimension in metric["Dimensions"]
        if dimension["Name"] == "Operation"
    }
    assert operations == expected
    for metric in stats.values():
        assert (metric["Namespace"], metric["MetricName"]) == ("AWS/DynamoDB", "SystemErrors")
    # An operation without datapoints in a period must not blank the sum.
    for id_ in stats:
        assert f"FILL({id_}, 0)" in expression


def test_should_let_this_accounts_alarms_publish_to_the_tls_only_topic(
    default_template: assertions.Template,
) -> None:
    # A topic policy replaces SNS's default one, which is what lets CloudWatch publish to a
    # topic without a policy; enforce_ssl's policy alone would refuse every notification.
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    # https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    (topic_id,) = default_template.find_resources("AWS::SNS::Topic")
    statements = topic_statements(default_template, topic_id)

    assert alarm_publishing(topic_id) in statements
    assert {
        "Sid": "AllowPublishThroughSSLOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sns:Publish",
        "Resource": {"Ref": topic_id},
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    } in statements


def test_should_build_a_dashboard(default_template: assertions.Template) -> None:
    default_template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    record_function = function_for(default_template, RECORD_SESSION.route_key)

    # The handlers publish with both dimensions; a metric matches only its exact set.
    assert (
        METRICS_NAMESPACE,
        SESSIONS_RECORDED_METRIC,
        {"service": SERVICE_NAME, FUNCTION_NAME_DIMENSION: f"Ref:{record_function}"},
    ) in dashboard_metrics(default_template)


def test_should_alarm_on_each_functions_faults_at_the_first_one(
    default_template: assertions.Template,
) -> None:
    # Handlers answer unforeseen exceptions with a generic 500, so Lambda's Errors metric
    # never counts them: the handlers publish Faults (EMF) instead.
    (topic_id,) = default_template.find_resources("AWS::SNS::Topic")
    fault_alarms = {
        _dimensions(alarm)[FUNCTION_NAME_DIMENSION]["Ref"]: alarm["Properties"]
        for alarm in default_template.find_resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == FAULTS_METRIC
    }

    assert set(fault_alarms) == set(functions(default_template))
    for function_id, alarm in fault_alarms.items():
        assert alarm["Namespace"] == METRICS_NAMESPACE
        assert _dimensions({"Properties": alarm}) == {
            "service": SERVICE_NAME,
            FUNCTION_NAME_DIMENSION: {"Ref": function_id},
        }
        assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 60)
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
        )
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (1, 1)
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


def test_should_graph_each_functions_faults(default_template: assertions.Template) -> None:
    graphed = dashboard_metrics(default_template)

    for function_id in functions(default_template):
        dimensions = {"service": SERVICE_NAME, FUNCTION_NAME_DIMENSION: f"Ref:{function_id}"}
        assert (METRICS_NAMESPACE, FAULTS_METRIC, dimensions) in graphed


def test_should_expose_each_functions_fault_alarms_for_a_deployment_to_watch() -> None:
    stack = Stack(App(), "Consumer")
    service = StatsService(stack, "Stats")
    alarms = assertions.Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")

    for function_id, function in service.functions.items():
        exposed = [
            alarms[stack.resolve(alarm.alarm_name)["Ref"]]["Properties"]
            for alarm in service.monitoring.fault_alarms_for(function_id)
        ]
        # Lambda's error rate (crashes, timeouts) and the handlers' own 500s.
        assert {name for alarm in exposed for name in _metric_names(alarm)} == {
            "Errors",
            FAULTS_METRIC,
        }
        own_function = str(stack.resolve(function.function_name))
        assert all(own_function in str(alarm) for alarm in exposed)
    with pytest.raises(KeyError, match="no function 'Checkout'"):
        service.monitoring.fault_alarms_for("Checkout")


def test_should_alarm_into_a_topic_the_consumer_brings() -> None:
    stack = Stack(App(), "Consumer")
    topic = sns.Topic(stack, "OnCall")
    service = StatsService(stack, "Stats", StatsServiceProps(alarm_topic=topic))
    template = assertions.Template.from_stack(stack)

    assert service.alarm_topic is topic
    template.resource_count_is("AWS::SNS::Topic", 1)
    assert functions(template)
    assert RECORD_SESSION.function_id in service.functions


def _dimensions(alarm: Mapping[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in alarm["Properties"].get("Dimensions", [])}


def _metric_names(alarm: Mapping[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {q["MetricStat"]["Metric"]["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_should_use_a_table_the_consumer_brings_without_creating_one() -> None:
    stack = Stack(App(), "Consumer")
    existing = dynamodb.TableV2.from_table_name(stack, "Existing", "learning-sessions")
    service = StatsService(stack, "Stats", StatsServiceProps(table=existing))
    template = assertions.Template.from_stack(stack)

    assert service.table is existing
    template.resource_count_is("AWS::DynamoDB::GlobalTable", 0)
    for function in functions(template).values():
        assert function["Properties"]["Environment"]["Variables"]["TABLE_NAME"] == (
            "learning-sessions"
        )
    assert "learning-sessions" in str(template.find_resources("AWS::IAM::Policy"))


def _consumer_table(stack: Stack, construct: type, **keys: dynamodb.Attribute) -> dynamodb.ITable:
    table: dynamodb.ITable = construct(stack, "Sessions", **keys)
    return table


def _key(name: str, kind: dynamodb.AttributeType = dynamodb.AttributeType.STRING) -> Any:
    return dynamodb.Attribute(name=name, type=kind)


@pytest.mark.parametrize("construct", [dynamodb.TableV2, dynamodb.Table])
def test_should_accept_a_brought_table_of_this_app_with_the_service_key_schema(
    construct: type,
) -> None:
    stack = Stack(App(), "Consumer")
    table = _consumer_table(
        stack, construct, partition_key=_key("userId"), sort_key=_key("sessionId")
    )

    assert StatsService(stack, "Stats", StatsServiceProps(table=table)).table is table


@pytest.mark.parametrize(
    "keys",
    [
        {"partition_key": _key("learner"), "sort_key": _key("sessionId")},
        {"partition_key": _key("userId")},
        {"partition_key": _key("userId"), "sort_key": _key("sessionId", NUMBER)},
        {"partition_key": _key("sessionId"), "sort_key": _key("userId")},
    ],
    ids=["other-partition-key", "no-sort-key", "numeric-sort-key", "keys-swapped"],
)
@pytest.mark.parametrize("construct", [dynamodb.TableV2, dynamodb.Table])
def test_should_refuse_at_synth_a_brought_table_keyed_otherwise(
    construct: type, keys: dict[str, dynamodb.Attribute]
) -> None:
    stack = Stack(App(), "Consumer")
    table = _consumer_table(stack, construct, **keys)

    with pytest.raises(ValueError, match="must be keyed userId \\(string, partition key\\)"):
        StatsService(stack, "Stats", StatsServiceProps(table=table))


@pytest.mark.parametrize("history", [False, True], ids=["core", "history"])
def test_should_expose_each_deployed_route_s_function_by_its_function_id(history: bool) -> None:
    service = StatsService(Stack(App(), "Consumer"), "Stats", StatsServiceProps(history=history))

    assert {
        function_id: function.node.id for function_id, function in service.functions.items()
    } == {route.function_id: route.function_id for route in deployed_routes(history)}
