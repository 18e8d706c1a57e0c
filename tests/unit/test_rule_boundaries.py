"""Both ends of every documented range (docs/api.md), each just inside and just outside, in
the fast tier, and the half-even rounding of the course mean at exact ties. The limits are
read from where they are declared (``identifiers``, ``session_body``, ``query_parameters``).
The rules are checked in-process, without a table; a few go through the handlers on moto as well."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from local_run.events import api_event, jwt_authorizer
from stats_api import identifiers, query_parameters, timestamps
from stats_api import session_body as body_rules
from stats_api.errors import InvalidRequest, PayloadTooLarge
from stats_api.http import Request
from stats_api.identifiers import USER_ID_HEADER, USER_ID_MAX_LENGTH
from stats_api.learner_stats import Totals
from stats_api.query_parameters import MAX_PAGE_SIZE
from stats_api.routes import FETCH_COURSE_STATS
from stats_api.session_body import (
    EARLIEST_COMPLETION,
    MAX_BODY_BYTES,
    MAX_CLOCK_AHEAD_MINUTES,
    MAX_MINUTES_PER_SESSION,
    MAX_MODULES_PER_SESSION,
    MAX_SCORE,
    MIN_SCORE,
)
from stats_devkit.dataset import make_sessions, seed
from tests.support.handler_client import (
    COURSE,
    TABLE,
    USER,
    fetch_course_stats,
    list_sessions,
    record,
    session_body,
)

MICROSECOND = datetime.timedelta(microseconds=1)
SMALLEST_STEP = Decimal("0.000001")  # the finest fraction every number rule accepts
NOW = datetime.datetime(2026, 11, 29, 12, 0, 0, 250000, tzinfo=datetime.UTC)


def utc(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Identity: 1-128 characters, the header's surrounding white space trimmed


def caller(header: str | None = None, authorizer: dict[str, Any] | None = None) -> str:
    """Who ``Request`` takes the caller of an event with this header and authorizer for."""
    headers = {} if header is None else {USER_ID_HEADER: header}
    event = api_event(
        FETCH_COURSE_STATS, {"courseId": COURSE}, headers=headers, authorizer=authorizer
    )
    return Request(APIGatewayProxyEventV2(event)).user_id


@pytest.mark.parametrize("length", [1, USER_ID_MAX_LENGTH])
def test_should_accept_a_user_header_at_each_end_of_its_length_range(length: int) -> None:
    assert caller("u" * length) == "u" * length


@pytest.mark.parametrize("length", [0, USER_ID_MAX_LENGTH + 1])
def test_should_refuse_a_user_header_just_outside_its_length_range(length: int) -> None:
    with pytest.raises(InvalidRequest, match=USER_ID_HEADER):
        caller("u" * length)


def test_should_count_the_user_headers_length_after_trimming_its_white_space() -> None:
    user = "u" * USER_ID_MAX_LENGTH

    assert caller(f" {user}\t") == user


@pytest.mark.parametrize("length", [1, USER_ID_MAX_LENGTH])
def test_should_accept_a_token_subject_at_each_end_of_its_length_range(length: int) -> None:
    assert caller("header-user", jwt_authorizer({"sub": "s" * length})) == "s" * length


@pytest.mark.parametrize("length", [0, USER_ID_MAX_LENGTH + 1])
def test_should_refuse_a_token_subject_just_outside_its_length_range(length: int) -> None:
    with pytest.raises(InvalidRequest, match="sub"):
        caller("header-user", jwt_authorizer({"sub": "s" * length}))


# courseId: 1-128 characters


@pytest.mark.parametrize("length", [1, 128])
def test_should_accept_a_course_id_at_each_end_of_its_length_range(length: int) -> None:
    assert identifiers.course_id("c" * length) == "c" * length


@pytest.mark.parametrize("length", [0, 129])
def test_should_refuse_a_course_id_just_outside_its_length_range(length: int) -> None:
    with pytest.raises(InvalidRequest, match="courseId"):
        identifiers.course_id("c" * length)


# The body's numbers: each range's two ends, and the smallest step beyond each


NUMBER_RANGES = {
    "totalModulesStudied": (Decimal(0), Decimal(MAX_MODULES_PER_SESSION), Decimal(1)),
    "timeStudied": (Decimal(0), Decimal(MAX_MINUTES_PER_SESSION), SMALLEST_STEP),
    "averageScore": (Decimal(MIN_SCORE), Decimal(MAX_SCORE), SMALLEST_STEP),
}
INSIDE = [(field, end) for field, (low, high, _) in NUMBER_RANGES.items() for end in (low, high)]
OUTSIDE = [
    (field, value)
    for field, (low, high, step) in NUMBER_RANGES.items()
    for value in (low - step, high + step)
]


def raw_body(**texts: str) -> bytes:
    """A valid body with some fields spelled exactly as ``texts`` give them."""
    fields = {name: json.dumps(value) for name, value in session_body().items()} | texts
    return ("{" + ", ".join(f'"{name}": {text}' for name, text in fields.items()) + "}").encode()


@pytest.mark.parametrize(("field", "value"), INSIDE, ids=[f"{f}={v}" for f, v in INSIDE])
def test_should_accept_a_number_at_each_end_of_its_range(field: str, value: Decimal) -> None:
    assert body_rules.parse(raw_body(**{field: str(value)}))[field] == value


@pytest.mark.parametrize(("field", "value"), OUTSIDE, ids=[f"{f}={v}" for f, v in OUTSIDE])
def test_should_refuse_a_number_just_outside_its_range(field: str, value: Decimal) -> None:
    with pytest.raises(InvalidRequest, match=field):
        body_rules.parse(raw_body(**{field: str(value)}))


# The body's size: at most 4096 bytes


def body_of_size(size: int) -> bytes:
    compact = raw_body()
    return compact[:-1] + b" " * (size - len(compact)) + b"}"


def test_should_accept_a_body_of_exactly_the_size_limit() -> None:
    body = body_of_size(MAX_BODY_BYTES)

    assert len(body) == MAX_BODY_BYTES
    assert body_rules.parse(body) == body_rules.parse(raw_body())


def test_should_refuse_a_body_one_byte_over_the_size_limit_with_413() -> None:
    with pytest.raises(PayloadTooLarge) as refused:
        body_rules.parse(body_of_size(MAX_BODY_BYTES + 1))

    assert refused.value.status == 413


# completedAt: from 2000-01-01 to 5 minutes ahead of the service's clock

LATEST = NOW + datetime.timedelta(minutes=MAX_CLOCK_AHEAD_MINUTES)


@pytest.mark.parametrize("moment", [EARLIEST_COMPLETION, LATEST], ids=["earliest", "latest"])
def test_should_accept_a_completed_at_at_each_end_of_its_range(moment: datetime.datetime) -> None:
    assert body_rules.completed_at(utc(moment), now=NOW) == moment


@pytest.mark.parametrize(
    "moment", [EARLIEST_COMPLETION - MICROSECOND, LATEST + MICROSECOND], ids=["early", "late"]
)
def test_should_refuse_a_completed_at_a_microsecond_outside_its_range(
    moment: datetime.datetime,
) -> None:
    with pytest.raises(InvalidRequest, match="completedAt"):
        body_rules.completed_at(utc(moment), now=NOW)


def test_should_accept_a_completed_at_with_six_decimal_places_of_seconds() -> None:
    # The finest the kept form holds; a seventh place is refused (tests/unit/test_history.py).
    moment = datetime.datetime(2026, 11, 2, 8, 0, 0, 123456, tzinfo=datetime.UTC)

    assert body_rules.completed_at("2026-11-02T08:00:00.123456Z", now=NOW) == moment


def test_should_take_the_clock_ahead_limit_from_the_services_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timestamps, "now", lambda: NOW)

    assert body_rules.completed_at(utc(LATEST)) == LATEST
    with pytest.raises(InvalidRequest, match="completedAt"):
        body_rules.completed_at(utc(LATEST + MICROSECOND))


@pytest.mark.usefixtures("dynamodb")
def test_should_record_a_session_completed_at_exactly_the_earliest_instant() -> None:
    response = record(body=session_body(completedAt="2000-01-01T00:00:00Z"))

    assert response.status == 201, response.body
    assert response.body["completedAt"] == utc(EARLIEST_COMPLETION)


# The course mean: rounded half-even to 6 decimal places


@pytest.mark.parametrize(
    ("score_sum", "count", "mean"),
    [
        # 0.0000005 lies exactly halfway: half-even keeps the even 0.000000 (half-up: 0.000001).
        ("0.000001", 2, "0.000000"),
        # 0.0000015, halfway again: the even neighbour is above (half-down or down: 0.000001).
        ("0.000003", 2, "0.000002"),
        # 0.0000025: the even neighbour is below (half-up: 0.000003).
        ("0.000005", 2, "0.000002"),
        # 66.6666666...: not a tie, to the nearest (down: 66.666666).
        ("200", 3, "66.666667"),
        # 33.3333333...: the nearest is below (up or ceiling: 33.333334).
        ("100", 3, "33.333333"),
    ],
)
def test_should_round_the_course_mean_half_even_to_six_places(
    score_sum: str, count: int, mean: str
) -> None:
    totals = Totals(count, 0, Decimal(0), Decimal(score_sum))

    assert str(totals.average_score) == mean


@pytest.mark.usefixtures("dynamodb")
@pytest.mark.parametrize(
    ("scores", "mean"),
    [(["0.000001", "0"], Decimal(0)), (["0.000003", "0"], Decimal("0.000002"))],
    ids=["tie-to-even-below", "tie-to-even-above"],
)
def test_should_answer_the_course_mean_of_a_tie_rounded_to_the_even_neighbour(
    scores: list[str], mean: Decimal
) -> None:
    for score in scores:
        assert record(raw_body=raw_body(averageScore=score)).status == 201

    stats = fetch_course_stats().exact_body()

    assert (stats["averageScore"], stats["sessionCount"]) == (mean, len(scores))


# A query parameter is given at most once


@pytest.mark.usefixtures("dynamodb")
def test_should_refuse_a_parameter_given_twice_naming_it() -> None:
    response = list_sessions(limit="5,5")

    assert response.status == 400
    assert "limit" in response.body["message"]


# limit: 1-100 items a page


@pytest.mark.parametrize("limit", [1, MAX_PAGE_SIZE])
def test_should_accept_a_limit_at_each_end_of_its_range(limit: int) -> None:
    assert query_parameters.page_size(str(limit)) == limit


@pytest.mark.parametrize("limit", [0, MAX_PAGE_SIZE + 1])
def test_should_refuse_a_limit_just_outside_its_range(limit: int) -> None:
    with pytest.raises(InvalidRequest, match="limit"):
        query_parameters.page_size(str(limit))


def test_should_serve_a_page_of_exactly_the_largest_limit(dynamodb: Any) -> None:
    seed(dynamodb, TABLE, USER, make_sessions(MAX_PAGE_SIZE + 1, COURSE, seed=1))

    response = list_sessions(limit=str(MAX_PAGE_SIZE))

    assert response.status == 200, response.body
    assert len(response.body["sessions"]) == MAX_PAGE_SIZE
    assert response.body["nextCursor"] is not None


def test_should_end_the_listing_on_a_page_that_holds_exactly_the_rest(dynamodb: Any) -> None:
    sessions = make_sessions(3, COURSE, seed=2)
    seed(dynamodb, TABLE, USER, sessions)

    exact = list_sessions(limit=str(len(sessions)))
    one_short = list_sessions(limit=str(len(sessions) - 1))

    assert (len(exact.body["sessions"]), exact.body["nextCursor"]) == (len(sessions), None)
    assert one_short.body["nextCursor"] is not None


# Instants (completedAt, since, until): any offset, and the calendar's and the clock's ends

EIGHT_UTC = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "spelled",
    [
        "2026-11-02T08:00:00Z",
        "2026-11-02T13:30:00+05:30",  # ahead of UTC, with minutes
        "2026-11-02T03:30:00-04:30",  # behind UTC, with minutes
        "2026-11-01T08:01:00-23:59",  # the largest offset, the day before
        "2026-11-02T08:00:00.000000z",
    ],
)
def test_should_read_an_instant_in_any_offset_as_the_same_utc_instant(spelled: str) -> None:
    assert query_parameters.window(spelled, None).since == EIGHT_UTC


@pytest.mark.parametrize(
    "spelled",
    ["2028-02-29T00:00:00Z", "2026-02-28T23:59:59.999999Z", "2026-12-31T23:59:59Z"],
)
def test_should_accept_the_last_day_and_second_of_a_month_or_year(spelled: str) -> None:
    since = query_parameters.window(spelled, None).since

    assert since is not None
    assert timestamps.kept(since).startswith(spelled.removesuffix("Z")[:19])


@pytest.mark.parametrize(
    "spelled",
    [
        "2026-02-29T00:00:00Z",  # not a leap year
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-02T24:00:00Z",
        "2026-11-02T08:60:00Z",
        "2026-11-02T08:00:00+24:00",
    ],
)
def test_should_refuse_a_date_or_time_just_past_the_calendars_or_clocks_end(spelled: str) -> None:
    with pytest.raises(InvalidRequest, match="since"):
        query_parameters.window(spelled, None)


@pytest.fixture
def machine_zone_ahead_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone set to one 5.5 hours ahead of UTC for the test."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("machine_zone_ahead_of_utc")
def test_should_keep_instants_in_utc_whatever_the_machines_zone() -> None:
    assert datetime.datetime.now().astimezone().utcoffset() != datetime.timedelta(0)
    since = query_parameters.window("2026-11-02T13:30:00+05:30", None).since
    assert since is not None

    assert timestamps.kept(since) == timestamps.kept(EIGHT_UTC) == "2026-11-02T08:00:00.000000Z"


# since/until: since before until, by as little as a microsecond


def test_should_accept_a_window_of_one_microsecond() -> None:
    window = query_parameters.window(utc(NOW), utc(NOW + MICROSECOND))

    assert (window.since, window.until) == (NOW, NOW + MICROSECOND)


def test_should_take_a_window_whose_since_equals_its_until_as_empty() -> None:
    window = query_parameters.window(utc(NOW), utc(NOW))

    assert (window.since, window.until) == (NOW, NOW)


def test_should_refuse_a_window_whose_since_is_after_its_until() -> None:
    with pytest.raises(InvalidRequest, match="since"):
        query_parameters.window(utc(NOW + MICROSECOND), utc(NOW))
