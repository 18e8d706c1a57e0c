"""Applying contributions to the analytics table, in DynamoDB's terms: the aggregator's and
the backfill's writes.

Exact under at-least-once delivery: each session's contribution marker is written (or
deleted) in the same transaction as the totals it changes, conditioned on the marker as it
was read, so a change applies once however often it arrives. The contributions of one course
are applied together, a transaction's ``TRANSACTION_ITEMS`` at a time: one write to the
course's totals per chunk, not per session (``contributions`` plans the chunks).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from stats_api import analytics_items, analytics_keys, stored_items, table_keys, timestamps
from stats_api.contributions import (
    Contribution,
    Effect,
    Marker,
    by_course,
    chunks,
    rounds,
    takes_effect,
)
from stats_api.dynamodb_calls import (
    CONDITION_FAILED,
    cancellation_codes,
    set_and_add,
    to_attributes,
)
from stats_api.errors import TemporarilyUnavailable
from stats_api.table_access import TableAccess, analytics_table

# A chunk is read, then written conditioned on what was read; a concurrent aggregator (a
# learner's sessions may sit on several stream shards) or a replay makes it read again.
APPLY_ATTEMPTS = 6
RETRY_PAUSE = 0.05  # seconds, growing with each attempt

Markers = Mapping[tuple[str, str], Marker]


class AnalyticsWrites:
    """Course analytics kept up to date, one transaction per chunk of a course's changes."""

    def __init__(
        self,
        table: TableAccess,
        *,
        choose_shard: Callable[[], int] | None = None,
        clock: Callable[[], Any] | None = None,
    ) -> None:
        self._table = table
        self._choose_shard = choose_shard or (lambda: random.randrange(analytics_keys.SHARDS))  # noqa: S311
        self._clock = clock or timestamps.now

    def apply(
        self, contributions: Sequence[Contribution], *, still_stored_in: str | None = None
    ) -> int:
        """Apply each contribution once; returns how many changed the analytics (the rest
        were replays or already applied). With ``still_stored_in`` (the sessions table: the
        backfill), a session is added only while it is stored there as it was read, checked
        in the same transaction."""
        applied = 0
        for course_changes in by_course(contributions):
            for round_ in rounds(course_changes):
                for chunk in chunks(round_, checked=still_stored_in is not None):
                    applied += self._apply_chunk(chunk, still_stored_in)
        return applied

    def _apply_chunk(self, chunk: list[Contribution], still_stored_in: str | None) -> int:
        pending = list(chunk)
        for attempt in range(APPLY_ATTEMPTS):
            if not pending:  # every session of the chunk was withdrawn since it was read
                return 0
            markers, counts = self.read_state(pending)
            effective = [c for c in pending if takes_effect(c, markers.get(c.marker_id))]
            if not effective:
                return 0
            items, checks = self.transaction(effective, markers, counts, still_stored_in)
            try:
                self._table.transact(*items)
            except TemporarilyUnavailable:
                # A conflict with another aggregator on the same share, throttling or a
                # timeout: read again (a write that did commit shows in its markers) and
                # try another share, rather than fail and retry the whole batch.
                time.sleep(RETRY_PAUSE * (attempt + 1))
                continue
            except ClientError as error:
                reasons = cancellation_codes(error)
                if CONDITION_FAILED not in reasons:
                    raise
                # A session withdrawn before the backfill reached it is not added.
                gone = {
                    checks[i]
                    for i, code in enumerate(reasons)
                    if code == CONDITION_FAILED and i in checks
                }
                pending = [c for c in pending if c.marker_id not in gone]
                continue
            return len(effective)
        raise TemporarilyUnavailable

    def read_state(self, changes: list[Contribution]) -> tuple[Markers, dict[str, int]]:
        """The markers of the changes' sessions and the learners' session counts, as stored
        now (strongly consistent: the writes are conditioned on them)."""
        course = changes[0].course_id
        keys = [analytics_keys.marker_key(course, *c.marker_id) for c in changes]
        users = sorted({c.user_id for c in changes})
        keys += [analytics_keys.learner_key(course, user) for user in users]
        markers: dict[tuple[str, str], Marker] = {}
        counts: dict[str, int] = dict.fromkeys(users, 0)
        for item in self._table.batch_get(keys, consistent=True):
            if analytics_keys.is_learner_count(item):
                user, count = analytics_items.learner_count(item)
                counts[user] = count
            else:
                markers[analytics_items.marker_id(item)] = analytics_items.marker(item)
        return markers, counts

    def transaction(
        self,
        changes: list[Contribution],
        markers: Markers,
        counts: Mapping[str, int],
        still_stored_in: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
        """The transaction of ``changes`` (each taking effect, given ``markers`` and
        ``counts`` as read), and which of its items check which session is still stored."""
        course, table = changes[0].course_id, self._table.name
        effect = Effect.of(changes, markers, counts)
        items: list[dict[str, Any]] = []
        checks: dict[int, tuple[str, str]] = {}
        for change in changes:
            if change.sign > 0:
                items.append({"Put": _put_marker(table, change)})
                if still_stored_in is not None:
                    checks[len(items)] = change.marker_id
                    items.append({"ConditionCheck": _still_stored(still_stored_in, change)})
            else:
                key = analytics_keys.marker_key(course, *change.marker_id)
                items.append({"Delete": _delete_marker(table, key, markers[change.marker_id])})
        items += [
            _learner_change(table, course, user, seen, after)
            for user, (seen, after) in effect.counts.items()
        ]
        # One shard for the share of the totals and the days' shares: the daily reads look
        # for days only on shards holding a share of the totals (AnalyticsReads.daily).
        shard = self._choose_shard()
        settings = analytics_items.share_settings(course, timestamps.kept(self._clock()))
        items.append(
            {
                "Update": _add_to_share(
                    table,
                    analytics_keys.total_key(course, shard),
                    settings,
                    analytics_items.share_change(effect.total, effect.learners),
                )
            }
        )
        for day, day_total in sorted(effect.days.items()):
            key = analytics_keys.daily_key(course, shard, day)
            added = analytics_items.share_change(day_total)
            items.append({"Update": _add_to_share(table, key, settings, added)})
        return items, checks


def _put_marker(table: str, change: Contribution) -> dict[str, Any]:
    return {
        "TableName": table,
        "Item": to_attributes(analytics_items.marker_item(change)),
        # Counted once: a replayed or concurrent addition of the same session cancels.
        "ConditionExpression": "attribute_not_exists(#pk)",
        "ExpressionAttributeNames": {"#pk": analytics_keys.PARTITION_KEY},
    }


def _delete_marker(table: str, key: dict[str, str], marker: Marker) -> dict[str, Any]:
    return {
        "TableName": table,
        "Key": to_attributes(key),
        # Only the marker that was read: a replayed withdrawal finds none, or a newer one.
        "ConditionExpression": "#seq = :seq",
        "ExpressionAttributeNames": {"#seq": analytics_items.SEQUENCE},
        "ExpressionAttributeValues": to_attributes(
            {":seq": analytics_items.sequence_text(marker.sequence)}
        ),
    }


def _learner_change(table: str, course: str, user: str, seen: int, after: int) -> dict[str, Any]:
    key = to_attributes(analytics_keys.learner_key(course, user))
    guard: dict[str, Any] = (
        {
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": analytics_keys.PARTITION_KEY},
        }
        if seen == 0
        else {
            "ConditionExpression": f"{analytics_items.SESSION_COUNT} = :seen",
            "ExpressionAttributeValues": to_attributes({":seen": seen}),
        }
    )
    if after == 0:  # the learner's last session of the course: no trace of it stays
        return {"Delete": {"TableName": table, "Key": key, **guard}}
    item = to_attributes(analytics_items.learner_item(course, user, after))
    return {"Put": {"TableName": table, "Item": item, **guard}}


def _add_to_share(
    table: str, key: dict[str, str], settings: dict[str, str], added: dict[str, Any]
) -> dict[str, Any]:
    return {
        "TableName": table,
        "Key": to_attributes(key),
        **set_and_add(settings, added),
    }


def _still_stored(sessions_table: str, change: Contribution) -> dict[str, Any]:
    """The session is stored as it was read: not withdrawn, nor recorded anew with other
    numbers under its id, since (the backfill's check)."""
    session = change.session
    return {
        "TableName": sessions_table,
        "Key": to_attributes(table_keys.session_key(change.user_id, session.session_id)),
        "ConditionExpression": f"#hk = :hk AND {stored_items.TOTAL_MODULES_STUDIED} = :modules "
        f"AND {stored_items.TIME_STUDIED} = :time AND {stored_items.AVERAGE_SCORE} = :score",
        "ExpressionAttributeNames": {"#hk": table_keys.HISTORY_SORT_KEY},
        "ExpressionAttributeValues": to_attributes(
            {
                ":hk": table_keys.history_key(
                    session.course_id, session.completed_at, session.session_id
                ),
                ":modules": session.total_modules_studied,
                ":time": session.time_studied,
                ":score": session.average_score,
            }
        ),
    }


def analytics_writes() -> AnalyticsWrites:
    """The writes the aggregator makes, over the process's one client."""
    return AnalyticsWrites(analytics_table())
