"""What an erasure publishes and what it tells the operator about the LRS: each session is
marked before it goes, so its stream record is a ``SessionErased`` (never a withdrawal),
and the report names the xAPI actor and the statements the LRS must delete by hand."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from stats_api import timestamps
from stats_api.learning_events import SESSION_ERASED
from stats_api.learning_events_stream import learning_event
from stats_api.table_access import default_table
from stats_api.xapi_statements import statement_id, voiding_statement_id
from stats_tools import erasure
from tests.support.analytics import StreamTap
from tests.support.handler_client import TABLE, record, session_body, table_items, withdraw
from tests.support.stream_records import passes_session_change_filters

SESSION = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
RECORDED = datetime.datetime(2026, 11, 4, 10, tzinfo=datetime.UTC)


@pytest.fixture
def tap(streamed_dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> StreamTap:
    monkeypatch.setattr(timestamps, "now", lambda: RECORDED)
    return StreamTap()


def test_should_publish_each_erased_session_as_erased_and_nobody_elses(
    streamed_dynamodb: Any, tap: StreamTap
) -> None:
    for user in ("leaver", "stayer"):
        for course in ("algebra-1", "geometry"):
            assert record(course, user=user, body=session_body()).status == 201
    tap.take()

    erasure.erase(default_table(), "leaver", confirm=True)

    events = [event for r in tap.take() if (event := learning_event(r)) is not None]
    assert [(e.kind, e.user_id) for e in events] == [(SESSION_ERASED, "leaver")] * 2
    assert [item["userId"]["S"] for item in table_items(streamed_dynamodb)] == ["stayer"] * 4


def test_should_not_write_back_a_session_withdrawn_while_the_erasure_ran(
    streamed_dynamodb: Any, tap: StreamTap
) -> None:
    assert record(user="leaver", body=session_body(sessionId=SESSION)).status == 201
    keys = [k for k in erasure.learner_keys(default_table(), "leaver") if k["sessionId"] == SESSION]
    assert withdraw(SESSION, user="leaver").status == 204

    erasure.mark_erased(default_table(), keys, "2026-12-01T10:00:00.000000Z")

    assert table_items(streamed_dynamodb) == []


def test_should_tell_the_operator_what_to_delete_at_the_lrs(
    streamed_dynamodb: Any, tap: StreamTap, capsys: pytest.CaptureFixture[str]
) -> None:
    assert record(user="leaver", body=session_body(sessionId=SESSION)).status == 201
    completed = statement_id("leaver", SESSION, "2026-11-04T10:00:00.000000Z")

    args = ["--user", "leaver", "--table", TABLE, "--lrs-home-page", "https://learn.example.com"]
    assert erasure.main(args) == 0

    actor = {
        "objectType": "Agent",
        "account": {"homePage": "https://learn.example.com", "name": "leaver"},
    }
    assert capsys.readouterr().out.splitlines() == [
        f"table {TABLE}: would delete (dry run; --confirm deletes) for user 'leaver': "
        "1 sessions, 1 course stats, 2 items",
        "At the LRS: xAPI cannot delete a statement. The SessionErased events void this "
        "learner's statements as they reach it, but voided statements stay stored. Delete "
        "every statement of the actor",
        f"  {json.dumps(actor)}",
        "with the LRS's own administration (its erase-person or delete-by-actor feature): "
        "GET <statements endpoint>?agent=<that actor> lists those not voided. Among them, "
        "the 1 completed statements of the sessions erased now and their voiding statements:",
        f"  {completed}  voided by {voiding_statement_id(completed)}",
        "The event archive keeps this learner's events for 35 days: replay no window of it "
        "to the LRS's rule, or delete at the LRS again after.",
    ]


def test_should_say_nothing_of_an_lrs_where_the_stage_has_none(
    streamed_dynamodb: Any, tap: StreamTap, capsys: pytest.CaptureFixture[str]
) -> None:
    assert record(user="leaver", body=session_body()).status == 201
    assert erasure.main(["--user", "leaver", "--table", TABLE, "--confirm"]) == 0
    assert capsys.readouterr().out == (
        f"table {TABLE}: deleted for user 'leaver': 1 sessions, 1 course stats, 2 items\n"
    )


def test_should_make_an_event_of_exactly_the_records_the_stream_filter_passes(
    streamed_dynamodb: Any, tap: StreamTap
) -> None:
    assert record(user="ada", body=session_body(sessionId=SESSION)).status == 201
    assert record(user="ada", body=session_body(sessionId=SESSION)).status == 200  # a replay
    assert withdraw(SESSION, user="ada").status == 204
    assert record(user="ada", body=session_body()).status == 201
    erasure.erase(default_table(), "ada", confirm=True)

    records = tap.take()
    made = [learning_event(r) is not None for r in records]
    assert made == [passes_session_change_filters(r) for r in records]
    # Recorded, withdrawn, recorded, erased: the course stats' records and the erasure's
    # marking make none.
    assert [e.kind.detail_type for r in records if (e := learning_event(r))] == [
        "SessionRecorded",
        "SessionWithdrawn",
        "SessionRecorded",
        "SessionErased",
    ]
    assert {r["eventName"] for r in records} == {"INSERT", "MODIFY", "REMOVE"}
