"""Course analytics over HTTP, in every auth mode: a permitted caller (the ``analyst``
fixture: a token with the analytics scope, the principal granted them, or anyone with header
auth) reads a course's totals and days within seconds of a write; a learner is refused where
the mode can refuse (JWT: the analytics scope; IAM: the principal a policy grants them), and
header auth, for dev stages only, leaves them open. The read-only checks are part of
``make smoke``."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.support.api_client import Api, Caller
from tests.support.local_process import Reply

# Locally the stream is pumped every 0.2 s; a stage's mapping waits at most 1 s per batch.
FRESH_WITHIN = 10.0  # seconds, with room for a stage's stream and a cold start


def analytics_of(api: Api, course: str, who: Caller, path: str = "") -> Reply:
    return api.call("GET", f"/analytics/courses/{course}{path}", who)


@pytest.fixture
def unknown_course() -> str:
    return f"smoke-{uuid.uuid4().hex[:12]}"


def wait_for(api: Api, course: str, who: Caller, sessions: int) -> dict[str, Any]:
    deadline = time.monotonic() + FRESH_WITHIN
    while True:
        reply = analytics_of(api, course, who)
        if reply.status == 200 and reply.body["sessionCount"] == sessions:
            return dict(reply.body)
        assert time.monotonic() < deadline, reply.body
        time.sleep(0.1)


def test_should_answer_a_permitted_caller_with_the_course_across_learners(
    api: Api, new_caller: Any, course: str, analyst: Caller
) -> None:
    first, second = new_caller(), new_caller()
    for who, score in ((first, 90), (second, 70), (second, 80)):
        body: dict[str, Any] = {"totalModulesStudied": 2, "timeStudied": 30}
        body |= {"averageScore": score, "completedAt": "2026-11-28T10:00:00Z"}
        assert api.session(who, course, body).status == 201

    totals = wait_for(api, course, analyst, sessions=3)

    assert (totals["learnerCount"], totals["totalModulesStudied"], totals["averageScore"]) == (
        2,
        6,
        80,
    )
    days = analytics_of(api, course, analyst, "/daily").body["days"]
    assert [(d["date"], d["sessionCount"]) for d in days] == [("2026-11-28", 3)]


@pytest.mark.smoke
def test_should_answer_404_for_a_course_nobody_studied(
    api: Api, unknown_course: str, analyst: Caller
) -> None:
    assert analytics_of(api, unknown_course, analyst).status == 404
    assert analytics_of(api, unknown_course, analyst, "/daily").status == 404


@pytest.mark.smoke
def test_should_refuse_a_learner_where_the_auth_mode_can(
    api: Api, new_caller: Any, unknown_course: str, analyst: Caller
) -> None:
    learner = new_caller(writes=False)
    reply = analytics_of(api, unknown_course, learner)

    if api.mode == "header":
        # Header auth has no authorizer: anyone names anyone (README: dev stages only).
        assert reply.status == 404
    else:
        assert (reply.status, reply.body) == (403, {"message": "Forbidden"})
        assert analytics_of(api, unknown_course, learner, "/daily").status == 403


@pytest.mark.smoke
def test_should_not_let_the_analytics_principal_call_the_learners_routes(
    api: Api, unknown_course: str, analyst: Caller
) -> None:
    if api.mode != "iam":
        pytest.skip("only IAM grants routes per principal; a JWT's sub is always a learner")
    reply = api.call("GET", f"/courses/{unknown_course}", analyst)

    assert (reply.status, reply.body) == (403, {"message": "Forbidden"})
