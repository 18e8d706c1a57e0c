"""Data access for course analytics: the only module that knows the analytics table's
items and expressions.

Applying a batch of contributions is exact under at-least-once delivery: each session's
contribution marker is written (or deleted) in the same transaction as the totals it
changes, conditioned on the marker as it was read, so a change applies once however often
it arrives. The contributions of one course are applied together, up to a transaction's
100 items at a time: one write to the course's totals per chunk, not per session.
"""

from __future__ import annotations

import datetime
import functools
import os
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from stats_api import analytics_keys, table_keys, timestamps
from stats_api.course_analytics import Contribution, CourseAnalytics, DailyAnalytics, Totals
from stats_api.dynamodb_calls import (
    CLIENT_CONFIG,
    call,
    cancellation_codes,
    from_attributes,
    to_attributes,
)
from stats_api.errors import InvalidRequest, TemporarilyUnavailable
from stats_api.learner_stats import Page
from stats_api.shared_names import ANALYTICS_TABLE_ENV

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TRANSACTION_LIMIT = 100  # items per TransactWriteItems
BATCH_GET_LIMIT = 100  # keys per BatchGetItem
# A chunk is read, then written conditioned on what was read; a concurrent aggregator (a
# learner's sessions may sit on several stream shards) or a replay makes it read again.
APPLY_ATTEMPTS = 6
RETRY_PAUSE = 0.05  # seconds, growing with each attempt
CONDITION_FAILED = "ConditionalCheckFailed"
# Stream sequence numbers run to 40 digits, past a DynamoDB number's 38: a marker keeps its
# record's as text of one width, so text order is number order.
SEQUENCE_DIGITS = 40


@dataclass(frozen=True)
class _Marker:
    sequence: int
    day: str
    totals: Totals


