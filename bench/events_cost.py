"""What learning events and LRS forwarding cost per session, and how fast they go: the
sizes EventBridge bills (of the largest events the service can publish), the requests the
forwarder makes of the LRS (its real code, counted), its throughput against a real LRS
(Ralph, offline, ``.venv-lrs``), and the prices of us-east-1 (late 2026) per million
recorded sessions. Published in docs/benchmarks.md, and quoted by docs/operations.md.

``python -m bench.events_cost`` prints them and refreshes that quote; ``make bench`` runs
them with the rest (both need Ralph in ``.venv-lrs``: ``make lrs-setup``).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.doc_blocks import refresh_block
from stats_api import json_text
from stats_api.event_publishing import entry
from stats_api.learner_stats import Session
from stats_api.learning_events import (
    SESSION_ERASED,
    SESSION_RECORDED,
    SESSION_WITHDRAWN,
    EventKind,
    LearningEvent,
)
from stats_api.lrs_client import LrsEndpoint, Outcome, post_statements
from stats_api.lrs_forwarding import forward
from stats_api.xapi_statements import LrsProfile, statements_for
from stats_devkit.ralph_lrs import LRS_VENV, running_ralph
from stats_service import StatsServiceProps
from stats_service.learning_events import PUBLISHER_BATCH_SIZE
from stats_service.lrs_delivery import FORWARDER_BATCH_SIZE

# Prices of us-east-1, late 2026 (https://aws.amazon.com/eventbridge/pricing/,
# https://aws.amazon.com/sqs/pricing/, https://aws.amazon.com/lambda/pricing/).
EVENT_PRICE = 1.00 / 1e6  # per custom event published, each 64 KB chunk one event
EVENT_CHUNK_BYTES = 64 * 1024
ARCHIVE_PRICE_PER_GB = 0.10  # archived (processed) data
ARCHIVE_STORAGE_PER_GB_MONTH = 0.023
ARCHIVE_DAYS = 35
API_DESTINATION_PRICE = 0.20 / 1e6  # per invocation: the alternative, for comparison
SQS_REQUEST_PRICE = 0.40 / 1e6
LAMBDA_REQUEST_PRICE = 0.20 / 1e6
LAMBDA_ARM_GB_SECOND = 0.0000133334
FUNCTION_GB = StatsServiceProps().memory_size / 1024
FORWARDER_BATCH = FORWARDER_BATCH_SIZE
PUBLISHER_BATCH = PUBLISHER_BATCH_SIZE
# What an EventBridge entry's billed size counts besides its strings (AWS: "Time" is 14 bytes).
TIME_BYTES = 14
THROUGHPUT_SESSIONS = 400  # forwarded to a real LRS, in batches of FORWARDER_BATCH
DOCS = Path(__file__).resolve().parent.parent / "docs"
PROFILE = LrsProfile("https://learn.example.com", "https://learn.example.com/courses/{courseId}")


def _largest(kind: EventKind, n: int = 0) -> LearningEvent:
    """The largest event of ``kind`` the API lets through: the longest ids, numbers at their
    widest (``n`` tells sessions apart)."""
    session = Session(
        session_id=f"0f6ad1f0-3c1e-4b8e-9a55-{n:012d}",
        course_id="c" * 128,
        total_modules_studied=1000,
        time_studied=Decimal("1439.999999"),
        average_score=Decimal("99.999999"),
        completed_at="2026-11-29T09:40:00.123456Z",
    )
    return LearningEvent.of_change(
        kind, "u" * 128, session, "2026-11-29T09:40:01.123456Z", "2026-11-29T10:00:00.000000Z"
    )


def entry_bytes(kind: EventKind) -> int:
    """A PutEvents entry's size as EventBridge bills it: Time, Source, DetailType, Detail."""
    put = entry(_largest(kind), "stats-events")
    return TIME_BYTES + sum(
        len(str(put[name]).encode()) for name in ("Source", "DetailType", "Detail")
    )


