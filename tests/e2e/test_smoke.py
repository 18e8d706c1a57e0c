"""The smoke check after a deploy (``make smoke BASE_URL=<ApiUrl> AUTH=<mode>``): read-only,
so it is safe against any stage, prod included. It writes nothing and names a course and a
session nobody has; ``make test`` runs it against the local run in every auth mode.

Together it shows the stage answers through its authorizer and reaches both read
functions (via their live aliases) and the table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from tests.support.api_client import Api, Caller

pytestmark = pytest.mark.smoke

# What each auth mode answers a request that carries no credentials: API Gateway's
# authorizers refuse before any function runs; header auth's function asks for the user.
UNAUTHENTICATED = {"header": 400, "jwt": 401, "iam": 403}


@pytest.fixture
def reader(new_caller: Callable[..., Caller]) -> Caller:
    return new_caller(writes=False)


@pytest.fixture
def unknown_course() -> str:
    return f"smoke-{uuid.uuid4().hex[:12]}"


def test_should_refuse_a_read_without_credentials(api: Api, unknown_course: str) -> None:
    response = api.call("GET", f"/courses/{unknown_course}", None)

    assert response.status == UNAUTHENTICATED[api.mode]
    assert response.body["message"]


def test_should_answer_404_for_the_stats_of_a_course_nobody_has(
    api: Api, reader: Caller, unknown_course: str
) -> None:
    response = api.call("GET", f"/courses/{unknown_course}", reader)

    assert response.status == 404
    assert response.headers["content-type"] == "application/json"
    assert unknown_course in response.body["message"]


def test_should_answer_404_for_a_session_nobody_has(
    api: Api, reader: Caller, unknown_course: str
) -> None:
    response = api.call("GET", f"/courses/{unknown_course}/sessions/{uuid.uuid4()}", reader)

    assert response.status == 404
    assert response.body["message"]
