"""A model-based check of course analytics: random POSTs, replays, withdrawals and
erasures through the deployed handlers, the stream's records delivered as Lambda may
deliver them (in batches, some twice, shards interleaved, some failing half way and
retried), and, once everything is delivered, every course's analytics equal to the model
(the learners' own sessions, summed), day by day."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stats_api import table_access
from stats_api.errors import TemporarilyUnavailable
from stats_api.table_access import default_table
from stats_tools.erasure import delete_items, learner_keys
from tests.support.analytics import (
    StreamTap,
    aggregate,
    all_days,
    analytics_tables,
    course_analytics,
    interleaved_shards,
    truth,
)
from tests.support.handler_client import record, session_body, withdraw

USERS = ("ada", "bob", "cy")
COURSES = ("algebra-1", "biology-2")
DAYS = ("2026-11-27", "2026-11-28")


class CourseAnalyticsModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._monkeypatch = pytest.MonkeyPatch()
        self._tables = analytics_tables(self._monkeypatch)
        self.client = self._tables.__enter__()
        self.tap = StreamTap()
        self.sessions: list[tuple[str, str, str]] = []  # (user, course, session id)
        self.withdrawn: list[tuple[str, str, str]] = []
        self.pending: list[dict[str, Any]] = []

    @initialize()
    def start(self) -> None:
        self.pending = []

    @rule(
        user=st.sampled_from(USERS),
        course=st.sampled_from(COURSES),
        day=st.sampled_from(DAYS),
        modules=st.integers(0, 1000),
        minutes=st.decimals("0", "1440", places=6),
        score=st.decimals("0", "100", places=6),
    )
    def post(
        self, user: str, course: str, day: str, modules: int, minutes: Any, score: Any
    ) -> None:
        body = session_body(
            totalModulesStudied=modules,
            timeStudied=float(minutes),
            averageScore=float(score),
            completedAt=f"{day}T12:00:00Z",
        )
        response = record(course, user=user, body=body)
        assert response.status == 201
        self.sessions.append((user, course, response.body["sessionId"]))
        self._collect()

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.sessions:
            return
        user, course, session_id = data.draw(st.sampled_from(self.sessions))
        stored = record(course, user=user, body=session_body(sessionId=session_id))
        assert stored.status in {200, 409}  # a replay, or the same id with other stats
        self._collect()

    @rule(data=st.data())
    def withdraw_one(self, data: st.DataObject) -> None:
        if not self.sessions:
            return
        chosen = data.draw(st.sampled_from(self.sessions))
        assert withdraw(chosen[2], chosen[1], user=chosen[0]).status == 204
        self.sessions.remove(chosen)
        self.withdrawn.append(chosen)
        self._collect()

    @rule(data=st.data())
    def record_again(self, data: st.DataObject) -> None:
        """A withdrawn session's id recorded anew: its old records must not undo it."""
        if not self.withdrawn:
            return
        chosen = data.draw(st.sampled_from(self.withdrawn))
        user, course, session_id = chosen
        assert record(course, user=user, body=session_body(sessionId=session_id)).status == 201
        self.withdrawn.remove(chosen)
        self.sessions.append(chosen)
        self._collect()

    @rule(user=st.sampled_from(USERS))
    def erase(self, user: str) -> None:
        delete_items(default_table(), list(learner_keys(default_table(), user)))
        self.sessions = [s for s in self.sessions if s[0] != user]
        self.withdrawn = [s for s in self.withdrawn if s[0] != user]
        self._collect()

    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        """A batch of what is pending, shards interleaved; it may fail half way (then it is
        delivered again, as Lambda retries) or arrive twice."""
        if not self.pending:
            return
        rng = random.Random(data.draw(st.integers(0, 2**16)))  # noqa: S311
        size = data.draw(st.integers(1, len(self.pending)))
        batch = interleaved_shards(self.pending, rng)[:size]
        if data.draw(st.booleans()):
            self._fail_after(data.draw(st.integers(1, 3)))
            try:
                aggregate(batch)
            except TemporarilyUnavailable:
                pass
            finally:
                self._fail_after(None)
        aggregate(batch)
        if data.draw(st.booleans()):
            aggregate(batch)  # delivered twice
        delivered = {id(r) for r in batch}
        self.pending = [r for r in self.pending if id(r) not in delivered]

    @invariant()
    def exact_once_all_delivered(self) -> None:
        if self.pending:
            return
        expected = truth(self.client)
        for course in COURSES:
            answer = course_analytics(course)
            if course not in expected:
                assert answer.status == 404
                continue
            body = answer.exact_body()
            want = expected[course]
            assert (body["learnerCount"], body["sessionCount"]) == (
                want.learner_count,
                want.totals.session_count,
            )
            assert (body["totalModulesStudied"], body["timeStudied"], body["averageScore"]) == (
                want.totals.total_modules_studied,
                want.totals.time_studied,
                want.totals.average_score,
            )
            assert {d["date"]: (d["sessionCount"], d["timeStudied"]) for d in all_days(course)} == {
                day: (t.session_count, t.time_studied) for day, t in want.days.items()
            }

    def teardown(self) -> None:
        if self.pending:
            aggregate(self.pending)
            self.pending = []
            self.exact_once_all_delivered()
        self._tables.__exit__(None, None, None)
        self._monkeypatch.undo()

    def _collect(self) -> None:
        # Shards keep each item's records in order; keep that order here too.
        self.pending += self.tap.take()

    def _fail_after(self, calls: int | None) -> None:
        """Let ``calls`` transactions of the aggregator through, then fail the rest."""
        events = table_access.dynamodb_client().meta.events
        events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="half-way")
        if calls is None:
            return
        budget = {"left": calls}

        def fail(**_: Any) -> None:
            budget["left"] -= 1
            if budget["left"] < 0:
                raise TemporarilyUnavailable

        events.register("before-call.dynamodb.TransactWriteItems", fail, unique_id="half-way")


CourseAnalyticsModel.TestCase.settings = settings(
    derandomize=True,
    max_examples=12,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_course_analytics_match_the_model = CourseAnalyticsModel.TestCase