class CountingLrs:
    """An LRS that takes everything, counting requests and bytes (what a real one bills)."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0

    def __call__(self, _: LrsEndpoint, statements: Sequence[dict[str, Any]]) -> Outcome:
        self.requests += 1
        self.bytes += len(json_text.dumps(list(statements)).encode())
        return Outcome.STORED


@dataclass(frozen=True)
class EventsCost:
    entry_bytes: dict[str, int]  # by detail-type
    lrs_requests_per_session: float  # recordings forwarded in full batches
    lrs_bytes_per_session: float
    withdrawal_statements: int
    forwarder_ms_per_batch: float  # statements built and sent to a real LRS, median
    sessions_per_second: float  # through the forwarder to that LRS
    lrs: str  # what the throughput was measured against

    def per_million(self) -> dict[str, float]:
        """Dollars per million recorded sessions, by what bills them."""
        recorded = self.entry_bytes[SESSION_RECORDED.detail_type]
        gb = recorded * 1e6 / 1024**3
        chunks = -(-recorded // EVENT_CHUNK_BYTES)
        forwarder_batches = 1e6 / FORWARDER_BATCH
        return {
            "events": 1e6 * chunks * EVENT_PRICE,
            "archive": gb
            * (ARCHIVE_PRICE_PER_GB + ARCHIVE_STORAGE_PER_GB_MONTH * ARCHIVE_DAYS / 30),
            # EventBridge's SendMessage per event; the mapping's Receive and DeleteBatch per batch.
            "queue": (1e6 + 2 * forwarder_batches) * SQS_REQUEST_PRICE,
            "functions": (1e6 / PUBLISHER_BATCH + forwarder_batches) * LAMBDA_REQUEST_PRICE
            + forwarder_batches
            * (self.forwarder_ms_per_batch / 1000)
            * FUNCTION_GB
            * LAMBDA_ARM_GB_SECOND,
        }


def recordings(count: int) -> list[LearningEvent]:
    return [_largest(SESSION_RECORDED, n) for n in range(count)]


def lrs_requests(events: list[LearningEvent]) -> CountingLrs:
    counting = CountingLrs()
    endpoint = LrsEndpoint("https://lrs.example.com/xAPI/statements", "u", "p")
    for start in range(0, len(events), FORWARDER_BATCH):
        forward(events[start : start + FORWARDER_BATCH], PROFILE, endpoint, counting)
    return counting


def _throughput(
    events: list[LearningEvent], post: Callable[..., Outcome] = post_statements
) -> tuple[float, float, str]:
    """Median ms per batch and sessions per second, forwarding ``events`` to a real LRS."""
    if not (LRS_VENV / "bin" / "ralph").exists():
        raise RuntimeError(f"Ralph is not installed in {LRS_VENV}: run `make lrs-setup`")
    with tempfile.TemporaryDirectory() as workdir, running_ralph(Path(workdir)) as lrs:
        timings = []
        started = time.perf_counter()
        for start in range(0, len(events), FORWARDER_BATCH):
            began = time.perf_counter()
            delivery = forward(events[start : start + FORWARDER_BATCH], PROFILE, lrs.endpoint, post)
            timings.append((time.perf_counter() - began) * 1000)
            if delivery.failed:
                raise RuntimeError(f"the LRS refused a batch: {delivery.reasons}")
        elapsed = time.perf_counter() - started
        held = len(lrs.stored())
    if held != len(events):
        raise RuntimeError(f"the LRS holds {held} statements, not {len(events)}")
    return statistics.median(timings), len(events) / elapsed, "Ralph 5.1.0, fs backend, 127.0.0.1"


def measure() -> EventsCost:
    sizes = {
        kind.detail_type: entry_bytes(kind)
        for kind in (SESSION_RECORDED, SESSION_WITHDRAWN, SESSION_ERASED)
    }
    events = recordings(THROUGHPUT_SESSIONS)
    counted = lrs_requests(events)
    median_ms, per_second, lrs = _throughput(events)
    withdrawal = statements_for(_largest(SESSION_WITHDRAWN), PROFILE)
    return EventsCost(
        entry_bytes=sizes,
        lrs_requests_per_session=counted.requests / len(events),
        lrs_bytes_per_session=counted.bytes / len(events),
        withdrawal_statements=len(withdrawal),
        forwarder_ms_per_batch=median_ms,
        sessions_per_second=per_second,
        lrs=lrs,
    )


def render(cost: EventsCost) -> str:
    money = cost.per_million()
    sizes = ", ".join(f"{kind} {size:,} B" for kind, size in cost.entry_bytes.items())
    total = sum(money.values())
    return "\n".join(
        [
            f"- Event sizes, the largest the API lets through (128-character user and course "
            f"ids, every number at its widest), as EventBridge bills them: {sizes}; each one "
            f"billed event (a 64 KB chunk).",
            f"- LRS requests per recorded session, the forwarder's own code counted: "
            f"{cost.lrs_requests_per_session:g} (a batch of {FORWARDER_BATCH} events is one "
            f"request), {cost.lrs_bytes_per_session:,.0f} B of statements each; a withdrawal "
            f"sends {cost.withdrawal_statements} statements (the one it voids, again, and the "
            "voiding one), an erasure 1.",
            f"- Throughput through the forwarder to a real LRS ({cost.lrs}): "
            f"{cost.forwarder_ms_per_batch:.1f} ms per batch of {FORWARDER_BATCH} (median), "
            f"{cost.sessions_per_second:,.0f} sessions/s for one forwarder at a time; the "
            "LRS sees at most `max_concurrency` batches in flight (2 by default).",
            f"- Per million recorded sessions (us-east-1 prices, late 2026): events "
            f"${money['events']:.2f}, archive ${money['archive']:.2f} (ingested, kept "
            f"{ARCHIVE_DAYS} days), the LRS queue ${money['queue']:.2f}, the two functions "
            f"${money['functions']:.2f} (the forwarder's duration at the batch time above): "
            f"${total:.2f} in all. An API destination would add "
            f"${1e6 * API_DESTINATION_PRICE:.2f} per million events delivered and still need "
            "a function to build the statements.",
        ]
    )


def summary(cost: EventsCost) -> str:
    """The sentence docs/operations.md quotes."""
    total = sum(cost.per_million().values())
    return (
        "**What it costs** ([benchmarks.md](benchmarks.md), `make bench`): per recorded "
        "session, one event on the bus, its copy in the archive, one message through the LRS's "
        f"queue and {cost.lrs_requests_per_session:g} of an LRS request ({FORWARDER_BATCH} "
        f"events a request): about ${total:.2f} per million sessions on top of the API's own "
        "costs, plus the LRS's."
    )


def method() -> str:
    """How the figures are made, for docs/benchmarks.md."""
    return (
        "**Learning events and an LRS.** Sizes: the PutEvents entry the publisher builds "
        "(`event_publishing.entry`) for the largest event of each kind, counted as EventBridge "
        f"bills it ({TIME_BYTES} bytes of `Time`, then the UTF-8 bytes of `Source`, "
        "`DetailType` and `Detail`). LRS requests: the forwarder's own code "
        f"(`lrs_forwarding.forward`) over {THROUGHPUT_SESSIONS} recordings in batches of "
        f"{FORWARDER_BATCH}, against an LRS that counts requests and bytes. Throughput: the "
        "same batches, one at a time, to Ralph 5.1.0 (file-system backend, 127.0.0.1, "
        "`stats_devkit/ralph_lrs.py`), which must end holding every statement; Ralph here is "
        "not a production LRS, so the figure bounds the forwarder's own share, not an LRS's. "
        "Prices: us-east-1's published prices (late 2026), with the forwarder's duration at "
        f"the median batch time, {int(FUNCTION_GB * 1024)} MB, arm64."
    )


def refresh_docs(cost: EventsCost) -> None:
    """Rewrite the block of docs/operations.md that quotes these figures."""
    refresh_block(DOCS / "operations.md", "events-cost-summary", summary(cost))


def main() -> None:
    cost = measure()
    refresh_docs(cost)
    print(render(cost))


if __name__ == "__main__":
    main()
