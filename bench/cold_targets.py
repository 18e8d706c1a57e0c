"""What the cold starts time, and the first invocation each one serves.

The functions are derived from their declarations, so a new one is timed without being
named here: every route's function (``stats_api.routes.ROUTES``), every function the
sessions table's stream invokes (``stats_api.shared_names.STREAM_HANDLERS``) and every
function a queue invokes (``QUEUE_HANDLERS``: the LRS forwarder). Beside them,
the references: the floor (import boto3, create a DynamoDB client), the freezing floor (the
same with ``gc.freeze()`` first, as the functions do) and the cookbook-style peer
(``bench/peer_handler.py``).

Each route's first invocation is a request its function answers with its route's first
success status (201 for the POST, 204 for the DELETE, 200 for the rest) from data seeded
on the moto server: a learner's course with sessions, and that course's analytics. A
stream function's is a batch of one record, the INSERT of a session not seen before, as the
event source mapping sends it; it succeeds when it returns. A queue function's is a batch of
one message, a learning event as the rule's target receives it (the forwarder reads its
secret and posts the statement to a scripted LRS on this machine).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from bench.cold_child import FLOORS
from local_run.events import api_event
from stats_api import table_keys
from stats_api.analytics_writes import AnalyticsWrites
from stats_api.contributions import Contribution
from stats_api.learner_stats import Session
from stats_api.learner_store import LearnerStore
from stats_api.learning_events import SESSION_RECORDED, LearningEvent
from stats_api.routes import FETCH_COURSE_STATS, RECORD_SESSION, ROUTES, WITHDRAW_SESSION, Route
from stats_api.shared_names import QUEUE_HANDLERS, STREAM_HANDLERS
from stats_api.stored_items import session_item
from stats_api.table_access import TableAccess
from stats_devkit import dataset
from stats_devkit.fake_lrs import bus_message
from stats_devkit.tables import create_analytics_table, create_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PEER = "peer_handler.handler"
FREEZING_FLOOR = "floor+freeze"
USER = "bench-user"
COURSE = "algebra-1"
# The aggregator's runs each add a transaction on a shard chosen at random: on a course of
# their own, the course the analytics routes read stays as seeded (on one shard) in every
# round, so the rounds that the ratios pair measure the same reads.
STREAMED_COURSE = "algebra-2"
SEEDED_SESSIONS = 3
FIRST_SEQUENCE = 10**20  # stream sequence numbers: digits only, increasing

Document = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Function:
    handler: str  # dotted path, as Lambda's handler setting names it
    label: str
    route: Route | None  # None: the stream or a queue invokes it

    @property
    def module(self) -> str:
        return self.handler.split(".")[-2]


def functions() -> list[Function]:
    """The service's functions, routes first (in the route table's order), then the stream's,
    then the queues'."""
    routes = [Function(r.handler, f"`{r.route_key}`", r) for r in ROUTES]
    stream = [Function(handler, "the sessions table's stream", None) for handler in STREAM_HANDLERS]
    queues = [Function(handler, "the LRS deliveries queue", None) for handler in QUEUE_HANDLERS]
    return routes + stream + queues


def reference_labels() -> dict[str, str]:
    return {
        FLOORS[0]: "floor: import boto3 + create a DynamoDB client",
        FREEZING_FLOOR: "freezing floor: the same with `gc.freeze()` before the client",
        PEER: "peer: `GET /courses/{courseId}` cookbook-style (resolver, pydantic, Tracer)",
    }


def labels() -> dict[str, str]:
    """Each target's label in the report."""
    mine = {f.handler: f"{f.label} ({f.module})" for f in functions()}
    return {**reference_labels(), **mine}


def expected_status(target: str) -> int | None:
    """The status code a route's first invocation must answer; None for the floors (no
    invocation) and the stream's and queue's functions (returning is success)."""
    if target == PEER:
        return 200
    route = next((f.route for f in functions() if f.handler == target), None)
    return None if route is None else route.successes[0].status


def documents(client: DynamoDBClient, table: str, analytics_table: str) -> dict[str, Document]:
    """Create and seed both tables on the server; for each target, what makes its stdin
    document for one run (a new one each time where a run changes the data)."""
    create_table(client, table)
    create_analytics_table(client, analytics_table)
    sessions = dataset.make_sessions(SEEDED_SESSIONS, COURSE, seed=7)
    dataset.seed(client, table, USER, sessions)
    analytics = AnalyticsWrites(TableAccess(client, analytics_table))
    analytics.apply([Contribution(USER, session, +1, 0) for session in sessions])
    store = LearnerStore(TableAccess(client, table))
    withdrawn = iter(dataset.make_sessions(1_000, COURSE, seed=8))
    streamed = iter(dataset.make_sessions(1_000, STREAMED_COURSE, seed=9))
    sequence = itertools.count(FIRST_SEQUENCE)

    def withdrawal() -> dict[str, Any]:
        session = next(withdrawn)  # a session of its own for each run to withdraw
        store.add_session(USER, session)
        return _route_event(WITHDRAW_SESSION, session.session_id)

    def stream_batch() -> dict[str, Any]:
        return {"Records": [_insert_record(USER, next(streamed), next(sequence))]}

    def queue_batch() -> dict[str, Any]:
        session = next(streamed)
        event = LearningEvent.of_change(
            SESSION_RECORDED, USER, session, session.completed_at, session.completed_at
        )
        return {"Records": [bus_message(event, session.session_id)]}

    first = sessions[0].session_id
    targets: dict[str, Document] = {
        FLOORS[0]: dict,
        FREEZING_FLOOR: dict,
        PEER: partial(_route_event, FETCH_COURSE_STATS, ""),
    }
    for function in functions():
        if function.handler in QUEUE_HANDLERS:
            targets[function.handler] = queue_batch
        elif function.route is None:
            targets[function.handler] = stream_batch
        elif function.route is WITHDRAW_SESSION:
            targets[function.handler] = withdrawal
        else:
            targets[function.handler] = partial(_route_event, function.route, first)
    return targets


def _route_event(route: Route, session_id: str) -> dict[str, Any]:
    body = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}
    parameters = {"courseId": COURSE, "sessionId": session_id}
    return api_event(
        route,
        {name: parameters[name] for name in route.path_parameters},
        headers={"userId": USER, "content-type": "application/json"},
        body=json.dumps(body) if route is RECORD_SESSION else None,
    )


def _insert_record(user_id: str, session: Session, sequence: int) -> dict[str, Any]:
    """A session's INSERT as DynamoDB Streams delivers it to Lambda (NEW_AND_OLD_IMAGES):
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.html"""
    image = dataset.to_wire(session_item(user_id, session, session.completed_at))
    keys = {name: image[name] for name in (table_keys.PARTITION_KEY, table_keys.SORT_KEY)}
    return {
        "eventID": f"{sequence:x}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventVersion": "1.1",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": keys,
            "NewImage": image,
            "SequenceNumber": str(sequence),
            "SizeBytes": len(json.dumps(image)),
            "StreamViewType": table_keys.SCHEMA.stream_view_type,
        },
    }
