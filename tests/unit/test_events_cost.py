"""The learning events' cost arithmetic (bench/events_cost.py), which docs/benchmarks.md and
docs/operations.md quote: billed sizes, LRS requests counted from the forwarder's own code,
and the prices per million sessions. The throughput against Ralph runs in ``make bench``,
never here."""

from __future__ import annotations

import pytest

from bench import events_cost
from bench.events_cost import EventsCost
from stats_api.learning_events import SESSION_ERASED, SESSION_RECORDED, SESSION_WITHDRAWN


def cost(forwarder_ms_per_batch: float = 20.0, recorded_bytes: int = 620) -> EventsCost:
    return EventsCost(
        entry_bytes={"SessionRecorded": recorded_bytes},
        lrs_requests_per_session=0.1,
        lrs_bytes_per_session=1029,
        withdrawal_statements=2,
        forwarder_ms_per_batch=forwarder_ms_per_batch,
        sessions_per_second=300,
        lrs="Ralph",
    )


def test_should_bill_the_largest_event_of_each_kind_as_one_event() -> None:
    recorded = events_cost.entry_bytes(SESSION_RECORDED)
    withdrawn = events_cost.entry_bytes(SESSION_WITHDRAWN)
    erased = events_cost.entry_bytes(SESSION_ERASED)

    # Each well under EventBridge's 64 KB billing chunk; an erasure carries no numbers, a
    # withdrawal its withdrawnAt besides.
    assert all(500 < size < 1024 for size in (recorded, withdrawn, erased))
    assert erased < recorded < withdrawn


@pytest.mark.parametrize(("sessions", "requests"), [(1, 1), (10, 1), (11, 2), (400, 40)])
def test_should_count_one_lrs_request_per_batch_of_ten_events(sessions: int, requests: int) -> None:
    counted = events_cost.lrs_requests(events_cost.recordings(sessions))

    assert counted.requests == requests
    assert counted.bytes > 700 * sessions  # a completed statement each


def test_should_price_a_million_sessions_from_the_published_prices() -> None:
    money = cost(forwarder_ms_per_batch=20.0).per_million()

    assert money["events"] == pytest.approx(1.00)  # one event each, $1 per million
    # One SendMessage per event, a Receive and a DeleteBatch per batch of 10, $0.40 per million.
    assert money["queue"] == pytest.approx(1.2e6 * 0.40 / 1e6)
    # 10,000 publisher and 100,000 forwarder invocations; 100,000 x 20 ms at 256 MB arm64.
    functions = 110_000 * 0.20 / 1e6 + 100_000 * 0.020 * 0.25 * 0.0000133334
    assert money["functions"] == pytest.approx(functions)
    # 620 B a session ingested at $0.10 per GB, kept 35 days at $0.023 per GB-month.
    assert money["archive"] == pytest.approx(620e6 / 1024**3 * (0.10 + 0.023 * 35 / 30))


def test_should_bill_an_event_past_64_kb_as_two() -> None:
    assert cost(recorded_bytes=64 * 1024).per_million()["events"] == pytest.approx(1.00)
    assert cost(recorded_bytes=64 * 1024 + 1).per_million()["events"] == pytest.approx(2.00)


def test_should_quote_the_total_in_the_operators_summary() -> None:
    summary = events_cost.summary(cost())

    assert f"about ${sum(cost().per_million().values()):.2f} per million sessions" in summary
    assert "0.1 of an LRS request (10 events a request)" in summary
