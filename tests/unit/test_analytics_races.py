"""Two writers of course analytics at once (two aggregators on different stream shards, or
the stream and the backfill): each reads the markers and learners' counts, then writes
conditioned on them. When another writer changed a session's marker in between, the write
must cancel, and the reading writer read again, even where the learner's count came back
to what was read (another session of the learner withdrawn meanwhile), so that only the
marker's own condition can tell."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
import pytest

from stats_api.analytics_writes import AnalyticsWrites, analytics_writes
from stats_api.contributions import Contribution
from stats_api.learner_stats import Session
from stats_api.table_access import TableAccess
from tests.support.analytics import ANALYTICS_TABLE, REGION, course_analytics
from tests.support.handler_client import TABLE, record, session_body

COURSE = "algebra-1"


@pytest.fixture
def client(streamed_dynamodb: Any) -> Any:
    return streamed_dynamodb


def racing(meanwhile: Callable[[], object]) -> AnalyticsWrites:
    """A writer with its own client that runs ``meanwhile`` (another writer's work) once,
    right after its first read of the markers and counts, before it writes."""
    own_client = boto3.client("dynamodb", region_name=REGION)
    pending = [meanwhile]

    def after_read(**_: Any) -> None:
        while pending:
            pending.pop()()

    own_client.meta.events.register("after-call.dynamodb.BatchGetItem", after_read)
    return AnalyticsWrites(TableAccess(own_client, ANALYTICS_TABLE))


def session(n: int, minutes: str = "10") -> Session:
    return Session(
        session_id=f"{n:08d}-0000-4000-8000-000000000000",
        course_id=COURSE,
        total_modules_studied=1,
        time_studied=Decimal(minutes),
        average_score=Decimal(50),
        completed_at="2026-11-28T09:00:00.000000Z",
    )


def stored(n: int, minutes: str = "10") -> Session:
    """``session(n)``, recorded in the sessions table (the backfill checks it is there)."""
    body = session_body(
        sessionId=session(n).session_id,
        totalModulesStudied=1,
        timeStudied=int(minutes),
        averageScore=50,
        completedAt="2026-11-28T09:00:00Z",
    )
    assert record(COURSE, user="ada", body=body).status == 201
    return session(n, minutes)


def test_should_count_once_a_session_the_stream_and_the_backfill_add_at_once(
    client: Any,
) -> None:
    earlier, both = stored(1), stored(2)
    stream = analytics_writes()
    stream.apply([Contribution("ada", earlier, +1, sequence=1)])
    # While the backfill reads, the stream adds the session and takes off the learner's
    # other one: the learner's count is back to what the backfill read.
    backfill = racing(
        lambda: stream.apply(
            [
                Contribution("ada", both, +1, sequence=2),
                Contribution("ada", earlier, -1, sequence=3),
            ]
        )
    )

    assert backfill.apply([Contribution("ada", both, +1, sequence=0)], still_stored_in=TABLE) == 0

    body = course_analytics(COURSE).exact_body()
    assert (body["learnerCount"], body["sessionCount"], body["timeStudied"]) == (1, 1, 10)


def test_should_take_off_only_what_a_late_withdrawal_added(client: Any) -> None:
    first, second = session(1, "10"), session(2, "5")
    writes = analytics_writes()
    writes.apply(
        [Contribution("ada", first, +1, sequence=1), Contribution("ada", second, +1, sequence=2)]
    )
    withdrawal = Contribution("ada", first, -1, sequence=3)
    recorded_again = Contribution("ada", session(1, "20"), +1, sequence=4)
    # While one aggregator reads for the withdrawal, another applies it, and the same
    # session id recorded anew with other minutes: the learner's count is as read.
    late = racing(lambda: writes.apply([withdrawal, recorded_again]))

    assert late.apply([withdrawal]) == 0

    body = course_analytics(COURSE).exact_body()
    assert (body["learnerCount"], body["sessionCount"], body["timeStudied"]) == (1, 2, 25)
