"""The learner's history: the courses list, a course's sessions a page at a time, and a
window's stats, read from the table and its history index in DynamoDB's terms."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stats_api import stored_items, table_keys, timestamps
from stats_api.cursors import Page
from stats_api.dynamodb_calls import from_attributes, to_attributes
from stats_api.errors import InvalidRequest
from stats_api.learner_stats import CourseStats, Session
from stats_api.query_parameters import Window
from stats_api.table_access import TableAccess, default_table


class HistoryReads:
    """Strongly consistent pages and windows of one user's items."""

    def __init__(self, table: TableAccess) -> None:
        self._table = table

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
        request = _history_query(user_id, *_history_range(course_id, window))
        sessions = [stored_items.session(item) for item in self._table.query_all(request)]
        return CourseStats.of(course_id, sessions)

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
        response = self._table.query(**query)
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


def history_reads() -> HistoryReads:
    """The history the handlers read, over the process's one table client."""
    return HistoryReads(default_table())
