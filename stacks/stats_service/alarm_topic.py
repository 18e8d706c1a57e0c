"""The SNS topic a ``StatsService``'s alarms notify: encrypted, TLS-only, and open to
this account's CloudWatch alarms."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


def alarm_topic(scope: Construct, removal_policy: RemovalPolicy) -> sns.Topic:
    """An encrypted topic CloudWatch alarms can publish to.

    CloudWatch cannot use the AWS-managed SNS key, so the topic gets its own rotating key
    whose policy lets CloudWatch encrypt.
    """
    key = kms.Key(
        scope,
        "AlarmTopicKey",
        enable_key_rotation=True,
        # A key outlives its stack by default (and bills monthly): follow the stage's policy.
        removal_policy=removal_policy,
        description="Encrypts the stats service's alarm notifications",
    )
    key.grant(
        iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
    )
    topic = sns.Topic(scope, "AlarmTopic", master_key=key, enforce_ssl=True)
    allow_alarm_notifications(topic)
    return topic


def allow_alarm_notifications(topic: sns.Topic) -> None:
    """Lets this account's CloudWatch alarms publish to ``topic``.

    A topic policy replaces SNS's default one, which is what lets CloudWatch publish to a
    topic that has none. ``enforce_ssl`` writes such a policy (its only statement denies
    plain HTTP), so without this statement every alarm notification would be refused.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    """
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsOfThisAccount",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            # Only alarms of this account: no other account's alarm can publish here.
            conditions={"StringEquals": {"aws:SourceAccount": Stack.of(topic).account}},
        )
    )