class AnalyticsStore:
    """Course analytics in one table, in the domain's terms."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        choose_shard: Any = None,
        clock: Any = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self._choose_shard = choose_shard or (lambda: random.randrange(analytics_keys.SHARDS))  # noqa: S311
        self._clock = clock or timestamps.now

    # --- writes -----------------------------------------------------------------------

    def apply(
        self, contributions: Sequence[Contribution], *, sessions_table: str | None = None
    ) -> int:
        """Apply each contribution once; returns how many changed the analytics (the rest
        were replays or already applied). With ``sessions_table`` (the backfill), a session
        is added only while it still exists there, checked in the same transaction."""
        applied = 0
        by_course: dict[str, list[Contribution]] = {}
        for contribution in contributions:
            by_course.setdefault(contribution.course_id, []).append(contribution)
        for course_changes in by_course.values():
            for round_ in _rounds(course_changes):
                for chunk in _chunks(round_, checked=sessions_table is not None):
                    applied += self._apply_chunk(chunk, sessions_table)
        return applied

    def _apply_chunk(self, chunk: list[Contribution], sessions_table: str | None) -> int:
        pending = list(chunk)
        for attempt in range(APPLY_ATTEMPTS):
            if not pending:  # every session of the chunk was withdrawn since it was read
                return 0
            markers, counts = self._read_state(pending)
            effective = [c for c in pending if _takes_effect(c, markers.get(_marker_id(c)))]
            if not effective:
                return 0
            items, checks = self._transaction(effective, markers, counts, sessions_table)
            try:
                call(self._client.transact_write_items, TransactItems=items)
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
                pending = [c for c in pending if _marker_id(c) not in gone]
                continue
            return len(effective)
        raise TemporarilyUnavailable

    def _read_state(
        self, changes: list[Contribution]
    ) -> tuple[dict[tuple[str, str], _Marker], dict[str, int]]:
        """The markers of the changes' sessions and the learners' session counts, as stored
        now (strongly consistent: the writes are conditioned on them)."""
        course = changes[0].course_id
        keys = [analytics_keys.marker_key(course, c.user_id, c.session.session_id) for c in changes]
        users = sorted({c.user_id for c in changes})
        keys += [analytics_keys.learner_key(course, user) for user in users]
        markers: dict[tuple[str, str], _Marker] = {}
        counts: dict[str, int] = dict.fromkeys(users, 0)
        for item in self._batch_get(keys, consistent=True):
            user_id = str(item["userId"])
            if item[analytics_keys.SORT_KEY] == "learner":
                counts[user_id] = int(item["sessionCount"])
            else:
                markers[(user_id, str(item["sessionId"]))] = _Marker(
                    int(item["sequence"]), str(item["day"]), _totals(item)
                )
        return markers, counts

    def _transaction(
        self,
        changes: list[Contribution],
        markers: Mapping[tuple[str, str], _Marker],
        counts: Mapping[str, int],
        sessions_table: str | None,
    ) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
        """The chunk's transaction, and which of its items check which session still exists."""
        course = changes[0].course_id
        items: list[dict[str, Any]] = []
        checks: dict[int, tuple[str, str]] = {}
        total = Totals()
        days: dict[str, Totals] = {}
        new_counts = dict(counts)
        for change in changes:
            marker = markers.get(_marker_id(change))
            key = analytics_keys.marker_key(course, change.user_id, change.session.session_id)
            if change.sign > 0:
                delta, day = change.totals, change.day
                items.append({"Put": self._put_marker(key, change)})
                if sessions_table is not None:
                    checks[len(items)] = _marker_id(change)
                    items.append({"ConditionCheck": _session_exists(sessions_table, change)})
            else:
                if marker is None:  # _takes_effect kept only withdrawals of a marker
                    raise AssertionError(change)
                # Take off exactly what was added, whatever the record says.
                delta = _negated(marker.totals)
                day = marker.day
                items.append({"Delete": self._delete_marker(key, marker.sequence)})
            total = total.plus(delta)
            days[day] = days.get(day, Totals()).plus(delta)
            new_counts[change.user_id] += change.sign
        learner_delta = 0
        for user, seen in counts.items():
            after = new_counts[user]
            if after != seen:
                items.append(self._learner_change(course, user, seen, after))
                learner_delta += (after > 0) - (seen > 0)
        shard = self._choose_shard()
        now = timestamps.kept(self._clock())
        items.append(
            {
                "Update": self._add(
                    analytics_keys.total_key(course, shard), total, course, now, learner_delta
                )
            }
        )
        for day, day_total in sorted(days.items()):
            items.append(
                {
                    "Update": self._add(
                        analytics_keys.daily_key(course, shard, day), day_total, course, now
                    )
                }
            )
        return items, checks

    def _put_marker(self, key: dict[str, str], change: Contribution) -> dict[str, Any]:
        s = change.session
        return {
            "TableName": self._table,
            "Item": to_attributes(
                {
                    **key,
                    "userId": change.user_id,
                    "sessionId": s.session_id,
                    "sequence": _sequence_text(change.sequence),
                    "day": change.day,
                    "totalModulesStudied": s.total_modules_studied,
                    "timeStudied": s.time_studied,
                    "averageScoreSum": s.average_score,
                    "sessionCount": 1,
                }
            ),
            # Counted once: a replayed or concurrent addition of the same session cancels.
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": analytics_keys.PARTITION_KEY},
        }

    def _delete_marker(self, key: dict[str, str], sequence: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": to_attributes(key),
            # Only the marker that was read: a replayed withdrawal finds none, or a newer one.
            "ConditionExpression": "#seq = :seq",
            "ExpressionAttributeNames": {"#seq": "sequence"},
            "ExpressionAttributeValues": to_attributes({":seq": _sequence_text(sequence)}),
        }

    def _learner_change(self, course: str, user: str, seen: int, after: int) -> dict[str, Any]:
        key = to_attributes(analytics_keys.learner_key(course, user))
        guard: dict[str, Any] = (
            {
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": analytics_keys.PARTITION_KEY},
            }
            if seen == 0
            else {
                "ConditionExpression": "sessionCount = :seen",
                "ExpressionAttributeValues": to_attributes({":seen": seen}),
            }
        )
        if after == 0:  # the learner's last session of the course: no trace of it stays
            return {"Delete": {"TableName": self._table, "Key": key, **guard}}
        item = {**analytics_keys.learner_key(course, user), "userId": user, "sessionCount": after}
        return {"Put": {"TableName": self._table, "Item": to_attributes(item), **guard}}

    def _add(
        self,
        key: dict[str, str],
        delta: Totals,
        course: str,
        now: str,
        learner_delta: int | None = None,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":course": course,
            ":now": now,
            ":count": delta.session_count,
            ":modules": delta.total_modules_studied,
            ":time": delta.time_studied,
            ":score": delta.average_score_sum,
        }
        add = (
            "sessionCount :count, totalModulesStudied :modules, timeStudied :time, "
            "averageScoreSum :score"
        )
        if learner_delta is not None:
            values[":learners"] = learner_delta
            add += ", learnerCount :learners"
        return {
            "TableName": self._table,
            "Key": to_attributes(key),
            "UpdateExpression": f"SET courseId = :course, updatedAt = :now ADD {add}",
            "ExpressionAttributeValues": to_attributes(values),
        }

    # --- reads ------------------------------------------------------------------------

    def course_analytics(self, course_id: str) -> CourseAnalytics | None:
        """The course's totals: its ``SHARDS`` shares summed, one BatchGetItem."""
        keys = [analytics_keys.total_key(course_id, s) for s in range(analytics_keys.SHARDS)]
        shares = list(self._batch_get(keys, consistent=False))
        totals = Totals.sum(_totals(item) for item in shares)
        if totals.session_count <= 0:
            return None
        return CourseAnalytics(
            course_id=course_id,
            learner_count=sum(int(item.get("learnerCount", 0)) for item in shares),
            totals=totals,
            updated_at=max(str(item["updatedAt"]) for item in shares),
        )

    def daily(
        self,
        course_id: str,
        first_day: str,
        last_day: str,
        limit: int,
        after: Mapping[str, str] | None,
    ) -> Page[DailyAnalytics]:
        """The course's days from ``first_day`` to ``last_day`` (inclusive) that have
        sessions, oldest first, ``limit`` days at a time: one Query of ``limit`` + 1 items
        per share. A day among the first ``limit`` dates of the merged answers is complete:
        a share missing it would have returned ``limit`` + 1 earlier dates."""
        if after is not None:
            day = after.get("date", "")
            if set(after) != {"date"} or not first_day <= day <= last_day:
                raise InvalidRequest("cursor is not one this API issued for this query")
        sums: dict[str, Totals] = {}
        for shard in range(analytics_keys.SHARDS):
            for item in self._day_range(course_id, shard, first_day, last_day, limit + 1, after):
                day = str(item[analytics_keys.SORT_KEY])
                sums[day] = sums.get(day, Totals()).plus(_totals(item))
        dates = sorted(sums)
        page = dates[:limit]
        last_key = {"date": page[-1]} if len(dates) > limit else None
        # A day whose sessions were all withdrawn sums to zero: not a day with sessions.
        days = [
            DailyAnalytics(date=day, totals=sums[day])
            for day in page
            if sums[day].session_count > 0
        ]
        return Page(days, last_key)

    def _day_range(  # noqa: PLR0917 - one shard's share of daily()'s query
        self,
        course_id: str,
        shard: int,
        first_day: str,
        last_day: str,
        limit: int,
        after: Mapping[str, str] | None,
    ) -> list[dict[str, Any]]:
        partition = analytics_keys.daily_partition(course_id, shard)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {
                "#pk": analytics_keys.PARTITION_KEY,
                "#sk": analytics_keys.SORT_KEY,
            },
            "ExpressionAttributeValues": to_attributes(
                {":pk": partition, ":low": first_day, ":high": last_day}
            ),
            "Limit": limit,
        }
        if after is not None:
            request["ExclusiveStartKey"] = to_attributes(
                {analytics_keys.PARTITION_KEY: partition, analytics_keys.SORT_KEY: after["date"]}
            )
        response = call(self._client.query, **request)
        return [from_attributes(item) for item in response["Items"]]

    def _batch_get(
        self, keys: list[dict[str, str]], *, consistent: bool
    ) -> Iterator[dict[str, Any]]:
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: Any = {
                self._table: {
                    "Keys": [to_attributes(k) for k in keys[start : start + BATCH_GET_LIMIT]],
                    "ConsistentRead": consistent,
                }
            }
            while pending:
                response = call(self._client.batch_get_item, RequestItems=pending)
                yield from (from_attributes(i) for i in response["Responses"].get(self._table, []))
                pending = response.get("UnprocessedKeys") or None


