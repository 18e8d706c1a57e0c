"""The planning of course analytics, without a table: which change takes effect, how a batch
is cut into transactions that fit DynamoDB's 100 items, what a transaction adds, which days a
window holds, and how shares and days are merged into what the routes answer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

import pytest

from stats_api.analytics_writes import AnalyticsWrites
from stats_api.contributions import (
    Contribution,
    Effect,
    Marker,
    chunks,
    rounds,
    takes_effect,
    transaction_size,
)
from stats_api.course_analytics import CourseAnalytics, TotalsShare, day_range, page_of_days
from stats_api.learner_stats import Session, Totals
from stats_api.table_access import TableAccess

COURSE = "algebra-1"
DAY = "2026-11-28"
UTC = datetime.UTC


def change(
    user: str = "ada",
    n: int = 0,
    *,
    sign: int = +1,
    sequence: int = 1,
    day: str = DAY,
    minutes: str = "1",
) -> Contribution:
    session = Session(
        session_id=f"{n:08d}-0000-4000-8000-000000000000",
        course_id=COURSE,
        total_modules_studied=1,
        time_studied=Decimal(minutes),
        average_score=Decimal(50),
        completed_at=f"{day}T09:00:00.000000Z",
    )
    return Contribution(user, session, sign, sequence)


def transaction(changes: list[Contribution], *, checked: bool) -> list[dict[str, Any]]:
    """The transaction the writes build for ``changes`` (additions of sessions nobody has
    counted yet, their learners new), without calling DynamoDB."""
    writes = AnalyticsWrites(TableAccess(cast(Any, None), "analytics"), choose_shard=lambda: 0)
    counts = dict.fromkeys({c.user_id for c in changes}, 0)
    items, _ = writes.transaction(changes, {}, counts, "sessions" if checked else None)
    return items


# --- a transaction never exceeds DynamoDB's 100 items ----------------------------------


def test_should_fit_97_sessions_of_one_learner_in_one_transaction_of_100_items() -> None:
    # Per session its marker, plus the learner's count, the day's share, the totals' share.
    sessions = [change("ada", n) for n in range(97)]

    assert transaction_size(sessions, checked=False) == 100
    assert [len(c) for c in chunks(sessions, checked=False)] == [97]
    assert len(transaction(sessions, checked=False)) == 100


def test_should_cut_98_sessions_of_one_learner_where_they_would_need_101_items() -> None:
    sessions = [change("ada", n) for n in range(98)]

    assert transaction_size(sessions, checked=False) == 101
    assert [len(c) for c in chunks(sessions, checked=False)] == [97, 1]


def test_should_fit_the_backfills_33_sessions_of_32_learners_in_100_items() -> None:
    # The backfill checks each session is still stored: two items a session.
    sessions = [change(f"learner-{n % 32}", n) for n in range(33)]

    assert transaction_size(sessions, checked=True) == 100
    assert [len(c) for c in chunks(sessions, checked=True)] == [33]
    assert len(transaction(sessions, checked=True)) == 100


def test_should_cut_the_backfills_33_sessions_of_33_learners_needing_101_items() -> None:
    sessions = [change(f"learner-{n}", n) for n in range(33)]

    assert transaction_size(sessions, checked=True) == 101
    assert [len(c) for c in chunks(sessions, checked=True)] == [32, 1]


@pytest.mark.parametrize("checked", [False, True])
def test_should_count_exactly_the_items_the_transaction_holds(checked: bool) -> None:
    sessions = [change(f"learner-{n % 5}", n, day=f"2026-11-{10 + n % 3}") for n in range(20)]

    assert len(transaction(sessions, checked=checked)) == transaction_size(
        sessions, checked=checked
    )


def test_should_put_each_session_of_a_batch_in_one_round_at_a_time() -> None:
    added, withdrawn, added_again = (
        change(sequence=1),
        change(sign=-1, sequence=2),
        change(sequence=3),
    )
    other = change("bob", 1)

    assert list(rounds([added, other, withdrawn, added_again])) == [
        [added, other],
        [withdrawn],
        [added_again],
    ]


# --- which change takes effect, and what it adds -------------------------------------


@pytest.mark.parametrize(
    ("sign", "marker_sequence", "effect"),
    [
        (+1, None, True),  # a session not counted yet
        (+1, 5, False),  # a replay: its marker is there
        (-1, 5, True),  # a withdrawal after its recording
        (-1, 7, False),  # the session recorded anew since: not this withdrawal's to take
        (-1, None, False),  # a replayed withdrawal: nothing left to take off
    ],
)
def test_should_apply_a_change_once_by_its_sessions_marker(
    sign: int, marker_sequence: int | None, effect: bool
) -> None:
    marker = None if marker_sequence is None else Marker(marker_sequence, DAY, Totals())

    assert takes_effect(change(sign=sign, sequence=7 if sign > 0 else 6), marker) is effect


def test_should_take_off_what_the_marker_added_on_its_day_whatever_the_record_says() -> None:
    withdrawal = change("ada", 1, sign=-1, sequence=9, day="2026-11-30", minutes="99")
    marker = Marker(3, "2026-11-28", Totals(1, 4, Decimal("2.5"), Decimal(80)))
    addition = change("bob", 2, minutes="1.5")

    effect = Effect.of([withdrawal, addition], {withdrawal.marker_id: marker}, {"ada": 1, "bob": 0})

    assert effect.total == Totals(0, -3, Decimal("-1.0"), Decimal(-30))
    assert effect.days == {
        "2026-11-28": Totals(0, -3, Decimal("-1.0"), Decimal(-30)),
    }
    assert effect.counts == {"ada": (1, 0), "bob": (0, 1)}
    assert effect.learners == 0  # ada left, bob came


def test_should_count_a_learner_once_whatever_its_sessions() -> None:
    effect = Effect.of([change("ada", 1), change("ada", 2)], {}, {"ada": 3})

    assert (effect.counts, effect.learners) == ({"ada": (3, 5)}, 0)


def test_should_write_a_transactions_days_on_the_shard_of_its_share_of_the_totals() -> None:
    # AnalyticsReads.daily reads days only on the shards holding a share of the totals.
    writes = AnalyticsWrites(TableAccess(cast(Any, None), "analytics"), choose_shard=lambda: 7)
    withdrawal = change("ada", 1, sign=-1, sequence=9)
    marker = Marker(3, "2026-11-20", Totals(1, 4, Decimal("2.5"), Decimal(80)))
    changes = [withdrawal, change("bob", 2, day="2026-11-27"), change("cy", 3, day="2026-11-28")]

    items, _ = writes.transaction(
        changes, {withdrawal.marker_id: marker}, {"ada": 1, "bob": 0, "cy": 0}
    )

    assert [
        (i["Update"]["Key"]["pk"]["S"], i["Update"]["Key"]["sk"]["S"])
        for i in items
        if "Update" in i
    ] == [
        ("total#algebra-1#7", "total"),
        ("daily#algebra-1#7", "2026-11-20"),  # the withdrawal's, on its marker's day
        ("daily#algebra-1#7", "2026-11-27"),
        ("daily#algebra-1#7", "2026-11-28"),
    ]


# --- the window of days ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "days"),
    [
        (datetime.datetime(2026, 1, 15, tzinfo=UTC), None, ("2026-01-15", "9999-12-31")),
        # Mid-day: that day's midnight is before the window, so it starts the next day.
        (
            datetime.datetime(2026, 1, 14, 0, 0, 0, 1, tzinfo=UTC),
            None,
            ("2026-01-15", "9999-12-31"),
        ),
        (datetime.datetime(2026, 1, 14, 23, tzinfo=UTC), None, ("2026-01-15", "9999-12-31")),
        # A local time: its UTC day counts.
        (
            datetime.datetime(
                2026, 1, 15, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            None,
            ("2026-01-15", "9999-12-31"),
        ),
        # until is excluded: a midnight ends the day before.
        (None, datetime.datetime(2026, 1, 28, tzinfo=UTC), ("0001-01-01", "2026-01-27")),
        (
            None,
            datetime.datetime(2026, 1, 28, 0, 0, 0, 1, tzinfo=UTC),
            ("0001-01-01", "2026-01-28"),
        ),
        (None, None, ("0001-01-01", "9999-12-31")),
    ],
)
def test_should_hold_the_days_whose_midnight_lies_in_the_window(
    since: datetime.datetime | None, until: datetime.datetime | None, days: tuple[str, str]
) -> None:
    assert day_range(since, until) == days


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (datetime.datetime(2026, 1, 15, tzinfo=UTC), datetime.datetime(2026, 1, 15, tzinfo=UTC)),
        (
            datetime.datetime(2026, 1, 15, 1, tzinfo=UTC),
            datetime.datetime(2026, 1, 15, 23, tzinfo=UTC),
        ),
        (datetime.datetime(9999, 12, 31, 0, 0, 1, tzinfo=UTC), None),
        (None, datetime.datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_should_hold_no_day_when_no_midnight_lies_in_the_window(
    since: datetime.datetime | None, until: datetime.datetime | None
) -> None:
    assert day_range(since, until) is None


# --- what the routes answer --------------------------------------------------------------


def test_should_end_the_days_without_a_cursor_when_exactly_the_limit_remain() -> None:
    shares = [("2026-01-02", Totals(1)), ("2026-01-01", Totals(1)), ("2026-01-02", Totals(2))]

    days, last = page_of_days(shares, limit=2)

    assert [(d.date, d.totals.session_count) for d in days] == [
        ("2026-01-01", 1),
        ("2026-01-02", 3),
    ]
    assert last is None


def test_should_name_the_last_day_of_a_page_when_more_follow() -> None:
    shares = [(f"2026-01-0{n}", Totals(1)) for n in (3, 1, 2)]

    days, last = page_of_days(shares, limit=2)

    assert [d.date for d in days] == ["2026-01-01", "2026-01-02"]
    assert last == "2026-01-02"


def test_should_leave_out_a_day_whose_sessions_were_all_withdrawn() -> None:
    days, _ = page_of_days([("2026-01-01", Totals(1)), ("2026-01-01", Totals(-1))], limit=5)

    assert days == []


def test_should_date_a_courses_analytics_by_its_newest_share() -> None:
    shares = [
        TotalsShare(Totals(2, 3, Decimal(4), Decimal(100)), 2, "2026-11-28T10:00:00.000000Z"),
        TotalsShare(Totals(1, 1, Decimal(1), Decimal(51)), 1, "2026-11-28T11:00:00.000000Z"),
        TotalsShare(Totals(), 0, "2026-11-27T09:00:00.000000Z"),
    ]

    analytics = CourseAnalytics.of_shares(COURSE, shares)

    assert analytics is not None
    assert analytics.updated_at == "2026-11-28T11:00:00.000000Z"
    assert (analytics.learner_count, analytics.totals) == (
        3,
        Totals(3, 4, Decimal(5), Decimal(151)),
    )
    assert analytics.totals.average_score == Decimal("50.333333")


def test_should_have_no_analytics_once_every_session_is_taken_off() -> None:
    assert CourseAnalytics.of_shares(COURSE, [TotalsShare(Totals(), 0, "t")]) is None
    assert CourseAnalytics.of_shares(COURSE, []) is None


@pytest.mark.parametrize(
    ("score_sum", "count", "mean"),
    [("0.000001", 2, "0.000000"), ("0.000005", 2, "0.000002"), ("0.000003", 2, "0.000002")],
)
def test_should_round_a_tied_mean_to_the_even_neighbour(
    score_sum: str, count: int, mean: str
) -> None:
    # One rounding line for the learner's course stats and the course analytics alike.
    assert str(Totals(count, 0, Decimal(0), Decimal(score_sum)).average_score) == mean
