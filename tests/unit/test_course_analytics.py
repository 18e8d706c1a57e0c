"""Course analytics, kept from the sessions table's stream: each recorded session counted
once and each withdrawal and erasure taken off exactly, however the records arrive (twice,
out of order across shards, in a batch that fails half way and is retried); read back
through the two analytics routes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from stats_api import analytics_keys, table_access
from stats_api.analytics_reads import AnalyticsReads
from stats_api.analytics_stream import contribution
from stats_api.analytics_writes import AnalyticsWrites, analytics_writes
from stats_api.contributions import Contribution
from stats_api.errors import TemporarilyUnavailable
from stats_api.learner_stats import Session
from stats_api.table_access import default_table
from stats_devkit.store_probe import StoreProbe, watching_store
from stats_tools.erasure import delete_items, learner_keys
from tests.support.analytics import (
    ANALYTICS_TABLE,
    StreamTap,
    aggregate,
    all_days,
    course_analytics,
    course_days,
    interleaved_shards,
    truth,
)
from tests.support.forged_cursors import days_scope, resigned_with
from tests.support.handler_client import record, session_body, withdraw
from tests.support.stream_records import passes_session_change_filters

COURSE = "algebra-1"


@pytest.fixture
def client(streamed_dynamodb: Any) -> Any:
    return streamed_dynamodb


@pytest.fixture
def tap(client: Any) -> StreamTap:
    return StreamTap()


@pytest.fixture
def probe(client: Any) -> Iterator[StoreProbe]:
    """A probe on the functions' client (created afresh with it): the handlers' calls and
    the aggregator's."""
    with watching_store(StoreProbe()) as probe:
        yield probe


def post(user: str, course: str = COURSE, **fields: Any) -> dict[str, Any]:
    response = record(course, user=user, body=session_body(**fields))
    assert response.status in {200, 201}, response.body
    body: dict[str, Any] = response.body
    return body


def assert_matches_learners(client: Any, course: str = COURSE) -> None:
    """The course's analytics equal the sum of its learners' own sessions, day by day."""
    expected = truth(client).get(course)
    answer = course_analytics(course)
    if expected is None:
        assert answer.status == 404
        return
    assert answer.status == 200, answer.body
    body = answer.exact_body()
    assert (body["learnerCount"], body["sessionCount"]) == (
        expected.learner_count,
        expected.totals.session_count,
    )
    assert body["totalModulesStudied"] == expected.totals.total_modules_studied
    assert body["timeStudied"] == expected.totals.time_studied
    assert body["averageScore"] == expected.totals.average_score
    assert {day["date"]: day["sessionCount"] for day in all_days(course)} == {
        day: totals.session_count for day, totals in expected.days.items()
    }


def test_should_count_a_recorded_session_across_learners(client: Any, tap: StreamTap) -> None:
    post("ada", averageScore=90, completedAt="2026-11-27T10:00:00Z")
    post("ada", averageScore=80, completedAt="2026-11-28T23:59:59Z")
    post("bob", averageScore=71, timeStudied=1.666667, completedAt="2026-11-28T00:00:00Z")

    aggregate(tap.take())

    body = course_analytics(COURSE).exact_body()
    assert {k: body[k] for k in ("courseId", "learnerCount", "sessionCount")} == {
        "courseId": COURSE,
        "learnerCount": 2,
        "sessionCount": 3,
    }
    assert body["totalModulesStudied"] == 9
    assert body["timeStudied"] == Decimal("92.666667")
    assert body["averageScore"] == Decimal("80.333333")  # (90 + 80 + 71) / 3, half-even
    assert body["updatedAt"].endswith("Z")
    assert [(d["date"], d["sessionCount"]) for d in all_days(COURSE)] == [
        ("2026-11-27", 1),
        ("2026-11-28", 2),
    ]


def test_should_count_each_session_once_when_a_batch_arrives_twice(
    client: Any, tap: StreamTap
) -> None:
    post("ada")
    post("bob")
    batch = tap.take()

    assert aggregate(batch) == {"applied": 2}
    assert aggregate(batch) == {"applied": 0}
    assert aggregate(batch[1:] + batch[:1]) == {"applied": 0}

    assert course_analytics(COURSE).body["sessionCount"] == 2
    assert_matches_learners(client)


