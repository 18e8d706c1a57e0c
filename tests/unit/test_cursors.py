"""Cursors: only a cursor this API issued, byte for byte, for the same caller and query,
starts a page; anything else a client can send is a 400, never a 500 (issue 16)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stats_api import cursors, query_parameters
from stats_api.errors import InvalidRequest
from tests.support.handler_client import list_courses, list_sessions, record, session_body

# Derandomised: the same examples on every run and machine, so a failure reproduces; no
# example database, so nothing is written to the checkout.
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=200)
SCOPE = "sessions\nuser-1\ncourse-101\nNone\nNone"
KEY = {
    "userId": "user-1",
    "sessionId": "5a8f7c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
    "courseCompletedAt": "course-101#2026-11-02T08:00:00.000000Z#5a8f7c1e",
}
ISSUED = cursors.issue(KEY, SCOPE)
URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="


def encoded(plain: bytes) -> str:
    return base64.urlsafe_b64encode(plain).decode()


def redeemed(cursor: str, scope: str = SCOPE) -> dict[str, str] | None:
    """The key ``cursor`` starts a page after, or None when it is refused (a 400)."""
    try:
        return cursors.redeem(query_parameters.cursor(cursor) or "", scope)
    except InvalidRequest as error:
        refusal = error
    assert refusal.status == 400
    assert "cursor" in refusal.message
    return None


def test_should_redeem_a_cursor_it_issued_for_the_same_scope() -> None:
    assert redeemed(ISSUED) == KEY
    assert redeemed(ISSUED, scope=SCOPE + "x") is None


@pytest.mark.parametrize(
    "plain",
    [
        b"[" * 1500,  # json.loads raised RecursionError: a 500
        b'{"k":' * 1000 + b"1" + b"}" * 1000,
        b"[" * 100_000,
        b"1" * 1500,  # beyond int()'s digit limit
        b"\xff\xfe",  # not UTF-8
        b"null",
        b'"k"',
        b"[]",
        b'{"k":{"userId":1},"d":"00"}',
        b'{"k":[],"d":"00"}',
        b'{"d":"00"}',
    ],
    ids=lambda plain: repr(plain[:12]),
)
def test_should_refuse_a_cursor_of_any_other_json_with_400(plain: bytes) -> None:
    assert redeemed(encoded(plain)[: query_parameters.MAX_CURSOR_LENGTH]) is None


@pytest.mark.parametrize(
    "changed",
    [
        "." + ISSUED,  # dropped by a lenient decoder
        "~" + ISSUED,
        ISSUED[:8] + "!" + ISSUED[8:],
        ISSUED[:8] + " " + ISSUED[8:],
        ISSUED[:8] + "\n" + ISSUED[8:],
        ISSUED + "=",
        ISSUED + "==junk",  # data after the padding
        ISSUED.rstrip("=") if ISSUED.endswith("=") else ISSUED + "A===",
        ISSUED.replace("-", "+").replace("_", "/") if ("-" in ISSUED or "_" in ISSUED) else "+",
        ISSUED[:-4],
        ISSUED.lower(),
        # The same key and digest in another JSON spelling.
        encoded(json.dumps(json.loads(base64.urlsafe_b64decode(ISSUED))).encode()),
        encoded(base64.urlsafe_b64decode(ISSUED) + b" "),
        "",
        "٣" + ISSUED,  # non-ASCII
    ],
)
def test_should_refuse_a_cursor_that_is_not_byte_for_byte_one_it_issued(changed: str) -> None:
    assert changed != ISSUED
    assert redeemed(changed) is None


@FUZZ
@given(cursor=st.text(max_size=300) | st.text(alphabet=URLSAFE, max_size=300))
@example(cursor=encoded(b"[" * 1500))
def test_should_refuse_any_string_it_did_not_issue_with_a_400_only(cursor: str) -> None:
    assert redeemed(cursor) == (KEY if cursor == ISSUED else None)


@FUZZ
@given(plain=st.binary(max_size=1200))
def test_should_refuse_any_encoded_bytes_it_did_not_issue_with_a_400_only(plain: bytes) -> None:
    cursor = encoded(plain)

    assert redeemed(cursor) == (KEY if cursor == ISSUED else None)


@FUZZ
@given(
    key=st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=4),
    scope=st.text(max_size=80),
    data=st.data(),
)
def test_should_accept_exactly_the_cursor_it_issued_and_no_edit_of_it(
    key: dict[str, str], scope: str, data: st.DataObject
) -> None:
    issued = cursors.issue(key, scope)
    at = data.draw(st.integers(min_value=0, max_value=len(issued)), label="at")
    edit = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="edit")
    char = data.draw(st.characters(), label="char")
    if edit == "insert":
        changed = issued[:at] + char + issued[at:]
    elif edit == "delete":
        changed = issued[:at] + issued[at + 1 :]
    else:
        changed = issued[:at] + char + issued[at + 1 :]

    assert cursors.redeem(issued, scope) == key
    if changed != issued:
        with pytest.raises(InvalidRequest):
            cursors.redeem(changed, scope)


# Through the handlers: a 400 on both list routes, never a 500, nothing listed.


@pytest.fixture
def issued_cursor(dynamodb: Any) -> str:
    for hours in range(3):
        completed = f"2026-11-02T0{hours}:00:00Z"
        assert record(body=session_body(completedAt=completed)).status == 201
    cursor: str = list_sessions(limit="1").body["nextCursor"]
    return cursor


@pytest.mark.parametrize("route", [list_courses, list_sessions])
def test_should_answer_400_to_a_deeply_nested_cursor_on_both_list_routes(
    dynamodb: Any, route: Any
) -> None:
    nested = encoded(b"[" * 1500)

    response = route(cursor=nested)

    assert response.status == 400, response.body
    assert "cursor" in response.body["message"]


def test_should_answer_400_to_a_changed_cursor_and_200_to_the_issued_one(
    issued_cursor: str,
) -> None:
    for changed in ("." + issued_cursor, "~" + issued_cursor, issued_cursor + "==junk"):
        response = list_sessions(limit="1", cursor=changed)

        assert response.status == 400, changed
        assert "cursor" in response.body["message"]
    assert list_sessions(limit="1", cursor=issued_cursor).status == 200


@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    # The table is only read: every example sees the same sessions.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cursor=st.text(min_size=1, max_size=80) | st.text(alphabet=URLSAFE, min_size=1))
def test_should_never_answer_500_to_any_cursor(issued_cursor: str, cursor: str) -> None:
    response = list_sessions(limit="1", cursor=cursor)

    assert response.status == (200 if cursor == issued_cursor else 400), response.body
