"""Reading course analytics, in DynamoDB's terms: what the analytics routes answer. Only
their functions import it; the aggregator writes through ``analytics_writes``.

A course's totals and each of its days are spread over ``analytics_keys.SHARDS`` shares, so
a read gathers every share: one BatchGetItem of the totals' shares, and for a page of days,
one Query per shard that holds a share of the totals. Eventually consistent (half the
price): the analytics trail the writes by seconds anyway.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stats_api import analytics_items, analytics_keys
from stats_api.course_analytics import CourseAnalytics, DailyAnalytics, TotalsShare, page_of_days
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

    def totals(self, course_id: str) -> dict[int, TotalsShare]:
        """The course's shares of its totals that exist, by shard: one BatchGetItem of all
        ``SHARDS``. A shard's share exists from the first transaction that wrote to it."""
        keys = {s: analytics_keys.total_key(course_id, s) for s in range(analytics_keys.SHARDS)}
        shard_of = {key[analytics_keys.PARTITION_KEY]: s for s, key in keys.items()}
        return {
            shard_of[item[analytics_keys.PARTITION_KEY]]: analytics_items.totals_share(item)
            for item in self._table.batch_get(list(keys.values()), consistent=False)
        }

    def course_analytics(self, course_id: str) -> CourseAnalytics | None:
        """The course's totals: its shares summed, one BatchGetItem."""
        return CourseAnalytics.of_shares(course_id, list(self.totals(course_id).values()))

    def daily(
        self,
        course_id: str,
        shards: Collection[int],
        days: tuple[str, str],
        limit: int,
        after: Mapping[str, str] | None,
    ) -> Page[DailyAnalytics]:
        """The course's days with sessions among ``days`` (the first and the last,
        ``course_analytics.day_range``), oldest first, ``limit`` days at a time: one Query
        of ``limit`` + 1 items per shard of ``shards``, those holding a share of the
        course's totals (``totals``).

        Only they can hold days: a transaction writes its days' shares and its share of
        the totals on one shard (``AnalyticsWrites.transaction``), and none of them is ever
        deleted (only markers and learners' counts are), so a shard without a share of the
        totals holds no day, and every page (cursors included) is the one all ``SHARDS``
        Queries would give. Both reads are eventually consistent: a share of the totals not
        yet visible, in the second after its shard's first write, leaves out that shard's
        days as a Query of it could have. A small course costs a Query or two instead of
        ``SHARDS``; a course whose writes have reached every shard, one BatchGetItem more.
        """
        first_day, last_day = days
        if after is not None:
            # The cursor's digest holds no secret: this check alone keeps a forged cursor
            # inside the query's window.
            day = after.get(_DATE, "")
            if set(after) != {_DATE} or not first_day <= day <= last_day:
                raise InvalidRequest("cursor is not one this API issued for this query")
        shares = (
            analytics_items.day_share(item)
            for shard in sorted(shards)
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