def test_should_count_a_replayed_post_once(client: Any, tap: StreamTap) -> None:
    session = post("ada")
    post("ada", sessionId=session["sessionId"])  # a client retry: 200, no new record

    aggregate(tap.take())

    assert course_analytics(COURSE).body["sessionCount"] == 1


def test_should_end_exact_whatever_the_order_across_shards(client: Any, tap: StreamTap) -> None:
    sessions = [
        post(f"learner-{n % 4}", completedAt=f"2026-11-{10 + n % 3}T08:00:00Z") for n in range(12)
    ]
    withdrawn = sessions[::3]
    for session in withdrawn:
        assert withdraw(session["sessionId"], COURSE, user=_owner(client, session)).status == 204
    records = tap.take()
    # Each item's records stay in order (one item, one shard); shards interleave freely.
    interleaved = interleaved_shards(records, random.Random(19))  # noqa: S311

    for start in range(0, len(interleaved), 5):
        aggregate(interleaved[start : start + 5])

    assert course_analytics(COURSE).body["sessionCount"] == len(sessions) - len(withdrawn)
    assert_matches_learners(client)


def test_should_end_exact_when_a_batch_fails_half_way_and_is_retried(
    client: Any, tap: StreamTap, probe: StoreProbe
) -> None:
    for course in ("algebra-1", "biology-2", "chemistry-3"):
        post("ada", course)
        post("bob", course)
    batch = tap.take()
    # The second course's transaction commits but its answer is lost; from then on no call
    # reaches DynamoDB (a network partition): the aggregator's own retries run out.
    calls = {"n": 0}
    partitioned = {"on": True}

    def lose_the_second_answer(**_: Any) -> None:
        if calls["n"] == 2:
            raise ReadTimeoutError(endpoint_url="https://dynamodb")

    def partition_after_the_second(**_: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 2 and partitioned["on"]:
            raise ConnectTimeoutError(endpoint_url="https://dynamodb")

    events = table_access.dynamodb_client().meta.events
    events.register("before-call.dynamodb.TransactWriteItems", partition_after_the_second)
    events.register("after-call.dynamodb.TransactWriteItems", lose_the_second_answer)

    with pytest.raises(TemporarilyUnavailable):
        aggregate(batch)
    partitioned["on"] = False
    assert aggregate(batch) == {"applied": 2}  # Lambda's retry: only the third course was out

    for course in ("algebra-1", "biology-2", "chemistry-3"):
        assert course_analytics(course).body["sessionCount"] == 2
        assert_matches_learners(client, course)


def test_should_retry_a_transaction_that_conflicted_within_the_batch(
    client: Any, tap: StreamTap, probe: StoreProbe
) -> None:
    post("ada")
    post("bob")
    probe.reset()  # the POSTs' own transactions
    conflict = probe.error(
        "TransactionCanceledException",
        CancellationReasons=[{"Code": "TransactionConflict"}] * 4,
    )
    probe.answer_next("TransactWriteItems", conflict)

    assert aggregate(tap.take()) == {"applied": 2}

    assert [c.operation for c in probe.calls].count("TransactWriteItems") == 2
    assert course_analytics(COURSE).body["sessionCount"] == 2


def test_should_take_off_exactly_a_withdrawal_and_the_learner_with_its_last_session(
    client: Any, tap: StreamTap
) -> None:
    kept = post("ada", timeStudied=0.1, averageScore=100)
    gone = post("ada", timeStudied=0.2, averageScore=0)
    only = post("bob", timeStudied=0.3)
    aggregate(tap.take())
    assert course_analytics(COURSE).body["learnerCount"] == 2

    assert withdraw(gone["sessionId"], COURSE, user="ada").status == 204
    assert withdraw(only["sessionId"], COURSE, user="bob").status == 204
    aggregate(tap.take())

    body = course_analytics(COURSE).exact_body()
    assert (body["learnerCount"], body["sessionCount"]) == (1, 1)
    assert (body["timeStudied"], body["averageScore"]) == (Decimal("0.1"), 100)
    assert kept["sessionId"] in str(_analytics_items(client))
    assert "bob" not in str(_analytics_items(client))  # no trace of a learner who left


def test_should_answer_404_once_a_course_has_no_sessions_left(client: Any, tap: StreamTap) -> None:
    session = post("ada", completedAt="2026-11-28T10:00:00Z")
    aggregate(tap.take())
    withdraw(session["sessionId"], COURSE, user="ada")
    aggregate(tap.take())

    assert course_analytics(COURSE).status == 404
    assert course_days(COURSE).status == 404
    assert course_analytics("never-studied").status == 404


def test_should_take_off_an_erased_learner(client: Any, tap: StreamTap) -> None:
    post("ada")
    post("ada", "biology-2")
    post("bob")
    aggregate(tap.take())

    delete_items(default_table(), list(learner_keys(default_table(), "ada")))  # make erase
    aggregate(tap.take())

    body = course_analytics(COURSE).body
    assert (body["learnerCount"], body["sessionCount"]) == (1, 1)
    assert course_analytics("biology-2").status == 404
    assert "ada" not in str(_analytics_items(client))


def test_should_not_let_a_replayed_withdrawal_take_off_the_session_recorded_again(
    client: Any, tap: StreamTap
) -> None:
    session = post("ada")
    withdraw(session["sessionId"], COURSE, user="ada")
    post("ada", sessionId=session["sessionId"])  # recorded anew after its withdrawal
    insert, remove, insert_again = [r for r in tap.take() if contribution(r) is not None]

    aggregate([insert, remove, insert_again])
    aggregate([remove])  # the withdrawal delivered again, late
    assert course_analytics(COURSE).body["sessionCount"] == 1
    aggregate([insert])

    assert course_analytics(COURSE).body["sessionCount"] == 1


def test_should_ignore_records_of_anything_but_sessions(client: Any, tap: StreamTap) -> None:
    session = post("ada")
    post("ada")  # the course stats item: created, then modified
    withdraw(session["sessionId"], COURSE, user="ada")
    records = tap.take()

    read = {
        (r["eventName"], r["dynamodb"]["Keys"]["sessionId"]["S"].startswith("course#")): (
            contribution(r) is not None
        )
        for r in records
    }
    assert read == {
        ("INSERT", False): True,  # sessions
        ("REMOVE", False): True,
        ("INSERT", True): False,  # the course stats item
        ("MODIFY", True): False,
    }
    # The event source mapping's filter lets through exactly what the handler reads.
    assert {
        r["eventName"]: passes_session_change_filters(r) for r in records if contribution(r)
    } == {
        "INSERT": True,
        "REMOVE": True,
    }
    assert not any(passes_session_change_filters(r) for r in records if contribution(r) is None)


def test_should_batch_a_hot_course_into_few_writes_of_its_totals(
    client: Any, probe: StoreProbe
) -> None:
    changes = [_change(f"learner-{n}", n) for n in range(120)]

    assert analytics_writes().apply(changes) == 120

    transactions = [c for c in probe.calls if c.operation == "TransactWriteItems"]
    assert all(len(c.params["TransactItems"]) <= 100 for c in transactions)
    # 120 sessions of 120 learners, 2 items each, plus the totals and the day: 49 sessions
    # fill a transaction, so 3 transactions, 3 writes of the course's totals.
    assert [len(c.params["TransactItems"]) for c in transactions] == [100, 100, 46]
    assert course_analytics(COURSE).body["sessionCount"] == 120


def test_should_page_days_oldest_first_exactly_once(client: Any, tap: StreamTap) -> None:
    dates = [f"2026-{month:02d}-{day:02d}" for month in (1, 2) for day in (1, 15, 28)]
    for n, date in enumerate(dates * 2):
        post(f"learner-{n}", completedAt=f"{date}T12:00:00Z")
    aggregate(tap.take())

    first = course_days(COURSE, limit="4").body
    assert [d["date"] for d in first["days"]] == dates[:4]
    assert [d["sessionCount"] for d in first["days"]] == [2, 2, 2, 2]
    assert [d["date"] for d in all_days(COURSE, limit="1")] == dates


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2026-01-15T00:00:00Z", None, ["2026-01-15", "2026-01-28"]),  # a midnight: in
        ("2026-01-14T00:00:00.000001Z", None, ["2026-01-15", "2026-01-28"]),
        (None, "2026-01-28T00:00:00Z", ["2026-01-01", "2026-01-15"]),  # until: out
        (None, "2026-01-28T00:00:00.000001Z", ["2026-01-01", "2026-01-15", "2026-01-28"]),
        ("2026-01-15T00:00:00Z", "2026-01-15T00:00:00Z", []),
        (
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            ["2026-01-01", "2026-01-15", "2026-01-28"],
        ),
        ("9999-12-31T00:00:01Z", None, []),
    ],
)
def test_should_select_the_days_whose_midnight_lies_in_the_window(
    client: Any, tap: StreamTap, since: str | None, until: str | None, expected: list[str]
) -> None:
    for day in ("01", "15", "28"):
        post("ada", completedAt=f"2026-01-{day}T12:00:00Z")
    aggregate(tap.take())
    query = {k: v for k, v in (("since", since), ("until", until)) if v is not None}

    assert [d["date"] for d in all_days(COURSE, **query)] == expected


