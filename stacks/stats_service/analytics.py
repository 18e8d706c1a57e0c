"""Course analytics on AWS: the aggregator function the sessions table's stream invokes,
its event source mapping (filtered, batched, bisected on error) and the encrypted queue
that keeps the description of any batch it could not apply.

``stream_mapping`` and ``failure_queue`` serve any consumer of the sessions table's
stream; the aggregator is the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_cdk import Acknowledgment, Duration, Names, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api import shared_names
from stats_api.table_keys import SESSION_CHANGE_FILTERS

from .functions import FunctionSpec
from .props import StatsServiceProps

AGGREGATOR_ID = "AggregateCourseAnalytics"
# Freshness: a stream record reaches the mapping within about a second; the mapping waits
# at most this long to fill a batch, and one batch applies in well under a second, so the
# analytics lag a write by a few seconds. A longer wait would batch a hot course a little
# better, but a full batch (BATCH_SIZE) is sent without waiting anyway.
MAX_BATCHING_WINDOW = Duration.seconds(1)
BATCH_SIZE = 500
# A batch that keeps failing is bisected down to the failing record; past these tries (or
# a day, the stream's retention) its description goes to the failure queue.
RETRY_ATTEMPTS = 10
MAX_RECORD_AGE = Duration.hours(24)
# The aggregator's actions on the analytics table: read markers and counts, then one
# transaction of puts, updates and deletes.
AGGREGATOR_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)


def failure_queue(scope: Construct, queue_id: str, props: StatsServiceProps) -> sqs.Queue:
    """Where Lambda describes a batch it gave up on (shard, sequence range): encrypted,
    TLS only, kept the queue's maximum, 14 days, for an operator to replay or backfill."""
    queue = sqs.Queue(
        scope,
        queue_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        removal_policy=props.removal_policy,
    )
    for rule in ("AwsSolutions::AwsSolutions-SQS3", "Serverless::Serverless-SQSRedrivePolicy"):
        Validations.of(queue).acknowledge(
            Acknowledgment(
                id=rule,
                reason="This queue is itself the on-failure destination of a stream "
                "consumer's event source mapping; nothing consumes it automatically, so it "
                "needs no dead-letter queue of its own.",
            )
        )
    return queue


def aggregator_spec(analytics_table: dynamodb.ITable) -> FunctionSpec:
    """The aggregator: it writes the analytics table and nothing of the sessions table (the
    stream hands it the sessions; the mapping's grant lets its ``live`` alias read the
    stream, ``stream_mapping``)."""

    def grant(role: iam.Role) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(AGGREGATOR_ACTIONS), resources=[analytics_table.table_arn]
            )
        )
        if analytics_table.encryption_key is not None:
            analytics_table.encryption_key.grant_encrypt_decrypt(role)

    return FunctionSpec(
        function_id=AGGREGATOR_ID,
        handler=shared_names.AGGREGATOR_HANDLER,
        description="Course analytics from the sessions table's stream",
        role_description="Keeps course analytics from the sessions table's stream",
        environment={shared_names.ANALYTICS_TABLE_ENV: analytics_table.table_name},
        grant=grant,
        # DynamoDB Streams' ListStreams, which the mapping's grant adds, takes no resource.
        permissions_scope="so does dynamodb:ListStreams (the event source mapping's); every "
        "other statement names its table, stream or queue",
        invoked_by="Invoked by an event source mapping, whose on-failure destination (the "
        "AnalyticsFailures queue) keeps failed batches; a function DLQ only serves "
        "asynchronous invocations.",
        # A batch of 500 records is at most 11 transactions per course plus their reads.
        timeout=Duration.seconds(60),
    )


def stream_mapping(
    function: lambda_.Function,
    alias: lambda_.Alias,
    *,
    table: dynamodb.ITable,
    failures: sqs.IQueue,
    filters: Iterable[Mapping[str, Any]] = SESSION_CHANGE_FILTERS,
    batch_size: int = BATCH_SIZE,
    report_batch_item_failures: bool = False,
) -> lambda_.EventSourceMapping:
    """The event source mapping that hands the sessions table's stream records ``filters``
    (Lambda event filtering) lets through to ``function``'s ``live`` alias, so that
    CodeDeploy releases a new version to a share of the batches first and rolls back
    (Lambda routes an alias's invocations by its weights, and its docs make no exception
    for event source mappings; not observable offline); a batch it keeps failing is
    described in ``failures``; with ``report_batch_item_failures``, the function names the
    first record it failed and Lambda retries from there. The aggregator's and the learning
    events publisher's.

    It keeps the construct path (so the logical id) it had when it invoked the function
    itself: CloudFormation then updates its ``FunctionName`` in place ("Update requires: No
    interruption"), the mapping keeping its place in the stream. A new logical id would
    create a second mapping, reading the stream again from TRIM_HORIZON.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html#cfn-lambda-eventsourcemapping-functionname
    https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html
    """
    if table.table_stream_arn is None:
        raise ValueError(f"{function.node.id} needs the sessions table's stream")
    mapping = lambda_.EventSourceMapping(
        function,
        f"DynamoDBEventSource:{Names.node_unique_id(table.node)}",
        target=alias,
        event_source_arn=table.table_stream_arn,
        # Everything the stream still holds: turned on, the mapping starts with what the
        # backfill may also apply; the contribution markers make that harmless.
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=batch_size,
        max_batching_window=MAX_BATCHING_WINDOW,
        report_batch_item_failures=report_batch_item_failures or None,
        bisect_batch_on_error=True,
        retry_attempts=RETRY_ATTEMPTS,
        max_record_age=MAX_RECORD_AGE,
        on_failure=sources.SqsDlq(failures),
        # Only a session's INSERT and REMOVE reach the aggregator (the course stats items
        # change with every POST and carry nothing the analytics need).
        filters=[lambda_.FilterCriteria.filter(dict(pattern)) for pattern in filters],
    )
    table.grant_stream_read(alias)
    return mapping
