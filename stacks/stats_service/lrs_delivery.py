"""The LRS side of learning events (the ``lrs`` prop): a rule sends the events to a queue
(encrypted, TLS only), the forwarder takes them from there to the LRS, at most
``max_concurrency`` batches at a time, and what neither the rule nor the forwarder could
deliver goes to a dead-letter queue. Why a queue and a function rather than EventBridge API
destinations: docs/design.md, "Learning events"."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api import shared_names
from stats_api.learning_events import EVENT_KINDS, SOURCE

from .functions import FunctionSpec
from .lrs_props import LrsProps
from .props import StatsServiceProps

FORWARDER_ID = "ForwardToLrs"
# A queue batch: the LRS takes it in one request (statement by statement when it refuses
# one, each request up to its 5 s timeout: lrs_client.TIMEOUT_SECONDS).
FORWARDER_BATCH_SIZE = 10
FORWARDER_BATCHING_WINDOW = Duration.seconds(1)
FORWARDER_TIMEOUT = Duration.seconds(60)
# AWS: a queue's visibility timeout should be at least six times its consumer's timeout, so
# a batch being retried is not handed out again meanwhile. A message not delivered comes
# back after it; past MAX_RECEIVES (about an hour of tries) it goes to the dead letters.
DELIVERY_VISIBILITY = Duration.minutes(6)
MAX_RECEIVES = 10
QUEUE_RETENTION = Duration.days(14)  # SQS's longest: time to redrive after an LRS outage
# How long EventBridge keeps trying to put an event on the queue before the dead letters.
RULE_TARGET_MAX_AGE = Duration.hours(24)
RULE_TARGET_ATTEMPTS = 185


@dataclass(frozen=True)
class LrsDelivery:
    """What takes the events to the LRS: the rule, its queue and the dead letters."""

    rule: eventbridge.Rule
    queue: sqs.Queue
    dead_letters: sqs.Queue
    credentials: secretsmanager.ISecret


def lrs_delivery(
    scope: Construct, bus: eventbridge.IEventBus, lrs: LrsProps, props: StatsServiceProps
) -> LrsDelivery:
    """The rule taking this service's events to the forwarder's queue; what the queue could
    not deliver in ``MAX_RECEIVES`` tries, and what EventBridge could not put on it, goes to
    the dead letters (redrive them to the queue once the LRS is back: the statements' ids
    make that harmless)."""
    dead_letters = _queue(scope, "LrsDeadLetters", props)
    for nag_rule in ("AwsSolutions::AwsSolutions-SQS3", "Serverless::Serverless-SQSRedrivePolicy"):
        Validations.of(dead_letters).acknowledge(
            Acknowledgment(
                id=nag_rule,
                reason="This queue is itself the dead-letter queue of the LRS deliveries "
                "(and of the rule's target); an operator redrives it, so it needs none.",
            )
        )
    queue = _queue(
        scope,
        "LrsDeliveries",
        props,
        visibility_timeout=DELIVERY_VISIBILITY,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=MAX_RECEIVES),
    )
    rule = eventbridge.Rule(
        scope,
        "LrsRule",
        event_bus=bus,
        description="Learning events to the LRS forwarder's queue",
        event_pattern=eventbridge.EventPattern(source=[SOURCE], detail_type=list(EVENT_KINDS)),
        targets=[
            targets.SqsQueue(
                queue,
                dead_letter_queue=dead_letters,
                max_event_age=RULE_TARGET_MAX_AGE,
                retry_attempts=RULE_TARGET_ATTEMPTS,
            )
        ],
    )
    credentials = (
        secretsmanager.Secret.from_secret_complete_arn(scope, "LrsCredentials", lrs.credentials)
        if isinstance(lrs.credentials, str)
        else lrs.credentials
    )
    return LrsDelivery(rule, queue, dead_letters, credentials)


def forwarder_spec(lrs: LrsProps, credentials: secretsmanager.ISecret) -> FunctionSpec:
    """The forwarder: it reads the LRS's credentials (its queue is granted by its mapping,
    ``forwarder_mapping``) and calls the LRS over HTTPS."""

    def grant(role: iam.Role) -> None:
        credentials.grant_read(role)

    return FunctionSpec(
        function_id=FORWARDER_ID,
        handler=shared_names.FORWARDER_HANDLER,
        description="Learning events to the LRS as xAPI statements",
        role_description="Sends learning events to the LRS as xAPI statements",
        environment={
            shared_names.LRS_STATEMENTS_URL_ENV: lrs.statements_endpoint,
            shared_names.LRS_CREDENTIALS_SECRET_ENV: credentials.secret_arn,
            shared_names.LRS_ACTOR_HOME_PAGE_ENV: lrs.actor_home_page,
            shared_names.LRS_COURSE_IRI_TEMPLATE_ENV: lrs.course_iri_template,
        },
        grant=grant,
        permissions_scope="every other statement names its secret or queue",
        invoked_by="Invoked by an event source mapping on its queue, whose redrive policy "
        "sends what it cannot deliver to the LrsDeadLetters queue; a function DLQ only "
        "serves asynchronous invocations.",
        timeout=FORWARDER_TIMEOUT,
    )


def forwarder_mapping(
    function: lambda_.Function, alias: lambda_.Alias, queue: sqs.IQueue, lrs: LrsProps
) -> lambda_.EventSourceMapping:
    """The queue to the forwarder's ``live`` alias (released as the other functions are),
    ``FORWARDER_BATCH_SIZE`` events a batch, at most ``lrs.max_concurrency`` batches at a
    time (the LRS's rate limit), each naming the messages it did not deliver."""
    queue.grant_consume_messages(alias)
    mapping = lambda_.EventSourceMapping(
        function,
        "LrsDeliveriesSource",
        target=alias,
        event_source_arn=queue.queue_arn,
        batch_size=FORWARDER_BATCH_SIZE,
        max_batching_window=FORWARDER_BATCHING_WINDOW,
        max_concurrency=lrs.max_concurrency,
        report_batch_item_failures=True,
    )
    Validations.of(mapping).acknowledge(
        Acknowledgment(
            id="Serverless::Serverless-LambdaEventSourceMappingDestination",
            reason="An SQS event source mapping takes no on-failure destination: what the "
            "forwarder cannot deliver returns to its queue, whose redrive policy moves it to "
            "the LrsDeadLetters queue after its receives.",
        )
    )
    return mapping


def _queue(
    scope: Construct,
    queue_id: str,
    props: StatsServiceProps,
    *,
    visibility_timeout: Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
) -> sqs.Queue:
    return sqs.Queue(
        scope,
        queue_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=QUEUE_RETENTION,
        visibility_timeout=visibility_timeout,
        dead_letter_queue=dead_letter_queue,
        removal_policy=props.removal_policy,
    )
