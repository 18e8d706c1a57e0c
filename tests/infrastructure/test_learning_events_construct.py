"""Learning events in the construct: off by default; with ``events``, the sessions table's
stream, a bus (or the app's), its archive, a schema registry holding the published schemas,
the publisher behind its live alias with its mapping, on-failure queue and alarms; with
``lrs``, the rule, its queue and dead letters, and the forwarder with its mapping, secret
and alarms. Values compared are literals: the construct's constants are not read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_events as eventbridge

from stats_service import LrsProps, StatsService, StatsServiceProps
from tests.support import REPO_ROOT
from tests.support.cloudformation import referenced
from tests.support.templates import SESSION_CHANGE_PATTERNS, synth

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-credentials-AbCdEf"
LRS = LrsProps(
    "https://lrs.example.com/xAPI/statements",
    SECRET,
    "https://learn.example.com",
    "https://learn.example.com/courses/{courseId}",
)
PUBLISHER = "stats_api.handlers.publish_learning_events.handler"
FORWARDER = "stats_api.handlers.forward_to_lrs.handler"


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    return synth(StatsServiceProps(events=True, lrs=LRS))


def resources(template: assertions.Template, kind: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template.find_resources(kind).items()}


def function_with(template: assertions.Template, handler: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (name, props)
        for name, props in resources(template, "AWS::Lambda::Function").items()
        if props["Handler"] == handler
    ]
    return found


def mapping_of(template: assertions.Template, function: str) -> dict[str, Any]:
    """The event source mapping invoking ``function``'s live alias."""
    aliases = resources(template, "AWS::Lambda::Alias")
    (alias,) = [n for n, a in aliases.items() if a["FunctionName"] == {"Ref": function}]
    (mapping,) = [
        m
        for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if alias in referenced(m["FunctionName"])
    ]
    assert aliases[alias]["Name"] == "live"
    return mapping


def test_should_deploy_nothing_of_learning_events_by_default() -> None:
    core = synth()
    for kind in ("AWS::Events::EventBus", "AWS::Events::Archive", "AWS::Events::Rule"):
        assert not core.find_resources(kind), kind
    assert not core.find_resources("AWS::EventSchemas::Registry")
    (table,) = resources(core, "AWS::DynamoDB::GlobalTable").values()
    assert "StreamSpecification" not in table


def test_should_stream_the_sessions_table_for_events_alone(template: assertions.Template) -> None:
    (table,) = resources(template, "AWS::DynamoDB::GlobalTable").values()
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_should_archive_this_services_events_for_35_days(template: assertions.Template) -> None:
    (bus_id,) = resources(template, "AWS::Events::EventBus")
    (archive,) = resources(template, "AWS::Events::Archive").values()
    assert archive["EventPattern"] == {"source": ["stats-service"]}
    assert archive["RetentionDays"] == 35
    assert archive["SourceArn"] == {"Fn::GetAtt": [bus_id, "Arn"]}


def test_should_register_each_events_schema_as_docs_events_publishes_it(
    template: assertions.Template,
) -> None:
    (registry,) = resources(template, "AWS::EventSchemas::Registry")
    schemas = resources(template, "AWS::EventSchemas::Schema").values()
    registered = {
        json.loads(s["Content"])["title"]: json.loads(s["Content"])
        for s in schemas
        if s["RegistryName"] == {"Fn::GetAtt": [registry, "RegistryName"]}
        and s["Type"] == "JSONSchemaDraft4"
    }
    docs = Path(REPO_ROOT, "docs", "events")
    assert registered == {
        name: json.loads((docs / f"{name}.json").read_text())
        for name in ("SessionRecorded", "SessionWithdrawn", "SessionErased")
    }


def test_should_publish_from_the_stream_through_the_publishers_live_alias(
    template: assertions.Template,
) -> None:
    publisher, function = function_with(template, PUBLISHER)
    (bus_id,) = resources(template, "AWS::Events::EventBus")
    assert function["Environment"]["Variables"] == {"EVENT_BUS_NAME": {"Ref": bus_id}}
    assert function["Timeout"] == 30
    mapping = mapping_of(template, publisher)
    filters = mapping["FilterCriteria"]["Filters"]
    assert [json.loads(f["Pattern"]) for f in filters] == SESSION_CHANGE_PATTERNS
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (100, 1)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert (mapping["MaximumRetryAttempts"], mapping["MaximumRecordAgeInSeconds"]) == (10, 86400)
    failures = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert resources(template, "AWS::SQS::Queue")[failures]["SqsManagedSseEnabled"] is True