@pytest.mark.parametrize(("limit", "status"), [("1", 200), ("366", 200), ("0", 400), ("367", 400)])
def test_should_take_1_to_366_days_per_page(
    client: Any, tap: StreamTap, limit: str, status: int
) -> None:
    post("ada")
    aggregate(tap.take())

    assert course_days(COURSE, limit=limit).status == status


def test_should_refuse_a_cursor_of_another_window_or_course(client: Any, tap: StreamTap) -> None:
    for day in ("01", "02"):
        post("ada", completedAt=f"2026-01-{day}T12:00:00Z")
        post("ada", "biology-2", completedAt=f"2026-01-{day}T12:00:00Z")
    aggregate(tap.take())
    cursor = course_days(COURSE, limit="1").body["nextCursor"]

    assert course_days(COURSE, limit="1", cursor=cursor).status == 200
    assert course_days("biology-2", limit="1", cursor=cursor).status == 400
    assert course_days(COURSE, limit="1", cursor=cursor, since="2026-01-01T00:00:00Z").status == 400
    assert course_days(COURSE, cursor=cursor + "x").status == 400


def test_should_refuse_a_cursor_forged_for_a_day_outside_the_window(
    client: Any, tap: StreamTap
) -> None:
    # The cursor's digest has no secret: anyone can sign a day for this query. The window
    # check alone keeps such a cursor inside it.
    for day in ("01", "02", "03", "04"):
        post("ada", completedAt=f"2026-01-{day}T12:00:00Z")
    aggregate(tap.take())
    window = {"since": "2026-01-02T00:00:00Z", "until": "2026-01-04T00:00:00Z"}
    scope = days_scope(COURSE, "2026-01-02 00:00:00+00:00", "2026-01-04 00:00:00+00:00")
    cursor = course_days(COURSE, limit="1", **window).body["nextCursor"]

    def page_after(**key: str) -> int:
        forged = resigned_with(cursor, scope, scope, **key)
        return course_days(COURSE, limit="1", cursor=forged, **window).status

    assert page_after(date="2026-01-02") == 200
    assert page_after(date="2026-01-01") == 400  # before the window
    assert page_after(date="2026-01-04") == 400  # after it
    assert page_after(date="2026-01-02", sk="2026-01-02") == 400  # not a key it issues


