"""Responses print each number in its shortest exact form (docs/api.md, Numbers): a whole
number without a fraction, a fraction with exactly its digits."""

from __future__ import annotations

import re

import pytest

from tests.support.handler_client import fetch_course_stats, record

pytestmark = pytest.mark.usefixtures("dynamodb")


def printed(raw: str | None, field: str) -> str:
    """The JSON text of ``field`` in a response body, as the client receives it."""
    match = re.search(rf'"{field}": ([^,}}]+)', raw or "")
    assert match is not None, raw
    return match.group(1)


@pytest.mark.parametrize(("minutes", "score"), [("45", "87"), ("45.5", "87.25"), ("1440", "0.5")])
def test_should_print_each_number_of_a_session_and_its_course_in_its_shortest_form(
    minutes: str, score: str
) -> None:
    body = f'{{"totalModulesStudied": 3, "timeStudied": {minutes}, "averageScore": {score}}}'

    session = record(raw_body=body).raw
    course = fetch_course_stats().raw

    assert [printed(session, "timeStudied"), printed(session, "averageScore")] == [minutes, score]
    assert [printed(course, "timeStudied"), printed(course, "averageScore")] == [minutes, score]
    assert printed(course, "sessionCount") == "1"
