"""Learning events on AWS (the ``events`` prop): the bus (the construct's, or the app's), an
archive for replay, a schema registry holding each event's JSON Schema, and the publisher the
sessions table's stream invokes (its mapping and on-failure queue: ``analytics.py``'s
``stream_mapping`` and ``failure_queue``, shared by every consumer of the stream).

With ``lrs``, the forwarder and what feeds it (``lrs_delivery.py``). Why a function and not
EventBridge Pipes: docs/design.md, "Learning events".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stats_api import shared_names
from stats_api.learning_events import EVENT_KINDS, SOURCE

from .analytics import failure_queue, stream_mapping
from .functions import FunctionSpec, service_function
from .lrs_delivery import FORWARDER_ID, LrsDelivery, forwarder_mapping, forwarder_spec, lrs_delivery
from .props import StatsServiceProps
from .releases import Release, live_alias

PUBLISHER_ID = "PublishLearningEvents"
# As long as point-in-time recovery keeps the table's copies: after that, an erased
# learner's events are gone everywhere the service keeps them.
ARCHIVE_RETENTION = Duration.days(35)
# A stream batch is at most 10 PutEvents calls (10 entries each).
PUBLISHER_BATCH_SIZE = 100
PUBLISHER_TIMEOUT = Duration.seconds(30)


def event_bus(scope: Construct, props: StatsServiceProps) -> eventbridge.IEventBus:
    """The app's bus, or one of the construct's (named by CloudFormation)."""
    return props.event_bus or eventbridge.EventBus(
        scope, "EventBus", description="Learning events of the stats service"
    )


def event_archive(scope: Construct, bus: eventbridge.IEventBus) -> eventbridge.Archive:
    """This service's events, kept ``ARCHIVE_RETENTION`` for replay (a replay may name the
    rules it goes to)."""
    return eventbridge.Archive(
        scope,
        "EventArchive",
        source_event_bus=bus,
        event_pattern=eventbridge.EventPattern(source=[SOURCE]),
        retention=ARCHIVE_RETENTION,
        description="Learning events of the stats service, for replay",
    )


def schema_registry(scope: Construct) -> eventschemas.CfnRegistry:
    """A registry holding each event's JSON Schema (draft 4), as docs/events/ publishes it:
    consumers find them there and can generate code bindings."""
    registry = eventschemas.CfnRegistry(
        scope, "EventSchemas", description="Learning events of the stats service"
    )
    for name, kind in EVENT_KINDS.items():
        eventschemas.CfnSchema(
            scope,
            f"{name}Schema",
            registry_name=registry.attr_registry_name,
            type="JSONSchemaDraft4",
            content=json.dumps(kind.event_schema()),
            description=kind.description,
        )
    return registry


def publisher_spec(bus: eventbridge.IEventBus) -> FunctionSpec:
    """The publisher: it puts events on the bus and nothing else (the stream is read by its
    mapping, ``stream_mapping``)."""

    def grant(role: iam.Role) -> None:
        bus.grant_put_events_to(role)

    return FunctionSpec(
        function_id=PUBLISHER_ID,
        handler=shared_names.PUBLISHER_HANDLER,
        description="Learning events from the sessions table's stream",
        role_description="Publishes learning events from the sessions table's stream",
        environment={shared_names.EVENT_BUS_NAME_ENV: bus.event_bus_name},
        grant=grant,
        # DynamoDB Streams' ListStreams, which the mapping's grant adds, takes no resource.
        permissions_scope="so does dynamodb:ListStreams (the event source mapping's); every "
        "other statement names its bus, stream or queue",
        invoked_by="Invoked by an event source mapping, whose on-failure destination (the "
        "EventFailures queue) keeps failed batches; a function DLQ only serves "
        "asynchronous invocations.",
        timeout=PUBLISHER_TIMEOUT,
    )


@dataclass(frozen=True)
class LearningEvents:
    """What ``events`` (and ``lrs``) deployed, for consumers to extend: the bus, its archive
    and schema registry, the publisher with its ``live`` alias (what the stream invokes) and
    on-failure queue; with an LRS, its delivery and the forwarder with its alias."""

    bus: eventbridge.IEventBus
    archive: eventbridge.Archive
    schema_registry: eventschemas.CfnRegistry
    publisher: lambda_.Function
    publisher_alias: lambda_.Alias
    publisher_failures: sqs.Queue
    lrs_delivery: LrsDelivery | None = None
    forwarder: lambda_.Function | None = None
    forwarder_alias: lambda_.Alias | None = None

    def releases(self, alarms: Callable[[str], Sequence[cloudwatch.IAlarm]]) -> dict[str, Release]:
        """How each function's new versions reach its traffic, rolled back on ``alarms``
        (by function id)."""
        released = {
            PUBLISHER_ID: Release(
                self.publisher_alias, shared_names.PUBLISHER_RELEASE_CHECK, alarms(PUBLISHER_ID)
            )
        }
        if self.forwarder_alias is not None:
            released[FORWARDER_ID] = Release(
                self.forwarder_alias, shared_names.FORWARDER_RELEASE_CHECK, alarms(FORWARDER_ID)
            )
        return released


def learning_events(
    scope: Construct,
    *,
    table: dynamodb.ITable,
    props: StatsServiceProps,
    code: lambda_.Code,
    layer: lambda_.ILayerVersion,
) -> LearningEvents:
    """Everything ``props.events`` and ``props.lrs`` deploy, in ``scope``."""
    bus = event_bus(scope, props)
    failures = failure_queue(scope, "EventFailures", props)
    publisher = service_function(scope, publisher_spec(bus), code=code, layer=layer, props=props)
    publisher_alias = live_alias(
        publisher, "What the sessions table's stream invokes; CodeDeploy shifts it to each release"
    )
    stream_mapping(
        publisher,
        publisher_alias,
        table=table,
        failures=failures,
        batch_size=PUBLISHER_BATCH_SIZE,
        report_batch_item_failures=True,
    )
    events = LearningEvents(
        bus, event_archive(scope, bus), schema_registry(scope), publisher, publisher_alias, failures
    )
    if props.lrs is None:
        return events
    delivery = lrs_delivery(scope, bus, props.lrs, props)
    forwarder = service_function(
        scope, forwarder_spec(props.lrs, delivery.credentials), code=code, layer=layer, props=props
    )
    forwarder_alias = live_alias(
        forwarder, "What the LRS deliveries queue invokes; CodeDeploy shifts it to each release"
    )
    forwarder_mapping(forwarder, forwarder_alias, delivery.queue, props.lrs)
    return replace(
        events, lrs_delivery=delivery, forwarder=forwarder, forwarder_alias=forwarder_alias
    )
