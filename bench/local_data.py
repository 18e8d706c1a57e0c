"""What the local-run benchmark puts in the embedded tables, inside the local run's process.

Learners' sessions are written with BatchWriteItem (``stats_devkit.dataset``: each pair of
a learner and a course gets ``SESSIONS_PER_COURSE`` sessions and their aggregate), holding
the gateway's lock as an invocation does. Their course analytics are applied at the same
time by the aggregator's own store, as sessions recorded one at a time over days would have
left them: every course's totals and days spread over all its shares, whatever N (one
batch of a learner's sessions would land them on a single share, so a small table would
read fewer shares than a large one). The stream then delivers the seeded sessions' records
to the aggregator, which finds them counted already (the backfill's case): seeding ends
once the pump has delivered them all, so no seeding work overlaps a timed request.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import TYPE_CHECKING, Any

from bench.checks import check
from stats_api import analytics_keys
from stats_api.analytics_writes import AnalyticsWrites
from stats_api.contributions import Contribution
from stats_api.table_access import TableAccess
from stats_devkit import dataset

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COURSES_PER_USER = 5  # course-0 ... course-4: each course has learners across the table
SESSIONS_PER_COURSE = 20  # so N sessions are N / 20 (learner, course) pairs of N / 100 users
DRAIN_TIMEOUT_S = 900.0


def pair(number: int) -> tuple[str, str]:
    """The (learner, course) of the n-th pair seeded: learners have COURSES_PER_USER courses."""
    return f"learner-{number // COURSES_PER_USER:06}", f"course-{number % COURSES_PER_USER}"


def sessions_in(course: int, pairs: int) -> int:
    """How many sessions the first ``pairs`` pairs hold in ``course-<course>``."""
    return len(range(course, pairs, COURSES_PER_USER)) * SESSIONS_PER_COURSE


class LocalData:
    """Seeds the embedded tables of one local run (module docstring)."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        streams: Any,
        tables: tuple[str, str],
        lock: threading.Lock,
        forget_iterators: Any,
    ) -> None:
        self._dynamodb, self._streams, self._lock = dynamodb, streams, lock
        self._table, analytics_table = tables
        shares = itertools.cycle(range(analytics_keys.SHARDS))
        self._analytics = AnalyticsWrites(
            TableAccess(dynamodb, analytics_table), choose_shard=shares.__next__
        )
        self._stream_arn = dynamodb.describe_table(TableName=self._table)["Table"][
            "LatestStreamArn"
        ]
        self._forget_iterators = forget_iterators

    def seed(self, first: int, count: int) -> None:
        """Pairs [first, first + count): their sessions and their analytics; returns once
        the stream has delivered every record they made."""
        for number in range(first, first + count):
            user, course = pair(number)
            sessions = dataset.make_sessions(SESSIONS_PER_COURSE, course, seed=number)
            # A course's first pair spreads over every share; later ones go round-robin.
            spread = analytics_keys.SHARDS if number < COURSES_PER_USER else 1
            step = -(-len(sessions) // spread)
            with self._lock:
                dataset.seed(self._dynamodb, self._table, user, sessions)
                for start in range(0, len(sessions), step):
                    self._analytics.apply(
                        [Contribution(user, s, +1, 0) for s in sessions[start : start + step]]
                    )
        self._wait_until_delivered()

    def add(self, first: int, count: int) -> None:
        """Pairs [first, first + count): their sessions only, for the aggregator to count
        when the stream delivers them."""
        for number in range(first, first + count):
            user, course = pair(number)
            sessions = dataset.make_sessions(SESSIONS_PER_COURSE, course, seed=number)
            with self._lock:
                dataset.seed(self._dynamodb, self._table, user, sessions)

    def _wait_until_delivered(self) -> None:
        started = time.perf_counter()
        while self._undelivered():
            check(time.perf_counter() - started < DRAIN_TIMEOUT_S, "the stream did not drain")
            time.sleep(0.2)

    def _undelivered(self) -> bool:
        """Whether the stream holds a record the pump has not delivered (it drops the ones
        it delivered)."""
        with self._lock:
            description = self._streams.describe_stream(StreamArn=self._stream_arn)
            waiting = False
            for shard in description["StreamDescription"]["Shards"]:
                iterator = self._streams.get_shard_iterator(
                    StreamArn=self._stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
                waiting |= bool(
                    self._streams.get_records(ShardIterator=iterator, Limit=1)["Records"]
                )
            self._forget_iterators()
            return waiting
