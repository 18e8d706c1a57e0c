"""What the learning events' functions may do, evaluated as IAM evaluates their policies
against concrete request ARNs (tokens resolved for one account and region): the publisher
puts events on its bus and nowhere else, and reads the stream; the forwarder reads its
secret and no other, and consumes its queue; neither touches a table's items."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack, assertions

from local_run.iam_evaluation import is_allowed
from stats_service import LrsProps, StatsService, StatsServiceProps
from tests.support.cloudformation import Deployed

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-credentials-AbCdEf"


@pytest.fixture(scope="module")
def deployed() -> Deployed:
    stack = Stack(App(), "Platform")
    lrs = LrsProps(
        "https://lrs.example.com/xAPI/statements",
        SECRET,
        "https://learn.example.com",
        "https://learn.example.com/courses/{courseId}",
    )
    StatsService(stack, "Stats", StatsServiceProps(events=True, lrs=lrs))
    return Deployed(assertions.Template.from_stack(stack).to_json())


def role_of(deployed: Deployed, handler: str) -> str:
    (role,) = [
        resource["Properties"]["Role"]["Fn::GetAtt"][0]
        for resource in deployed.template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"]["Handler"] == handler
    ]
    return str(role)


def the(deployed: Deployed, kind: str, part: str = "") -> str:
    (name,) = [
        n for n, r in deployed.template["Resources"].items() if r["Type"] == kind and part in n
    ]
    return str(name)


def test_the_publisher_should_put_events_on_its_bus_alone(deployed: Deployed) -> None:
    policies = deployed.policies_of_role(
        role_of(deployed, "stats_api.handlers.publish_learning_events.handler")
    )
    bus = deployed.region_arn("events", f"event-bus/{the(deployed, 'AWS::Events::EventBus')}")
    stream = deployed.get_att(the(deployed, "AWS::DynamoDB::GlobalTable"), "StreamArn")

    assert is_allowed(policies, "events:PutEvents", bus)
    assert not is_allowed(
        policies, "events:PutEvents", deployed.region_arn("events", "event-bus/default")
    )
    assert not is_allowed(policies, "events:PutEvents", bus.replace("eu-west-1", "us-east-1"))
    assert is_allowed(policies, "dynamodb:GetRecords", stream)
    table = deployed.get_att(the(deployed, "AWS::DynamoDB::GlobalTable"), "Arn")
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"):
        assert not is_allowed(policies, action, table), action
    assert not is_allowed(policies, "secretsmanager:GetSecretValue", SECRET)


def test_the_forwarder_should_read_its_secret_alone_and_consume_its_queue(
    deployed: Deployed,
) -> None:
    policies = deployed.policies_of_role(
        role_of(deployed, "stats_api.handlers.forward_to_lrs.handler")
    )
    queue = deployed.get_att(the(deployed, "AWS::SQS::Queue", "LrsDeliveries"), "Arn")

    assert is_allowed(policies, "secretsmanager:GetSecretValue", SECRET)
    other_secret = SECRET.replace("lrs-credentials-AbCdEf", "database-password-XyZ123")
    assert not is_allowed(policies, "secretsmanager:GetSecretValue", other_secret)
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage"):
        assert is_allowed(policies, action, queue), action
    dead_letters = deployed.get_att(the(deployed, "AWS::SQS::Queue", "LrsDeadLetters"), "Arn")
    assert not is_allowed(policies, "sqs:ReceiveMessage", dead_letters)
    bus = deployed.region_arn("events", f"event-bus/{the(deployed, 'AWS::Events::EventBus')}")
    assert not is_allowed(policies, "events:PutEvents", bus)
    table = deployed.get_att(the(deployed, "AWS::DynamoDB::GlobalTable"), "Arn")
    assert not is_allowed(policies, "dynamodb:GetItem", table)
