"""Data access: the only module that knows DynamoDB's item shapes, keys and expressions."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from stats_api import stored_items, table_keys, timestamps
from stats_api.deployment import TABLE_NAME_ENV
from stats_api.dynamodb_calls import (
    # Importable from here too: monitoring's p99 alarm is documented and tested against
    # session_store.CLIENT_CONFIG's read timeout.
    CLIENT_CONFIG,  # noqa: F401
    call,
    cancellation_codes,
    created_during_init,
    from_attributes,
    new_client,
    to_attributes,
)
from stats_api.errors import InvalidRequest, TemporarilyUnavailable
from stats_api.history_rules import Window
from stats_api.sessions import CourseStats, Page, Session, SessionAlreadyRecorded

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# A withdrawal reads the aggregate, then writes it conditionally; a concurrent POST or
# DELETE of the same course makes it read again. Past this many tries: 503, retry later.
WITHDRAW_ATTEMPTS = 4
BATCH_WRITE_LIMIT = 25  # BatchWriteItem's
BATCH_WRITE_ATTEMPTS = 8  # unprocessed deletes retried with exponential backoff
CONDITION_FAILED = "ConditionalCheckFailed"


class SessionStore:
    """Sessions and per-course aggregates of one table, in the domain's terms."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_session(self, user_id: str, session: Session) -> None:
        """Store the session and add it to the user's course stats, atomically.

        Raises ``SessionAlreadyRecorded`` when the user already has a session with that id.
        """
        try:
            self._transact(
                {"Put": self._put_new_session(user_id, session)},
                {"Update": self._change_course_stats(user_id, session, +1)},
            )
        except ClientError as error:
            if cancellation_codes(error)[:1] == [CONDITION_FAILED]:
                raise SessionAlreadyRecorded(session.session_id) from error
            raise

    def withdraw_session(self, user_id: str, course_id: str, session_id: str) -> bool:
        """Remove the session and take exactly its numbers off the course stats, atomically;
        the course stats go with its last session. False when there is no such session."""
        for _ in range(WITHDRAW_ATTEMPTS):
            session = self.fetch_session(user_id, session_id)
            stats = self.fetch_course_stats(user_id, course_id)
            if session is None or session.course_id != course_id or stats is None:
                return False
            try:
                self._transact(
                    {"Delete": self._delete_session(user_id, session)},
                    self._withdraw_from_course_stats(user_id, session, stats.session_count),
                )
            except ClientError as error:
                reasons = cancellation_codes(error)
                if reasons[:1] == [CONDITION_FAILED]:
                    return False  # withdrawn meanwhile
                if reasons[1:2] == [CONDITION_FAILED]:
                    continue  # the session count moved meanwhile: read it again
                raise
            return True
        raise TemporarilyUnavailable

    def fetch_session(self, user_id: str, session_id: str) -> Session | None:
        item = self._get(table_keys.session_key(user_id, session_id))
        return None if item is None else stored_items.session(item)

    def fetch_course_stats(self, user_id: str, course_id: str) -> CourseStats | None:
        item = self._get(table_keys.course_stats_key(user_id, course_id))
        return None if item is None else stored_items.course_stats(item)

    def list_courses(
        self, user_id: str, limit: int, after: Mapping[str, str] | None
    ) -> Page[CourseStats]:
        """The user's course stats ordered by course id, ``limit`` at a time."""
        request = {
            "KeyConditionExpression": "#pk = :user AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {
                "#pk": table_keys.PARTITION_KEY,
                "#sk": table_keys.SORT_KEY,
            },
            "ExpressionAttributeValues": to_attributes(
                {":user": user_id, ":prefix": table_keys.COURSE_STATS_PREFIX}
            ),
        }
        items, last_key = self._page(
            user_id,
            request,
            limit,
            after,
            sort_keys=(table_keys.SORT_KEY,),
            in_query=lambda key: key[table_keys.SORT_KEY].startswith(
                table_keys.COURSE_STATS_PREFIX
            ),
        )
        return Page([stored_items.course_stats(item) for item in items], last_key)

    def list_sessions(
        self,
        user_id: str,
        course_id: str,
        window: Window,
        limit: int,
        after: Mapping[str, str] | None,
    ) -> Page[Session]:
        """The user's sessions of a course in ``window``, newest first (ties: by session id,
        descending), ``limit`` at a time."""
        low, high = _history_range(course_id, window)
        items, last_key = self._page(
            user_id,
            {**_history_query(user_id, low, high), "ScanIndexForward": False},
            limit,
            after,
            sort_keys=(table_keys.SORT_KEY, table_keys.HISTORY_SORT_KEY),
            in_query=lambda key: low <= key[table_keys.HISTORY_SORT_KEY] <= high,
        )
        return Page([stored_items.session(item) for item in items], last_key)

    def window_stats(self, user_id: str, course_id: str, window: Window) -> CourseStats | None:
        """The stats of the course's sessions in ``window``: reads every one of them."""
        request: dict[str, Any] = _history_query(user_id, *_history_range(course_id, window))
        sessions: list[Session] = []
        while True:
            response = call(self._client.query, TableName=self._table, **request)
            sessions += [stored_items.session(from_attributes(item)) for item in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return CourseStats.of(course_id, sessions)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def learner_keys(self, user_id: str) -> Iterator[dict[str, str]]:
        """The key of every item of the user: sessions and course stats."""
        request: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :user",
            "ProjectionExpression": "#pk, #sk",
            "ExpressionAttributeNames": {
                "#pk": table_keys.PARTITION_KEY,
                "#sk": table_keys.SORT_KEY,
            },
            "ExpressionAttributeValues": to_attributes({":user": user_id}),
            "ConsistentRead": True,
        }
        while True:
            response = call(self._client.query, TableName=self._table, **request)
            yield from (from_attributes(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def delete_items(self, keys: list[dict[str, str]]) -> None:
        """Delete the items ``keys`` name, 25 per request, retrying what DynamoDB leaves
        unprocessed (throttling) with exponential backoff."""
        for start in range(0, len(keys), BATCH_WRITE_LIMIT):
            pending: Any = {
                self._table: [
                    {"DeleteRequest": {"Key": to_attributes(key)}}
                    for key in keys[start : start + BATCH_WRITE_LIMIT]
                ]
            }
            for attempt in range(BATCH_WRITE_ATTEMPTS):
                if attempt:
                    time.sleep(min(0.05 * 2**attempt, 5))
                pending = call(self._client.batch_write_item, RequestItems=pending).get(
                    "UnprocessedItems"
                )
                if not pending:
                    break
            else:
                raise TemporarilyUnavailable

    def _put_new_session(self, user_id: str, session: Session) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": to_attributes(stored_items.session_item(user_id, session)),
            # A session id is written once: a replay or a reuse cancels the transaction.
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": table_keys.SORT_KEY},
        }

    def _delete_session(self, user_id: str, session: Session) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": to_attributes(table_keys.session_key(user_id, session.session_id)),
            "ConditionExpression": "attribute_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": table_keys.SORT_KEY},
        }

    def _change_course_stats(self, user_id: str, session: Session, sign: int) -> dict[str, Any]:
        # ADD creates the aggregate on a course's first session and sums exactly after;
        # a withdrawal adds the negated numbers, so the sums come back exactly.
        added = stored_items.course_stats_change(session, sign)
        return {
            "TableName": self._table,
            "Key": to_attributes(table_keys.course_stats_key(user_id, session.course_id)),
            "UpdateExpression": f"SET {stored_items.COURSE_ID} = :course "
            "ADD " + ", ".join(f"{name} :{name}" for name in added),
            "ExpressionAttributeValues": to_attributes(
                {
                    ":course": session.course_id,
                    **{f":{name}": value for name, value in added.items()},
                }
            ),
        }

    def _withdraw_from_course_stats(
        self, user_id: str, session: Session, session_count: int
    ) -> dict[str, Any]:
        """The aggregate's part of a withdrawal, valid only while the count is as read."""
        guard = {
            "ConditionExpression": f"{stored_items.SESSION_COUNT} = :seen",
            "ExpressionAttributeValues": to_attributes({":seen": session_count}),
        }
        if session_count == 1:  # the course's last session: the course stats go too
            key = table_keys.course_stats_key(user_id, session.course_id)
            return {"Delete": {"TableName": self._table, "Key": to_attributes(key), **guard}}
        update = self._change_course_stats(user_id, session, -1)
        update["ConditionExpression"] = guard["ConditionExpression"]
        update["ExpressionAttributeValues"].update(guard["ExpressionAttributeValues"])
        return {"Update": update}

    def _transact(self, *items: dict[str, Any]) -> None:
        call(self._client.transact_write_items, TransactItems=list(items))

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        # Strongly consistent: a GET right after a 201 must include that session.
        response = call(
            self._client.get_item,
            TableName=self._table,
            Key=to_attributes(key),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else from_attributes(item)

    def _page(
        self,
        user_id: str,
        request: dict[str, Any],
        limit: int,
        after: Mapping[str, str] | None,
        *,
        sort_keys: tuple[str, ...],
        in_query: Callable[[Mapping[str, str]], bool],
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """One page of a strongly consistent Query, after the item keyed ``after``. It asks
        for one item more than the page, so the last page says it is the last."""
        keys = (table_keys.PARTITION_KEY, *sort_keys)
        query: dict[str, Any] = {"ConsistentRead": True, **request, "Limit": limit + 1}
        if after is not None:
            # Whatever a cursor says, a page starts inside the caller's partition and query.
            if set(after) != set(keys) or not in_query(after):
                raise InvalidRequest("cursor is not one this API issued for this query")
            if after[table_keys.PARTITION_KEY] != user_id:
                raise InvalidRequest("cursor is not one this API issued for this caller")
            query["ExclusiveStartKey"] = to_attributes(after)
        response = call(self._client.query, TableName=self._table, **query)
        items = [from_attributes(item) for item in response["Items"]]
        if len(items) <= limit:
            return items, None
        last = items[limit - 1]
        return items[:limit], {name: str(last[name]) for name in keys}


def _history_range(course_id: str, window: Window) -> tuple[str, str]:
    since = None if window.since is None else timestamps.kept(window.since)
    until = None if window.until is None else timestamps.kept(window.until)
    return table_keys.history_range(course_id, since, until)


def _history_query(user_id: str, low: str, high: str) -> dict[str, Any]:
    """A strongly consistent Query of the history index over one key range of the user."""
    return {
        "IndexName": table_keys.HISTORY_INDEX,
        "KeyConditionExpression": "#pk = :user AND #hk BETWEEN :low AND :high",
        "ExpressionAttributeNames": {
            "#pk": table_keys.PARTITION_KEY,
            "#hk": table_keys.HISTORY_SORT_KEY,
        },
        "ExpressionAttributeValues": to_attributes({":user": user_id, ":low": low, ":high": high}),
        "ConsistentRead": True,
    }


@functools.cache
def default_store() -> SessionStore:
    """The store the handlers use, created on first use and reused across invocations."""
    return SessionStore(new_client(), os.environ[TABLE_NAME_ENV])


if created_during_init(os.environ):
    # SnapStart or provisioned concurrency: create it during init, in the snapshot.
    default_store()
