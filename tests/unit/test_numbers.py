"""Numbers as clients compute them (issue 16): any finite JSON number in range is accepted
for timeStudied and averageScore, the range checked on the number as sent; it is kept to 6
decimal places, rounded half-even, and the response shows the kept value. Sums add kept
values exactly; a replay compares kept values."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stats_api import session_body as body_rules
from stats_api.errors import InvalidRequest
from tests.support.handler_client import (
    fetch_course_stats,
    fetch_session,
    record,
    table_items,
)

FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=200)
PLACES = body_rules.MAX_DECIMAL_PLACES
BOUNDS = {
    "timeStudied": (0, body_rules.MAX_MINUTES_PER_SESSION),
    "averageScore": (body_rules.MIN_SCORE, body_rules.MAX_SCORE),
}


def half_even(value: Fraction) -> Fraction:
    """``value`` rounded half-even to PLACES: Python's round() of a Fraction, apart from
    the service's Decimal arithmetic."""
    return Fraction(round(value * 10**PLACES), 10**PLACES)


def raw(field: str, text: str, **others: str) -> str:
    fields = {"totalModulesStudied": "3", "timeStudied": "45.5", "averageScore": "87.25"}
    fields.update({field: text}, **others)
    return "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"


def stored_numbers(dynamodb: Any, field: str) -> list[str]:
    return [item[field]["N"] for item in table_items(dynamodb) if field in item]


@pytest.mark.usefixtures("dynamodb")
def test_should_accept_minutes_computed_from_seconds_and_show_what_it_kept(
    dynamodb: Any,
) -> None:
    response = record(raw_body=raw("timeStudied", json.dumps(100 / 60)))  # 1.6666666666666667

    assert response.status == 201, response.body
    assert response.exact_body()["timeStudied"] == Decimal("1.666667")
    assert fetch_session(response.body["sessionId"]).exact_body() == response.exact_body()
    # The session and the course stats both hold the kept value.
    assert stored_numbers(dynamodb, "timeStudied") == ["1.666667", "1.666667"]


@pytest.mark.parametrize("field", sorted(BOUNDS))
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0.1234567", "0.123457"),
        ("0.1234565", "0.123456"),  # a tie goes to the even digit
        ("0.1234575", "0.123458"),
        ("0.0000005", "0"),
        ("0.0000015", "0.000002"),
        ("0.00000050000000000000000000000000001", "0.000001"),  # just above a tie: up
        ("1.00000000000000000000000000000001", "1"),  # beyond Decimal's 28 digits
        ("1e-999999999", "0"),
        ("-0.0", "0"),
        ("0E-999999999", "0"),
        ("12.50000000000000000000000000000000000000", "12.5"),
        ("1.5E+1", "15"),
        ("99.9999995", "100"),  # in range as sent; kept at the bound
        ("99.99999999999999999999999999999", "100"),
    ],
)
def test_should_keep_any_number_in_range_to_6_places_rounded_half_even(
    field: str, sent: str, kept: str
) -> None:
    body = body_rules.parse(raw(field, sent).encode())

    assert body[field] == Decimal(kept)
    assert str(body[field]) == kept  # stored and printed in its shortest positional form


@pytest.mark.usefixtures("dynamodb")
def test_should_accept_both_ends_of_each_range() -> None:
    for field, bounds in BOUNDS.items():
        for bound in bounds:
            response = record(raw_body=raw(field, str(bound)))
            assert response.status == 201, response.body
            assert response.exact_body()[field] == bound


@pytest.mark.parametrize(
    ("field", "sent"),
    [
        ("averageScore", "100.0000001"),  # would be kept as 100: the range is on the sent value
        ("averageScore", "100.00000000000000000000000000000000001"),
        ("averageScore", "-0.0000001"),  # would be kept as 0
        ("timeStudied", "1440.0000001"),
        ("timeStudied", "-1e-40"),
        ("timeStudied", "1e999"),
    ],
)
def test_should_refuse_a_number_out_of_range_as_sent(field: str, sent: str) -> None:
    with pytest.raises(InvalidRequest, match=field):
        body_rules.parse(raw(field, sent).encode())


def test_should_answer_400_and_store_nothing_for_a_score_kept_in_range_but_sent_beyond(
    dynamodb: Any,
) -> None:
    response = record(raw_body=raw("averageScore", "100.0000001"))

    assert response.status == 400
    assert "averageScore" in response.body["message"]
    assert table_items(dynamodb) == []


@pytest.mark.usefixtures("dynamodb")
def test_should_sum_kept_values_exactly() -> None:
    for _ in range(3):
        sent = raw("timeStudied", json.dumps(100 / 60), averageScore=json.dumps(200 / 3))
        assert record(raw_body=sent).status == 201

    stats = fetch_course_stats().exact_body()

    assert stats["timeStudied"] == Decimal("5.000001")  # 3 x 1.666667, not 5
    assert stats["averageScore"] == Decimal("66.666667")


@pytest.mark.usefixtures("dynamodb")
@pytest.mark.parametrize(
    ("replayed", "status"),
    [
        ("1.666667", 200),  # the kept value of the first
        ("1.6666674", 200),  # another number with the same kept value
        ("1.6666666666666667", 200),
        ("1.6666675", 409),  # kept as 1.666668
    ],
)
def test_should_compare_kept_values_on_a_replay(replayed: str, status: int) -> None:
    session_id = f'"{uuid.uuid4()}"'
    first = record(raw_body=raw("timeStudied", json.dumps(100 / 60), sessionId=session_id))

    replay = record(raw_body=raw("timeStudied", replayed, sessionId=session_id))

    assert (first.status, replay.status) == (201, status)
    if status == 200:
        assert replay.body == first.body
    assert fetch_course_stats().body["sessionCount"] == 1
    assert fetch_course_stats().exact_body()["timeStudied"] == Decimal("1.666667")


@FUZZ
@given(
    field=st.sampled_from(sorted(BOUNDS)),
    value=st.fractions(min_value=-10, max_value=1500, max_denominator=10**12)
    | st.decimals(min_value=-1, max_value=1441, allow_nan=False, allow_infinity=False).map(
        Fraction
    ),
    spelling=st.sampled_from(["decimal", "float", "exponent"]),
)
@example(field="timeStudied", value=Fraction(100, 60), spelling="float")
@example(field="averageScore", value=Fraction(1000000001, 10**7), spelling="decimal")
def test_should_accept_exactly_the_numbers_in_range_and_keep_them_rounded_half_even(
    field: str, value: Fraction, spelling: str
) -> None:
    if spelling == "float":  # as a client's binary arithmetic prints it
        text = json.dumps(float(value))
        value = Fraction(Decimal(text))
    elif spelling == "exponent":
        text = f"{Decimal(value.numerator) / Decimal(value.denominator):E}"
        value = Fraction(Decimal(text))
    else:
        text = str(Decimal(value.numerator) / Decimal(value.denominator))
        value = Fraction(Decimal(text))
    low, high = BOUNDS[field]

    if not low <= value <= high:
        with pytest.raises(InvalidRequest, match=field):
            body_rules.parse(raw(field, text).encode())
        return

    body = body_rules.parse(raw(field, text).encode())
    assert Fraction(body[field]) == half_even(value)
    spelled = str(body[field])  # positional, without trailing zeros: stored as it prints
    assert "E" not in spelled
    assert "." not in spelled or not spelled.endswith("0")
