"""Sending statements to an LRS: the request xAPI 1.0.3 prescribes, each answer sorted into
stored, conflict, refused (never worth sending again) and unavailable (send again later),
and a batch's events delivered or named for another try."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from stats_api import lrs_client
from stats_api.learning_events import LearningEvent
from stats_api.learning_events_stream import learning_event
from stats_api.lrs_client import (
    LrsEndpoint,
    LrsRefused,
    LrsUnavailable,
    Outcome,
    post_statements,
)
from stats_api.lrs_forwarding import forward, forward_messages
from stats_api.xapi_statements import LrsProfile, statements_for
from stats_devkit.fake_lrs import FakeLrs, bus_message, fake_lrs
from tests.support.stream_records import session_change, session_image, stream_record

PROFILE = LrsProfile("https://learn.example.com", "https://learn.example.com/courses/{courseId}")
STATEMENT = {"id": "f9aed371-7822-5def-b4bb-f62a93bd3e3c", "verb": {"id": "x"}}


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    with fake_lrs() as server:
        yield server


def endpoint(lrs: FakeLrs) -> LrsEndpoint:
    return LrsEndpoint(lrs.url, "stats-service", "s3cret")


def test_should_post_the_statements_as_xapi_prescribes(lrs: FakeLrs) -> None:
    assert post_statements(endpoint(lrs), [STATEMENT]) is Outcome.STORED
    ((path, headers, body),) = lrs.received
    assert path == "/xAPI/statements"
    assert body == [STATEMENT]
    assert headers["x-experience-api-version"] == "1.0.3"
    assert headers["content-type"] == "application/json"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"stats-service:s3cret").decode()


@pytest.mark.parametrize(
    ("status", "outcome"), [(200, Outcome.STORED), (204, Outcome.STORED), (409, Outcome.CONFLICT)]
)
def test_should_read_stored_and_conflict_answers(
    lrs: FakeLrs, status: int, outcome: Outcome
) -> None:
    lrs.answers = [status]
    assert post_statements(endpoint(lrs), [STATEMENT]) is outcome


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 302])
def test_should_call_a_refusal_a_refusal_and_follow_no_redirect(lrs: FakeLrs, status: int) -> None:
    lrs.answers = [status]
    with pytest.raises(LrsRefused, match=str(status)):
        post_statements(endpoint(lrs), [STATEMENT])
    assert len(lrs.received) == 1  # a redirected POST is not sent again as a GET


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_should_call_throttling_and_server_errors_unavailable(lrs: FakeLrs, status: int) -> None:
    lrs.answers = [status]
    with pytest.raises(LrsUnavailable, match=str(status)):
        post_statements(endpoint(lrs), [STATEMENT])


def test_should_call_an_lrs_that_answers_too_late_unavailable(
    lrs: FakeLrs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lrs_client, "TIMEOUT_SECONDS", 0.2)
    lrs.delay = 1.0
    with pytest.raises(LrsUnavailable, match="could not be reached"):
        post_statements(endpoint(lrs), [STATEMENT])


def test_should_call_an_lrs_nobody_listens_for_unavailable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(LrsUnavailable, match="could not be reached"):
        post_statements(
            LrsEndpoint(f"http://127.0.0.1:{port}/xAPI/statements", "u", "p"), [STATEMENT]
        )


@pytest.mark.parametrize("url", ["lrs.example.com/xAPI/statements", "file:///etc/passwd", ""])
def test_should_refuse_an_endpoint_that_is_not_an_http_url(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        LrsEndpoint(url, "u", "p")


def test_should_not_show_the_password_in_the_endpoints_repr() -> None:
    assert "s3cret" not in repr(
        LrsEndpoint("https://lrs.example.com/xAPI/statements", "u", "s3cret")
    )


# The batch: what forward() sends, and what it names for another try.


def events() -> list[LearningEvent]:
    made = [
        learning_event(
            stream_record("INSERT", new=session_image(recordedAt="2026-11-02T08:00:00.000000Z"))
        ),
        learning_event(
            stream_record("REMOVE", old=session_image(recordedAt="2026-11-01T08:00:00.000000Z"))
        ),
        learning_event(
            stream_record(
                "INSERT",
                new=session_image(user="learner-43", recordedAt="2026-11-02T08:00:00.000000Z"),
            )
        ),
    ]
    assert all(made)
    return [event for event in made if event is not None]


class ScriptedPost:
    """An LRS answering each POST by its statements' ids; records what was sent."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.posts: list[list[str]] = []

    def __call__(self, _: LrsEndpoint, statements: Sequence[dict[str, Any]]) -> Outcome:
        ids = [s["id"] for s in statements]
        self.posts.append(ids)
        result = self.answer(ids)
        if isinstance(result, Exception):
            raise result
        assert isinstance(result, Outcome)
        return result


def ids_of(event: LearningEvent) -> list[str]:
    return [s["id"] for s in statements_for(event, PROFILE)]


ENDPOINT = LrsEndpoint("https://lrs.example.com/xAPI/statements", "u", "p")


