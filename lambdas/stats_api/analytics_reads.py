"""Reading course analytics, in DynamoDB's terms: what the analytics routes answer. Only
their functions import it; the aggregator writes through ``analytics_writes``.

A course's totals and each of its days are spread over ``analytics_keys.SHARDS`` shares, so
a read gathers every share: one BatchGetItem of the totals' shares, or per share one Query
of a page of days. Eventually consistent (half the price): the analytics trail the writes
by seconds anyway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stats_api import analytics_items, analytics_keys
from stats_api.course_analytics import CourseAnalytics, DailyAnalytics, page_of_days
from stats_api.dynamodb_calls import from_attributes, to_attributes
from stats_api.errors import InvalidRequest
from stats_api.table_access import TableAccess, analytics_table

if TYPE_CHECKING:
    from stats_api.cursors import Page

_DATE = "date"  # what a page's last key holds: its last day


class AnalyticsReads:
    """A course's analytics, each read gathering the course's shares."""

    def __init__(self, table: TableAccess) -> None:
        self._table = table

    def course_analytics(self, course_id: str) -> CourseAnalytics | None:
        """The course's totals: its ``SHARDS`` shares summed, one BatchGetItem."""
        keys = [analytics_keys.total_key(course_id, s) for s in range(analytics_keys.SHARDS)]
        shares = [
            analytics_items.totals_share(item)
            for item in self._table.batch_get(keys, consistent=False)
        ]
        return CourseAnalytics.of_shares(course_id, shares)

    def daily(
        self, course_id: str, days: tuple[str, str], limit: int, after: Mapping[str, str] | None
    ) -> Page[DailyAnalytics]:
        """The course's days with sessions among ``days`` (the first and the last,
        ``course_analytics.day_range``), oldest first, ``limit`` days at a time: one Query
        of ``limit`` + 1 items per share."""
        first_day, last_day = days
        if after is not None:
            # The cursor's digest holds no secret: this check alone keeps a forged cursor
            # inside the query's window.
            day = after.get(_DATE, "")
            if set(after) != {_DATE} or not first_day <= day <= last_day:
                raise InvalidRequest("cursor is not one this API issued for this query")
        shares = (
            analytics_items.day_share(item)
            for shard in range(analytics_keys.SHARDS)
            for item in self._share_of_days(course_id, shard, days, limit, after)
        )
        page, last = page_of_days(shares, limit)
        # Here, not at the top: the totals' function (no pages) need not compile cursors.
        from stats_api.cursors import Page  # noqa: PLC0415

        return Page(page, None if last is None else {_DATE: last})

    def _share_of_days(
        self,
        course_id: str,
        shard: int,
        days: tuple[str, str],
        limit: int,
        after: Mapping[str, str] | None,
    ) -> Iterator[dict[str, Any]]:
        """One share's first ``limit`` + 1 days of the range, after ``after``'s day."""
        partition = analytics_keys.daily_partition(course_id, shard)
        request: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {
                "#pk": analytics_keys.PARTITION_KEY,
                "#sk": analytics_keys.SORT_KEY,
            },
            "ExpressionAttributeValues": to_attributes(
                {":pk": partition, ":low": days[0], ":high": days[1]}
            ),
            "Limit": limit + 1,
        }
        if after is not None:
            request["ExclusiveStartKey"] = to_attributes(
                analytics_keys.daily_key(course_id, shard, after[_DATE])
            )
        response = self._table.query(**request)
        return (from_attributes(item) for item in response["Items"])


def analytics_reads() -> AnalyticsReads:
    """The reads the analytics routes make, over the process's one client."""
    return AnalyticsReads(analytics_table())
