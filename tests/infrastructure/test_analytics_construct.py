"""Course analytics in the construct: off by default; when on, the sessions table's stream,
the aggregator's mapping (filtered, batched, bisected, its failures kept in an encrypted
queue), its alarms, the analytics routes behind their own JWT scope, and an IAM grant of
those routes alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_dynamodb as dynamodb

from stats_api.routes import ANALYTICS_ROUTES, ANALYTICS_SCOPE, LEARNER_ROUTES
from stats_api.shared_names import AGGREGATOR_HANDLER, ANALYTICS_TABLE_ENV
from stats_service import JwtAuth, StatsService, StatsServiceProps
from tests.support.cloudformation import referenced
from tests.support.templates import SESSION_CHANGE_PATTERNS, function_for, role_statements, synth

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    return synth(
        StatsServiceProps(
            analytics=True,
            history=True,
            auth=JwtAuth(issuer=ISSUER, audience=("client-1",), required_scopes=("stats/learn",)),
        )
    )


def only(template: assertions.Template, kind: str) -> dict[str, Any]:
    found = template.find_resources(kind)
    assert len(found) == 1, kind
    return dict(next(iter(found.values()))["Properties"])


def test_should_deploy_nothing_of_analytics_by_default() -> None:
    core = synth()

    assert not core.find_resources("AWS::Lambda::EventSourceMapping")
    assert not core.find_resources("AWS::SQS::Queue")
    assert len(core.find_resources("AWS::DynamoDB::GlobalTable")) == 1
    table = next(iter(core.find_resources("AWS::DynamoDB::GlobalTable").values()))
    assert "StreamSpecification" not in table["Properties"]
    route_keys = {
        r["Properties"]["RouteKey"]
        for r in core.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert not any("/analytics/" in key for key in route_keys)


def test_should_stream_new_and_old_images_to_the_aggregator_only_for_sessions(
    template: assertions.Template,
) -> None:
    tables = template.find_resources("AWS::DynamoDB::GlobalTable")
    streams = [t["Properties"].get("StreamSpecification") for t in tables.values()]
    # The sessions table streams; the analytics table does not (no feedback possible).
    assert sorted(map(str, streams)) == sorted(
        map(str, [{"StreamViewType": "NEW_AND_OLD_IMAGES"}, None])
    )
    mapping = only(template, "AWS::Lambda::EventSourceMapping")
    # A session's INSERT and REMOVE only: sessions alone carry the history key.
    filters = mapping["FilterCriteria"]["Filters"]
    assert [json.loads(f["Pattern"]) for f in filters] == SESSION_CHANGE_PATTERNS
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    # Fresh within seconds: a batch waits at most 1 s, a full one (500) goes at once.
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (500, 1)
    # Retried, bisected, 10 times or for the stream's 24 hours, then described in the queue.
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 10
    assert mapping["MaximumRecordAgeInSeconds"] == 24 * 3600
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue = template.find_resources("AWS::SQS::Queue")[destination]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    # It invokes the aggregator's live alias (released by CodeDeploy), never $LATEST.
    (alias,) = referenced(mapping["FunctionName"])
    live = template.find_resources("AWS::Lambda::Alias")[alias]["Properties"]
    assert (live["FunctionName"], live["Name"]) == ({"Ref": aggregator_id(template)}, "live")
    aggregator = template.find_resources("AWS::Lambda::Function")[aggregator_id(template)]
    assert aggregator["Properties"]["Timeout"] == 60  # a full batch: at most 11 transactions
    # It reads only the analytics table's name: the sessions come from the stream.
    assert set(aggregator["Properties"]["Environment"]["Variables"]) == {ANALYTICS_TABLE_ENV}


def aggregator_id(template: assertions.Template) -> str:
    (found,) = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": AGGREGATOR_HANDLER}}
    )
    return str(found)


def test_should_grant_the_aggregator_the_analytics_table_and_nothing_of_the_sessions(
    template: assertions.Template,
) -> None:
    statements = role_statements(template, aggregator_id(template))
    dynamodb_actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if action.startswith("dynamodb:")
    }
    # Stream reads (the mapping's) and the analytics table's; no write to the sessions.
    assert "dynamodb:GetRecords" in dynamodb_actions
    assert "dynamodb:TransactWriteItems" not in dynamodb_actions
    on_analytics = [s for s in statements if "AnalyticsTable" in json.dumps(s["Resource"])]
    # What it calls: BatchGetItem, then TransactWriteItems of puts, updates and deletes (no
    # condition checks: only the backfill checks the sessions table, with its own rights).
    assert [sorted(s["Action"]) for s in on_analytics] == [
        ["dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    ]


def test_should_alarm_on_aggregator_errors_iterator_age_and_failed_batches(
    template: assertions.Template,
) -> None:
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    metrics = {
        (a["Properties"].get("Namespace"), a["Properties"].get("MetricName"))
        for a in alarms.values()
    }
    metrics |= {
        (m["MetricStat"]["Metric"].get("Namespace"), m["MetricStat"]["Metric"].get("MetricName"))
        for a in alarms.values()
        for m in a["Properties"].get("Metrics", [])
        if "MetricStat" in m
    }
    assert ("AWS/Lambda", "IteratorAge") in metrics
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in metrics
    names = " ".join(alarms)
    assert "AggregatorFaultCount" in names
    (iterator_age,) = [a["Properties"] for n, a in alarms.items() if "IteratorAge" in n]
    # Analytics a minute behind, three minutes running.
    assert (iterator_age["Threshold"], iterator_age["EvaluationPeriods"]) == (60_000, 3)


def test_should_alarm_on_the_analytics_tables_throttling_and_system_errors(
    template: assertions.Template,
) -> None:
    alarms = {
        name: a["Properties"]
        for name, a in template.find_resources("AWS::CloudWatch::Alarm").items()
        if "AnalyticsTable" in name
    }
    by_kind = {
        kind: [a for name, a in alarms.items() if kind in name]
        for kind in ("ReadThrottledEvents", "WriteThrottledEvents", "SystemErrors")
    }
    assert {kind: len(found) for kind, found in by_kind.items()} == {
        "ReadThrottledEvents": 1,
        "WriteThrottledEvents": 1,
        "SystemErrors": 1,
    }
    (system_errors,) = by_kind["SystemErrors"]
    operations = {
        dimension["Value"]
        for m in system_errors["Metrics"]
        if "MetricStat" in m
        for dimension in m["MetricStat"]["Metric"]["Dimensions"]
        if dimension["Name"] == "Operation"
    }
    # The aggregator's reads and transactions, the analytics routes' reads and queries.
    assert operations == {"BatchGetItem", "TransactWriteItems", "Query"}
    assert all("AnalyticsTable" in json.dumps(m) for m in system_errors["Metrics"][1:])


def test_should_demand_the_analytics_scope_on_the_analytics_routes_only(
    template: assertions.Template,
) -> None:
    scopes = {
        r["Properties"]["RouteKey"]: r["Properties"].get("AuthorizationScopes")
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }

    assert {route.route_key: scopes[route.route_key] for route in ANALYTICS_ROUTES} == {
        route.route_key: [ANALYTICS_SCOPE] for route in ANALYTICS_ROUTES
    }
    assert {scopes[route.route_key][0] for route in LEARNER_ROUTES} == {"stats/learn"}


def test_should_give_the_analytics_functions_the_analytics_table_only(
    template: assertions.Template,
) -> None:
    for route in ANALYTICS_ROUTES:
        function_id = function_for(template, route.route_key)
        function = template.find_resources("AWS::Lambda::Function")[function_id]
        assert ANALYTICS_TABLE_ENV in function["Properties"]["Environment"]["Variables"]
        granted = [
            s
            for s in role_statements(template, function_id)
            if "dynamodb" in json.dumps(s["Action"])
        ]
        assert [sorted(s["Action"]) for s in granted] == [sorted(route.analytics_table_actions)]
        assert "AnalyticsTable" in json.dumps(granted[0]["Resource"])


def test_should_refuse_jwt_auth_without_an_analytics_scope() -> None:
    with pytest.raises(ValueError, match="analytics_scopes needs at least one scope"):
        JwtAuth(issuer=ISSUER, audience=("client-1",), analytics_scopes=())


def test_should_refuse_a_brought_table_without_a_stream_when_analytics_are_on() -> None:
    stack = Stack(App(), "Test")
    table = dynamodb.TableV2.from_table_name(stack, "Imported", "learning-sessions")

    with pytest.raises(ValueError, match="stream of new and old images"):
        StatsService(stack, "Stats", StatsServiceProps(analytics=True, table=table))
