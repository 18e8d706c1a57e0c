"""DELETE names the course as well as the session: a session withdrawn through another
course the caller also takes is a 404, and neither course changes (the other course's
stats must not lose numbers that were never theirs)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.handler_client import COURSE, record, session_body, table_items, withdraw

pytestmark = pytest.mark.usefixtures("dynamodb")

OTHER_COURSE = "other-course"


def test_should_answer_404_and_change_nothing_for_a_session_named_under_another_course_taken(
    dynamodb: Any,
) -> None:
    session_id = record(COURSE, body=session_body()).body["sessionId"]
    assert record(OTHER_COURSE, body=session_body(totalModulesStudied=9)).status == 201
    before = table_items(dynamodb)

    response = withdraw(session_id, OTHER_COURSE)

    assert response.status == 404
    assert response.body["message"]
    assert table_items(dynamodb) == before