def _rounds(changes: list[Contribution]) -> Iterator[list[Contribution]]:
    """The changes in rounds that touch each session at most once (a transaction may not
    touch an item twice), each session's changes in their order."""
    remaining = list(changes)
    while remaining:
        seen: set[tuple[str, str]] = set()
        round_: list[Contribution] = []
        later: list[Contribution] = []
        for change in remaining:
            (later if _marker_id(change) in seen else round_).append(change)
            seen.add(_marker_id(change))
        yield round_
        remaining = later


def _chunks(changes: list[Contribution], *, checked: bool) -> Iterator[list[Contribution]]:
    """Slices whose transaction fits in 100 items: per session its marker (and its check),
    per learner one item, per day one item, and the course's totals."""
    chunk: list[Contribution] = []
    for change in changes:
        candidate = [*chunk, change]
        if chunk and _transaction_size(candidate, checked) > TRANSACTION_LIMIT:
            yield chunk
            candidate = [change]
        chunk = candidate
    if chunk:
        yield chunk


def _transaction_size(changes: Iterable[Contribution], checked: bool) -> int:
    chosen = list(changes)
    per_session = 2 if checked else 1
    return (
        per_session * len(chosen)
        + len({c.user_id for c in chosen})
        + len({c.day for c in chosen})
        + 1
    )


