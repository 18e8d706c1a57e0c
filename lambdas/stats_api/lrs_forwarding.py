"""Learning events to a Learning Record Store: each event's statements (``xapi_statements``)
sent to the LRS, a batch of events at a time.

Every statement has an id derived from its recording, so sending one again is harmless (the
LRS keeps one); whatever is not known to have been stored is sent again later. A batch goes
in one request; when the LRS refuses it or answers ``409``, each event's statements go one
by one, so one bad statement holds up only its own event. A ``409`` for one statement means
the LRS holds another statement under its id (one sent before the deployment's xAPI profile
changed): it is never overwritten, and counts as delivered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stats_api.learning_events import LearningEvent
from stats_api.lrs_client import LrsEndpoint, LrsRefused, LrsUnavailable, Outcome, post_statements
from stats_api.xapi_statements import LrsProfile, statements_for

Post = Callable[[LrsEndpoint, Sequence[dict[str, Any]]], Outcome]


@dataclass(frozen=True)
class Delivery:
    """What became of a batch: the events to send again, and why (for the log)."""

    failed: tuple[int, ...]  # indices into the batch
    reasons: tuple[str, ...]
    conflicts: int  # statements the LRS holds under another content


def forward(
    events: Sequence[LearningEvent],
    profile: LrsProfile,
    endpoint: LrsEndpoint,
    post: Post = post_statements,
) -> Delivery:
    """Send ``events``' statements to the LRS. Raises ``LrsUnavailable`` when the LRS does
    not take the batch now (the whole batch is to be sent again)."""
    statements = [statements_for(event, profile) for event in events]
    # Once each: a recording and its withdrawal in one batch both carry its statement, and
    # an LRS refuses a batch naming an id twice.
    once: dict[str, dict[str, Any]] = {}
    for group in statements:
        for statement in group:
            once.setdefault(statement["id"], statement)
    batch = list(once.values())
    try:
        if not events or post(endpoint, batch) is Outcome.STORED:
            return Delivery((), (), 0)
    except LrsRefused:
        pass
    failed: list[int] = []
    reasons: list[str] = []
    conflicts = 0
    for index, group in enumerate(statements):
        try:
            conflicts += sum(post(endpoint, [one]) is Outcome.CONFLICT for one in group)
        except (LrsRefused, LrsUnavailable) as error:
            failed.append(index)
            reasons.append(str(error))
    return Delivery(tuple(failed), tuple(reasons), conflicts)


def forward_messages(
    messages: Sequence[Mapping[str, Any]],
    profile: LrsProfile,
    endpoint: LrsEndpoint,
    post: Post = post_statements,
) -> Delivery:
    """The SQS messages of a rule's target (each body an EventBridge event), forwarded;
    ``failed`` names the messages to receive again. A body that is no event of this service
    fails alone (and ends in the dead-letter queue); an LRS that cannot take the batch now
    fails them all."""
    events: list[LearningEvent] = []
    readable: list[int] = []
    failed: list[int] = []
    reasons: list[str] = []
    for index, message in enumerate(messages):
        try:
            events.append(LearningEvent.from_bus(json.loads(message["body"], parse_float=Decimal)))
            readable.append(index)
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            failed.append(index)
            reasons.append(f"not a learning event: {error!r}")
    try:
        delivery = forward(events, profile, endpoint, post)
    except LrsUnavailable as error:
        return Delivery(tuple(range(len(messages))), (str(error),), 0)
    failed += [readable[index] for index in delivery.failed]
    return Delivery(tuple(sorted(failed)), (*reasons, *delivery.reasons), delivery.conflicts)