def test_should_send_a_batch_in_one_request_when_the_lrs_takes_it() -> None:
    batch = events()
    post = ScriptedPost(lambda ids: Outcome.STORED)
    delivery = forward(batch, PROFILE, ENDPOINT, post)
    assert (delivery.failed, delivery.conflicts) == ((), 0)
    assert post.posts == [[i for event in batch for i in ids_of(event)]]


def test_should_send_nothing_for_no_events() -> None:
    post = ScriptedPost(lambda ids: Outcome.STORED)
    assert forward([], PROFILE, ENDPOINT, post).failed == ()
    assert post.posts == []


def test_should_name_only_the_event_the_lrs_refuses_and_deliver_the_others() -> None:
    batch = events()
    refused = ids_of(batch[1])[1]  # the withdrawal's voiding statement
    post = ScriptedPost(lambda ids: LrsRefused("400") if refused in ids else Outcome.STORED)
    delivery = forward(batch, PROFILE, ENDPOINT, post)
    assert delivery.failed == (1,)
    assert "400" in delivery.reasons[0]
    # The batch, then each statement alone, in order: the voided one before its voiding.
    assert post.posts == [[i for event in batch for i in ids_of(event)]] + [
        [i] for event in batch for i in ids_of(event)
    ]


def test_should_count_a_conflict_as_delivered_and_go_on_with_the_events_other_statements() -> None:
    batch = events()
    held_otherwise = ids_of(batch[1])[0]  # the withdrawn session's completed statement
    post = ScriptedPost(lambda ids: Outcome.CONFLICT if held_otherwise in ids else Outcome.STORED)
    delivery = forward(batch, PROFILE, ENDPOINT, post)
    assert (delivery.failed, delivery.conflicts) == ((), 1)
    assert [ids_of(batch[1])[1]] in post.posts  # its voiding statement still went


def test_should_not_send_a_voiding_statement_whose_voided_statement_failed() -> None:
    batch = events()
    completed, voiding = ids_of(batch[1])
    post = ScriptedPost(
        lambda ids: (
            LrsUnavailable("503")
            if ids == [completed]
            else LrsRefused("400")
            if len(ids) > 1
            else Outcome.STORED
        )
    )
    assert forward(batch, PROFILE, ENDPOINT, post).failed == (1,)
    assert [voiding] not in post.posts


def test_should_leave_a_batch_the_lrs_cannot_take_now_to_be_sent_again_whole() -> None:
    post = ScriptedPost(lambda ids: LrsUnavailable("503"))
    with pytest.raises(LrsUnavailable):
        forward(events(), PROFILE, ENDPOINT, post)
    assert len(post.posts) == 1  # not statement by statement against an LRS that is down


# The queue's messages: EventBridge events as the rule's SQS target receives them.


def test_should_forward_every_message_of_the_queue_in_one_request() -> None:
    batch = events()
    post = ScriptedPost(lambda ids: Outcome.STORED)
    delivery = forward_messages(
        [bus_message(e, str(n)) for n, e in enumerate(batch)], PROFILE, ENDPOINT, post
    )
    assert delivery.failed == ()
    assert post.posts == [[i for event in batch for i in ids_of(event)]]


def test_should_fail_alone_a_message_that_is_no_learning_event() -> None:
    good = bus_message(events()[0], "good")
    foreign = {**good, "messageId": "foreign", "body": '{"detail-type": "Other", "detail": {}}'}
    garbled = {**good, "messageId": "garbled", "body": "{not json"}
    numberless = {
        **good,
        "messageId": "numberless",
        "body": good["body"].replace('"timeStudied": 42.5', '"timeStudied": "lots"'),
    }
    assert numberless["body"] != good["body"]
    post = ScriptedPost(lambda ids: Outcome.STORED)
    delivery = forward_messages([foreign, good, garbled, numberless], PROFILE, ENDPOINT, post)
    assert delivery.failed == (0, 2, 3)
    assert post.posts == [ids_of(events()[0])]


def test_should_name_the_message_whose_event_the_lrs_refused() -> None:
    batch = events()
    refused = ids_of(batch[2])[0]
    post = ScriptedPost(lambda ids: LrsRefused("400") if refused in ids else Outcome.STORED)
    messages = [bus_message(e, str(n)) for n, e in enumerate(batch)]
    assert forward_messages(messages, PROFILE, ENDPOINT, post).failed == (2,)


def test_should_fail_every_message_when_the_lrs_cannot_take_them_now() -> None:
    post = ScriptedPost(lambda ids: LrsUnavailable("503"))
    messages = [bus_message(e, str(n)) for n, e in enumerate(events())]
    assert forward_messages(messages, PROFILE, ENDPOINT, post).failed == (0, 1, 2)


def test_should_name_each_statement_once_in_a_batch_holding_a_recording_and_its_withdrawal() -> (
    None
):
    recording = session_change("INSERT", recordedAt="2026-11-02T08:00:00.000000Z")
    withdrawal = session_change("REMOVE", recordedAt="2026-11-02T08:00:00.000000Z")
    post = ScriptedPost(lambda ids: Outcome.STORED)

    assert forward([recording, withdrawal], PROFILE, ENDPOINT, post).failed == ()
    # An LRS refuses a batch naming an id twice: the completed statement goes once, first.
    completed, voiding = ids_of(withdrawal)
    assert post.posts == [[completed, voiding]]
    assert ids_of(recording) == [completed]