def _takes_effect(change: Contribution, marker: _Marker | None) -> bool:
    if change.sign > 0:
        return marker is None  # recorded once; a replay finds its marker
    # A withdrawal takes off what a marker older than itself added; a replayed one finds
    # no marker, or the marker of a later re-recording.
    return marker is not None and marker.sequence < change.sequence


def _sequence_text(sequence: int) -> str:
    return f"{sequence:0{SEQUENCE_DIGITS}d}"


def _marker_id(change: Contribution) -> tuple[str, str]:
    return change.user_id, change.session.session_id


def _negated(totals: Totals) -> Totals:
    return Totals(
        -totals.session_count,
        -totals.total_modules_studied,
        -totals.time_studied,
        -totals.average_score_sum,
    )


def _totals(item: Mapping[str, Any]) -> Totals:
    return Totals(
        int(item.get("sessionCount", 0)),
        int(item.get("totalModulesStudied", 0)),
        Decimal(item.get("timeStudied", 0)),
        Decimal(item.get("averageScoreSum", 0)),
    )


def _session_exists(sessions_table: str, change: Contribution) -> dict[str, Any]:
    """The session is stored as it was read: not withdrawn, nor recorded anew with other
    numbers under its id, since (the backfill's check)."""
    session = change.session
    return {
        "TableName": sessions_table,
        "Key": to_attributes(table_keys.session_key(change.user_id, session.session_id)),
        "ConditionExpression": "#hk = :hk AND totalModulesStudied = :modules "
        "AND timeStudied = :time AND averageScore = :score",
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


def day_range(
    since: datetime.datetime | None, until: datetime.datetime | None
) -> tuple[str, str] | None:
    """The first and last day (inclusive, ``YYYY-MM-DD``) whose start, 00:00 UTC, lies in
    [``since``, ``until``); None when no day does."""
    first = datetime.date.min if since is None else _first_midnight_from(since)
    last = datetime.date.max if until is None else _last_midnight_before(until)
    if first is None or last is None or first > last:
        return None
    return _day(first), _day(last)


def _first_midnight_from(moment: datetime.datetime) -> datetime.date | None:
    utc = moment.astimezone(datetime.UTC)
    if utc.time() == datetime.time(0):
        return utc.date()
    return None if utc.date() == datetime.date.max else utc.date() + datetime.timedelta(days=1)


def _last_midnight_before(moment: datetime.datetime) -> datetime.date | None:
    utc = moment.astimezone(datetime.UTC)
    if utc.time() != datetime.time(0):
        return utc.date()
    return None if utc.date() == datetime.date.min else utc.date() - datetime.timedelta(days=1)


def _day(date: datetime.date) -> str:
    # isoformat pads the year to four digits, as completedAt is kept (text order = time order).
    return date.isoformat()


@functools.cache
def default_analytics_store() -> AnalyticsStore:
    """The store the analytics functions use, created on first use and reused."""
    client: DynamoDBClient = boto3.client("dynamodb", config=CLIENT_CONFIG)
    return AnalyticsStore(client, os.environ[ANALYTICS_TABLE_ENV])