def test_should_take_every_event_to_the_forwarders_queue(template: assertions.Template) -> None:
    (rule,) = resources(template, "AWS::Events::Rule").values()
    assert rule["EventPattern"] == {
        "source": ["stats-service"],
        "detail-type": ["SessionRecorded", "SessionWithdrawn", "SessionErased"],
    }
    (target,) = rule["Targets"]
    queues = resources(template, "AWS::SQS::Queue")
    (queue,) = referenced(target["Arn"])
    (dead_letters,) = referenced(target["DeadLetterConfig"]["Arn"])
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    assert queues[queue]["VisibilityTimeout"] == 360
    assert queues[queue]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
        "maxReceiveCount": 10,
    }
    for name in (queue, dead_letters):
        assert queues[name]["MessageRetentionPeriod"] == 14 * 24 * 3600
        assert queues[name]["SqsManagedSseEnabled"] is True


def test_should_forward_ten_events_a_batch_at_most_two_batches_at_a_time(
    template: assertions.Template,
) -> None:
    forwarder, function = function_with(template, FORWARDER)
    assert function["Environment"]["Variables"] == {
        "LRS_STATEMENTS_URL": "https://lrs.example.com/xAPI/statements",
        "LRS_CREDENTIALS_SECRET": SECRET,
        "LRS_ACTOR_HOME_PAGE": "https://learn.example.com",
        "LRS_COURSE_IRI_TEMPLATE": "https://learn.example.com/courses/{courseId}",
    }
    assert function["Timeout"] == 60  # the queue's visibility is six times this
    mapping = mapping_of(template, forwarder)
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (10, 1)
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_should_release_both_functions_through_codedeploy(template: assertions.Template) -> None:
    groups = resources(template, "AWS::CodeDeploy::DeploymentGroup")
    released = {
        name for name in groups if "PublishLearningEvents" in name or "ForwardToLrs" in name
    }
    assert len(released) == 2
    checks = {
        props["Environment"]["Variables"]["RELEASE_CHECK_ROUTE"]
        for props in resources(template, "AWS::Lambda::Function").values()
        if props["Handler"] == "stats_api.release_check.handler"
    }
    assert {"stream: learning events", "queue: learning events to the LRS"} <= checks


def test_should_alarm_on_what_moves_the_events(template: assertions.Template) -> None:
    alarms = resources(template, "AWS::CloudWatch::Alarm")

    def metric_names(alarm: dict[str, Any]) -> set[tuple[str, str]]:
        found = {(alarm.get("Namespace", ""), alarm.get("MetricName", ""))}
        for metric in alarm.get("Metrics", []):
            stat = metric.get("MetricStat", {}).get("Metric", {})
            found.add((stat.get("Namespace", ""), stat.get("MetricName", "")))
        return found

    by_name = {name: metric_names(alarm) for name, alarm in alarms.items()}
    expected = {
        "PublisherIteratorAge": ("AWS/Lambda", "IteratorAge"),
        "PublisherFaultCount": ("AWS/Lambda", "Errors"),
        "EventFailuresQueueMessageCount": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        "LrsForwarderFaultCount": ("AWS/Lambda", "Errors"),
        "LrsForwarderQueueQueueMessageAge": ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        "LrsForwarderQueueDLQQueueMessageCount": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        "EventRuleFailedInvocations": ("AWS/Events", "FailedInvocations"),
    }
    for part, metric in expected.items():
        matching = [name for name in by_name if part in name]
        assert matching, part
        assert any(metric in by_name[name] for name in matching), (part, metric)
    thresholds = {
        part: [(a["Threshold"], a["EvaluationPeriods"]) for n, a in alarms.items() if part in n]
        for part in (
            "PublisherIteratorAge",
            "LrsForwarderQueueQueueMessageAge",
            "FailedInvocations",
        )
    }
    # A minute behind for three minutes; an event waiting 15 minutes; any event undelivered.
    assert thresholds == {
        "PublisherIteratorAge": [(60_000, 3)],
        "LrsForwarderQueueQueueMessageAge": [(900, 1)],
        "FailedInvocations": [(0, 1)],
    }


def test_should_publish_on_the_apps_bus_when_given_one() -> None:
    stack = Stack(App(), "Platform")
    bus = eventbridge.EventBus.from_event_bus_arn(
        stack, "Shared", "arn:aws:events:eu-west-1:123456789012:event-bus/platform"
    )
    StatsService(stack, "Stats", StatsServiceProps(events=True, event_bus=bus))
    template = assertions.Template.from_stack(stack)

    assert not template.find_resources("AWS::Events::EventBus")
    (archive,) = resources(template, "AWS::Events::Archive").values()
    assert archive["SourceArn"] == "arn:aws:events:eu-west-1:123456789012:event-bus/platform"
    _, publisher = function_with(template, PUBLISHER)
    assert publisher["Environment"]["Variables"] == {"EVENT_BUS_NAME": "platform"}


@pytest.mark.parametrize(
    ("props", "complaint"),
    [
        ({"lrs": LRS}, "lrs needs events=True"),
        ({"event_bus": "a bus"}, "event_bus needs events=True"),
    ],
)
def test_should_refuse_an_lrs_or_a_bus_without_events(
    props: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        StatsServiceProps(**props)
