"""Turning analytics on over a table that already holds sessions: the backfill counts each
stored session once, whatever the stream delivers meanwhile, never adds back a session
withdrawn after it was read, and runs again harmlessly."""

from __future__ import annotations

from typing import Any

import pytest

from stats_api.analytics_stream import contribution
from stats_api.analytics_writes import analytics_writes
from stats_tools import analytics_backfill
from tests.support.analytics import (
    ANALYTICS_TABLE,
    StreamTap,
    aggregate,
    course_analytics,
    truth,
)
from tests.support.handler_client import TABLE, record, session_body, withdraw

COURSE = "algebra-1"


@pytest.fixture
def client(streamed_dynamodb: Any) -> Any:
    return streamed_dynamodb


def post(user: str, **fields: Any) -> str:
    response = record(COURSE, user=user, body=session_body(**fields))
    assert response.status == 201
    return str(response.body["sessionId"])


def backfill(client: Any, *, confirm: bool = True) -> tuple[int, int]:
    return analytics_backfill.backfill(client, TABLE, analytics_writes(), confirm=confirm, batch=2)


def assert_exact(client: Any) -> None:
    expected = truth(client)[COURSE]
    body = course_analytics(COURSE).exact_body()
    assert (body["learnerCount"], body["sessionCount"], body["timeStudied"]) == (
        expected.learner_count,
        expected.totals.session_count,
        expected.totals.time_studied,
    )


def test_should_write_nothing_on_a_dry_run(client: Any) -> None:
    post("ada")
    post("bob")

    assert backfill(client, confirm=False) == (2, 0)
    assert client.scan(TableName=ANALYTICS_TABLE)["Items"] == []


def test_should_count_each_stored_session_once_with_the_stream_running(client: Any) -> None:
    tap = StreamTap()
    before = [post("ada"), post("ada", timeStudied=1.5), post("bob")]
    tap.take()  # recorded before analytics were on: the stream never delivers these
    during = post("cy")  # recorded while the backfill runs: the stream delivers it too

    assert backfill(client) == (4, 4)
    aggregate(tap.take())  # cy's record finds its marker: counted once
    assert backfill(client) == (4, 0)  # again: nothing to add

    assert_exact(client)
    assert withdraw(before[0], COURSE, user="ada").status == 204
    assert withdraw(during, COURSE, user="cy").status == 204
    aggregate(tap.take())  # withdrawals take off what the backfill added
    assert_exact(client)
    assert course_analytics(COURSE).body["learnerCount"] == 2


def test_should_not_add_back_a_session_withdrawn_after_it_was_read(client: Any) -> None:
    tap = StreamTap()
    kept, gone = post("ada"), post("bob")
    read = list(analytics_backfill.sessions(client, TABLE))  # the backfill's scan
    assert withdraw(gone, COURSE, user="bob").status == 204
    removal = [r for r in tap.take() if r["eventName"] == "REMOVE" and contribution(r)]

    aggregate(removal)  # the stream's withdrawal first: no marker to take off yet
    assert analytics_writes().apply(read, still_stored_in=TABLE) == 1

    assert course_analytics(COURSE).body["sessionCount"] == 1
    assert kept in str(client.scan(TableName=ANALYTICS_TABLE)["Items"])
    assert_exact(client)


def test_should_not_count_an_old_reading_of_a_session_recorded_anew(client: Any) -> None:
    session_id = post("ada", timeStudied=10)
    read = list(analytics_backfill.sessions(client, TABLE))
    withdraw(session_id, COURSE, user="ada")
    post("ada", sessionId=session_id, timeStudied=20)  # the same id, other minutes

    assert analytics_writes().apply(read, still_stored_in=TABLE) == 0
    assert backfill(client) == (1, 1)
    assert course_analytics(COURSE).exact_body()["timeStudied"] == 20