def test_should_end_the_days_without_a_cursor_when_exactly_the_limit_remain(
    client: Any, tap: StreamTap
) -> None:
    for day in ("01", "02"):
        post("ada", completedAt=f"2026-01-{day}T12:00:00Z")
    aggregate(tap.take())

    page = course_days(COURSE, limit="2").body

    assert [d["date"] for d in page["days"]] == ["2026-01-01", "2026-01-02"]
    assert page["nextCursor"] is None


def test_should_round_a_tied_mean_half_even_as_the_learners_course_stats_do(
    client: Any, tap: StreamTap
) -> None:
    post("ada", averageScore=0.000001, completedAt="2026-01-01T12:00:00Z")
    post("bob", averageScore=0, completedAt="2026-01-01T13:00:00Z")
    aggregate(tap.take())

    # (0.000001 + 0) / 2 = 0.0000005: the even neighbour is 0, half-up would give 0.000001.
    assert course_analytics(COURSE).exact_body()["averageScore"] == 0
    assert [d["averageScore"] for d in all_days(COURSE)] == [0]


def test_should_spread_a_course_over_its_shards_and_read_them_all(client: Any) -> None:
    shards = iter(range(analytics_keys.SHARDS))
    table = table_access.TableAccess(client, ANALYTICS_TABLE)
    writes = AnalyticsWrites(table, choose_shard=lambda: next(shards))
    for n in range(analytics_keys.SHARDS):
        writes.apply([_change(f"learner-{n}", n)])

    reads = AnalyticsReads(table)
    totals = reads.course_analytics(COURSE)
    assert totals is not None
    assert (totals.learner_count, totals.totals.session_count) == (analytics_keys.SHARDS,) * 2
    assert totals.totals.average_score == Decimal("4.5")  # (0 + 1 + ... + 9) / 10
    page = reads.daily(COURSE, reads.totals(COURSE).keys(), ("2026-11-28", "2026-11-28"), 1, None)
    assert [day.totals.session_count for day in page.items] == [analytics_keys.SHARDS]


