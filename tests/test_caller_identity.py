"""Who the caller is: the JWT's subject when API Gateway passes one, else the header."""

from __future__ import annotations

from typing import Any

import pytest
from stats_client import fetch_course_stats, fetch_session, record, session_body, table_items

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_should_read_and_write_only_the_token_subjects_data_whatever_the_header() -> None:
    assert record(user="bob", body=session_body(totalModulesStudied=9)).status == 201

    written = record(user="bob", jwt_claims={"sub": "alice"}, body=session_body())
    read = fetch_course_stats(user="bob", jwt_claims={"sub": "alice"})

    assert written.status == 201
    assert read.body["totalModulesStudied"] == 3
    assert read.body["sessionCount"] == 1
    assert fetch_course_stats(user="bob").body["totalModulesStudied"] == 9
    assert fetch_session(written.body["sessionId"], user="alice").status == 200
    assert fetch_session(written.body["sessionId"], user="bob").status == 404


def test_should_need_no_header_behind_a_jwt_authorizer() -> None:
    response = record(user=None, jwt_claims={"sub": "alice"}, body=session_body())

    assert response.status == 201
    assert fetch_course_stats(user="alice").body["sessionCount"] == 1


def test_should_not_fall_back_to_the_header_when_the_token_has_no_subject(dynamodb: Any) -> None:
    response = record(user="bob", jwt_claims={"client_id": "machine"}, body=session_body())

    assert response.status == 400
    assert "sub" in response.body["message"]
    assert table_items(dynamodb) == []
