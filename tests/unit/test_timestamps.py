"""Instants and windows: one ASCII RFC 3339 parser for completedAt, since and until; kept
keys and window bounds built by one formatter, so a window is exact in any year; every
string a client can send answers a 400 or the right window, never a 500 (issue 16)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from local_run.events import api_event
from stats_api import query_parameters, table_keys, timestamps
from stats_api.errors import InvalidRequest
from stats_api.routes import LIST_SESSIONS
from tests.support.handler_client import (
    COURSE,
    USER,
    fetch_course_stats,
    invoke,
    list_sessions,
    record,
    session_body,
    table_items,
)

FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=200)
FIRST = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
LAST = datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
ONE_MICROSECOND = datetime.timedelta(microseconds=1)
# Digits of other scripts, which \d matches and int() reads: RFC 3339 is ASCII.
ARABIC_INDIC_2026 = "\u0662\u0660\u0662\u0666"
FULL_WIDTH_2026 = "\uff12\uff10\uff12\uff16"
OTHER_DIGITS = ARABIC_INDIC_2026 + FULL_WIDTH_2026 + "\u06f9\u0966\u0967\U0001d7d7\u2070\u00bd"


# Instants as a client may spell them, with the instant they name (None: outside
# 0001-9999 once in UTC).


@st.composite
def spelled_instants(
    draw: st.DrawFn,
    around: st.SearchStrategy[datetime.datetime] | None = None,
) -> tuple[str, datetime.datetime | None]:
    local = draw(st.datetimes() if around is None else around)
    offset_minutes = draw(st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59))
    places = draw(st.integers(min_value=0, max_value=6))
    local = local.replace(microsecond=local.microsecond // 10 ** (6 - places) * 10 ** (6 - places))
    fraction = f".{local.microsecond:06d}"[: places + 1] if places else ""
    hours, minutes = divmod(abs(offset_minutes), 60)
    zone = draw(st.sampled_from(["Z", "z"])) if offset_minutes == 0 and draw(st.booleans()) else ""
    zone = zone or f"{'-' if offset_minutes < 0 else '+'}{hours:02d}:{minutes:02d}"
    text = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}{draw(st.sampled_from('Tt'))}"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}{fraction}{zone}"
    )
    # Worked out with timedelta arithmetic alone, apart from the parser's astimezone.
    since_first = local - datetime.datetime(1, 1, 1) - datetime.timedelta(minutes=offset_minutes)
    in_range = datetime.timedelta(0) <= since_first <= LAST - FIRST
    return text, FIRST + since_first if in_range else None


def parsed(value: str, name: str = "since") -> datetime.datetime | None:
    """The instant ``value`` names, or None when it is refused (only ever with a 400)."""
    try:
        return timestamps.parse(name, value)
    except InvalidRequest as error:
        refusal = error
    assert refusal.status == 400
    assert name in refusal.message
    return None


@FUZZ
@given(spelled=spelled_instants())
@example(spelled=("0999-01-01T00:00:00Z", datetime.datetime(999, 1, 1, tzinfo=datetime.UTC)))
@example(spelled=("0001-01-01T00:00:00+00:01", None))
@example(spelled=("9999-12-31T23:59:59.999999-00:01", None))
def test_should_read_every_rfc_3339_spelling_as_the_instant_it_names(
    spelled: tuple[str, datetime.datetime | None],
) -> None:
    text, instant = spelled

    assert parsed(text) == instant


@FUZZ
@given(first=spelled_instants(), second=spelled_instants())
def test_should_keep_instants_at_one_width_so_text_order_is_time_order(
    first: tuple[str, datetime.datetime | None], second: tuple[str, datetime.datetime | None]
) -> None:
    a, b = parsed(first[0]), parsed(second[0])
    if a is None or b is None:
        return

    assert len(timestamps.kept(a)) == len(timestamps.kept(b)) == 27
    assert (timestamps.kept(a) < timestamps.kept(b)) == (a < b)
    assert parsed(timestamps.kept(a)) == a


def mutations() -> st.SearchStrategy[str]:
    """Valid spellings with characters changed, inserted or dropped: other scripts' digits,
    white space, signs and separators included."""
    alphabet = st.sampled_from("0123456789+-:.TtZz \n" + OTHER_DIGITS) | st.characters()

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        text, _ = draw(spelled_instants())
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            at = draw(st.integers(min_value=0, max_value=len(text)))
            text = draw(
                st.sampled_from(
                    [
                        text[:at] + draw(alphabet) + text[at + 1 :],
                        text[:at] + draw(alphabet) + text[at:],
                        text[:at] + text[at + 1 :],
                    ]
                )
            )
        return text

    return mutated()


@FUZZ
@given(value=st.text(max_size=40) | mutations())
@example(value=f"{ARABIC_INDIC_2026}-01-01T00:00:00Z")
@example(value="2026-01-01T00:00:00+05:99")
@example(value="2026-06-30T23:59:60Z")
def test_should_accept_only_ascii_rfc_3339_and_read_it_as_python_does(value: str) -> None:
    instant = parsed(value)
    if instant is None:
        return

    assert value.isascii()
    assert instant == datetime.datetime.fromisoformat(value.upper())


@FUZZ
@given(
    stored=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
    ),
    data=st.data(),
)
def test_should_put_a_session_in_a_window_exactly_when_its_instant_is_in_it(
    stored: datetime.datetime, data: st.DataObject
) -> None:
    completed = stored.replace(tzinfo=datetime.UTC)
    near = st.sampled_from([-ONE_MICROSECOND, datetime.timedelta(0), ONE_MICROSECOND]).map(
        lambda step: stored + step
    )
    bound = st.none() | spelled_instants() | spelled_instants(around=near)
    since, until = data.draw(bound, label="since"), data.draw(bound, label="until")
    try:
        window = query_parameters.window(
            None if since is None else since[0], None if until is None else until[0]
        )
    except InvalidRequest:
        return  # out of range, or since after until: refused, never a wrong window

    low, high = table_keys.history_range(
        COURSE,
        None if window.since is None else timestamps.kept(window.since),
        None if window.until is None else timestamps.kept(window.until),
    )
    key = table_keys.history_key(COURSE, timestamps.kept(completed), str(uuid.uuid4()))
    inside = (window.since is None or window.since <= completed) and (
        window.until is None or completed < window.until
    )
    assert (low <= key <= high) == inside


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2026-01-01t00:00:00z", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
        ("2026-01-01T00:00:00-00:00", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
        ("2026-01-01T23:59:00+23:59", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
        ("0001-01-01T00:00:00Z", FIRST),
        ("9999-12-31T23:59:59.999999Z", LAST),
        ("2026-01-01T00:00:00.1234567Z", None),  # finer than kept: never cut silently
        ("2026-06-30T23:59:60Z", None),  # a leap second
        ("0000-01-01T00:00:00Z", None),
        ("2026-02-30T00:00:00Z", None),
        ("2026-01-01T24:00:00Z", None),
        ("2026-01-01 00:00:00Z", None),
        ("2026-01-01T00:00:00+0100", None),
        ("0001-01-01T00:00:00+01:00", None),  # year 0 once in UTC
        ("9999-12-31T23:59:59-01:00", None),  # year 10000 once in UTC
    ],
)
def test_should_answer_each_documented_spelling_as_documented(
    value: str, instant: datetime.datetime | None
) -> None:
    assert parsed(value) == instant


def test_should_keep_a_year_below_1000_at_four_digits() -> None:
    moment = datetime.datetime(999, 1, 1, tzinfo=datetime.UTC)

    assert timestamps.kept(moment) == "0999-01-01T00:00:00.000000Z"


# Through the handlers


@pytest.fixture
def two_sessions(dynamodb: Any) -> None:
    for completed in ("2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"):
        assert record(body=session_body(completedAt=completed)).status == 201


@pytest.mark.usefixtures("two_sessions")
def test_should_answer_a_window_bounded_before_the_year_1000_exactly() -> None:
    early = "0999-01-01T00:00:00Z"

    assert fetch_course_stats(query={"since": early}).body["sessionCount"] == 2
    assert len(list_sessions(since=early).body["sessions"]) == 2
    assert fetch_course_stats(query={"until": early}).status == 404
    assert list_sessions(until=early).body["sessions"] == []


REFUSED_EVERYWHERE = [
    "2026-03-01T00:00:00+05:99",  # minutes beyond 59: read as +06:39 before
    "2026-03-01T00:00:00-00:60",
    "2026-03-01T00:00:00+24:00",
    f"{ARABIC_INDIC_2026}-03-01T00:00:00Z",  # completedAt: stored as 2026-03-01 before
    f"{FULL_WIDTH_2026}-03-01T00:00:00Z",
    "2026-03-01T00:00:00.\uff15Z",
    "2026-03-01T00:00:00.\u0661Z",
]


@pytest.mark.usefixtures("two_sessions")
def test_should_refuse_a_bound_the_body_would_refuse_with_400() -> None:
    for name in ("since", "until"):
        for value in REFUSED_EVERYWHERE:
            listed = list_sessions(**{name: value})
            summed = fetch_course_stats(query={name: value})

            assert (listed.status, summed.status) == (400, 400), (name, value)
            assert name in listed.body["message"]


def test_should_refuse_such_a_completed_at_and_store_nothing(dynamodb: Any) -> None:
    for value in REFUSED_EVERYWHERE:
        response = record(body=session_body(completedAt=value))

        assert response.status == 400, value
        assert "completedAt" in response.body["message"]
    assert table_items(dynamodb) == []


@pytest.mark.usefixtures("two_sessions")
def test_should_answer_since_equal_to_until_as_an_empty_window() -> None:
    same = {"since": "2026-03-01T10:00:00Z", "until": "2026-03-01T10:00:00Z"}

    # As any window without sessions: an empty page, and 404 for the stats.
    assert list_sessions(**same).status == 200
    assert list_sessions(**same).body == {"sessions": [], "nextCursor": None}
    assert fetch_course_stats(query=same).status == 404
    assert list_sessions(since="2026-03-01T10:00:00Z").body["sessions"] != []


@pytest.mark.usefixtures("two_sessions")
def test_should_still_refuse_since_after_until() -> None:
    response = list_sessions(since="2026-03-02T00:00:00Z", until="2026-03-01T00:00:00Z")

    assert response.status == 400
    assert "since" in response.body["message"]


@pytest.mark.usefixtures("two_sessions")
@pytest.mark.parametrize("name", ["since", "until"])
def test_should_say_that_an_unencoded_plus_must_be_sent_as_2b(name: str) -> None:
    # A + left unencoded in the query string, as a client building the URL by hand sends it.
    event = api_event_with(f"{name}=2026-03-01T11:00:00+01:00")

    response = invoke(LIST_SESSIONS, event)

    assert response.status == 400
    assert name in response.body["message"]
    assert "%2B" in response.body["message"]
    encoded = invoke(LIST_SESSIONS, api_event_with(f"{name}=2026-03-01T11:00:00%2B01:00"))
    assert encoded.status == 200


def api_event_with(raw_query: str) -> dict[str, Any]:
    return api_event(
        LIST_SESSIONS, {"courseId": COURSE}, headers={"userId": USER}, raw_query=raw_query
    )