def test_should_read_days_only_on_the_shards_holding_a_share_of_the_totals(
    client: Any, probe: StoreProbe
) -> None:
    shards = iter([2, 7, 2, 7])
    table = table_access.TableAccess(client, ANALYTICS_TABLE)
    writes = AnalyticsWrites(table, choose_shard=lambda: next(shards))
    for n, day in enumerate(["2026-01-02", "2026-01-01", "2026-01-03", "2026-01-02"]):
        writes.apply([_change(f"learner-{n}", n, day)])

    days = all_days(COURSE, limit="1")

    assert [(d["date"], d["sessionCount"]) for d in days] == [
        ("2026-01-01", 1),
        ("2026-01-02", 2),  # one on each shard
        ("2026-01-03", 1),
    ]
    # Each page: the shares of the totals, then a Query on each shard holding one.
    assert probe.operations == ["BatchGetItem", "Query", "Query"] * 3
    queried = [c.params["ExpressionAttributeValues"][":pk"]["S"] for c in probe.calls[1:3]]
    assert queried == ["daily#algebra-1#2", "daily#algebra-1#7"]


def test_should_answer_404_for_the_days_of_a_course_never_studied_in_one_read(
    client: Any, probe: StoreProbe
) -> None:
    assert course_days("never-studied").status == 404
    assert probe.operations == ["BatchGetItem"]


def test_should_keep_every_share_of_the_totals_that_holds_days_once_all_is_withdrawn(
    client: Any, tap: StreamTap
) -> None:
    # What AnalyticsReads.daily relies on: days only where a share of the totals is.
    sessions = [post(f"learner-{n}", completedAt=f"2026-01-0{n + 1}T12:00:00Z") for n in range(3)]
    aggregate(tap.take())
    for n, session in enumerate(sessions):
        withdraw(session["sessionId"], COURSE, user=f"learner-{n}")
        aggregate(tap.take())

    keys = [item["pk"]["S"] for item in client.scan(TableName=ANALYTICS_TABLE)["Items"]]
    shards_of = {
        kind: {k.rsplit("#", 1)[1] for k in keys if k.startswith(kind)}
        for kind in ("daily#", "total#")
    }
    assert shards_of["daily#"]
    assert shards_of["daily#"] <= shards_of["total#"]
    assert course_days(COURSE).status == 404


def _change(user: str, n: int, day: str = "2026-11-28") -> Contribution:
    session = Session(
        session_id=f"{n:08d}-0000-4000-8000-000000000000",
        course_id=COURSE,
        total_modules_studied=1,
        time_studied=Decimal(1),
        average_score=Decimal(n % 10),
        completed_at=f"{day}T09:00:00.000000Z",
    )
    return Contribution(user, session, +1, sequence=n + 1)


def _owner(client: Any, session: dict[str, Any]) -> str:
    items = client.scan(TableName="stats-test")["Items"]
    return str(next(i["userId"]["S"] for i in items if i["sessionId"]["S"] == session["sessionId"]))


def _analytics_items(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.scan(TableName=ANALYTICS_TABLE)["Items"]
    return items
