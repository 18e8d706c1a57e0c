"""What course analytics cost in DynamoDB capacity, and why a hot course fits: computed
from the documented formulas (bench/capacity.py) over the items the aggregator really
writes (built by ``stats_api.analytics_items``, as the aggregator builds them), never
from moto's ``ConsumedCapacity``.

``python -m bench.analytics_cost`` prints the figures and refreshes the block docs/design.md
quotes; ``make bench`` does the same.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.capacity import READ_UNIT_BYTES, item_size, write_units
from bench.doc_blocks import refresh_block
from stats_api import analytics_items, analytics_keys
from stats_api.contributions import TRANSACTION_ITEMS, Contribution
from stats_api.dynamodb_calls import to_attributes
from stats_api.learner_stats import Session, Totals

COURSE = "course-v1:MITx+6.00x+2T2024"  # a long, real-world course id
USER = "learner-" + "x" * 28  # a 36-character user id
SESSION_ID = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
HOT_RATE = 10_000  # sessions per second into one course
PARTITION_WRITE_UNITS = 1_000  # per second, DynamoDB's per-partition limit
EVENTUAL_READ = 0.5  # an eventually consistent read costs half a strongly consistent one
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _marker() -> int:
    """A marker of the largest session (a 40-digit stream sequence number)."""
    session = Session(
        session_id=SESSION_ID,
        course_id=COURSE,
        total_modules_studied=1000,
        time_studied=Decimal("1439.999999"),
        average_score=Decimal("99.999999"),
        completed_at="2026-11-29T09:40:00.000000Z",
    )
    change = Contribution(USER, session, +1, sequence=10**analytics_items.SEQUENCE_DIGITS - 1)
    return item_size(to_attributes(analytics_items.marker_item(change)))


def _learner() -> int:
    return item_size(to_attributes(analytics_items.learner_item(COURSE, USER, 10**6)))


def _share(*, daily: bool) -> int:
    """A share of the totals (or of a day) after years of sums: 15-digit numbers."""
    key = (
        analytics_keys.daily_key(COURSE, analytics_keys.SHARDS - 1, "2026-11-29")
        if daily
        else analytics_keys.total_key(COURSE, analytics_keys.SHARDS - 1)
    )
    sums = Totals(10**15 - 1, 10**15 - 1, Decimal("9" * 15), Decimal("9" * 15))
    added = analytics_items.share_change(sums, None if daily else 10**9 - 1)
    settings = analytics_items.share_settings(COURSE, "2026-11-29T09:40:00.000000Z")
    return item_size(to_attributes({**key, **added, **settings}))


@dataclass(frozen=True)
class AnalyticsCost:
    marker_bytes: int
    learner_bytes: int
    total_share_bytes: int
    day_share_bytes: int
    # Per recorded session, amortised over a transaction of this many sessions.
    sessions_per_transaction: int

    @property
    def per_session_writes(self) -> int:
        """The marker and the learner's count, each in the transaction (x2)."""
        return write_units(self.marker_bytes, transactional=True) + write_units(
            self.learner_bytes, transactional=True
        )

    @property
    def per_transaction_writes(self) -> int:
        """The course's share of the totals and of one day."""
        return write_units(self.total_share_bytes, transactional=True) + write_units(
            self.day_share_bytes, transactional=True
        )

    def amortised_writes(self, sessions: int) -> float:
        return self.per_session_writes + self.per_transaction_writes / sessions

    @property
    def per_session_reads(self) -> int:
        """The strongly consistent BatchGetItem of the marker and the learner's count."""
        return 2 * max(1, math.ceil(self.marker_bytes / READ_UNIT_BYTES))

    @property
    def course_read_units(self) -> float:
        """GET /analytics/courses/{id}: one eventually consistent read of each share."""
        return (
            analytics_keys.SHARDS
            * EVENTUAL_READ
            * math.ceil(self.total_share_bytes / READ_UNIT_BYTES)
        )

    def daily_read_units(self, days: int) -> float:
        """A page of ``days`` of a course whose writes reached every shard (the most a page
        reads): the shares of its totals, then per share one Query of days + 1 items
        (eventual)."""
        page_bytes = (days + 1) * self.day_share_bytes
        return self.course_read_units + (
            analytics_keys.SHARDS * EVENTUAL_READ * max(1, math.ceil(page_bytes / READ_UNIT_BYTES))
        )

    def hot_course(self) -> dict[str, float]:
        """10,000 sessions/s into one course: write units per second on each partition."""
        transactions = HOT_RATE / self.sessions_per_transaction
        per_item = write_units(self.total_share_bytes, transactional=True)
        unbatched = HOT_RATE * per_item
        return {
            "transactions_per_s": transactions,
            "totals_units_per_s": transactions * per_item,
            "per_share_units_per_s": transactions * per_item / analytics_keys.SHARDS,
            "unbatched_units_per_s": unbatched,
            "unbatched_per_share_units_per_s": unbatched / analytics_keys.SHARDS,
        }


def measure() -> AnalyticsCost:
    # A transaction of one course, one day, every session another learner's: per session a
    # marker and a learner item, plus the share of the totals and of the day.
    sessions = (TRANSACTION_ITEMS - 2) // 2
    return AnalyticsCost(_marker(), _learner(), _share(daily=False), _share(daily=True), sessions)


def render(cost: AnalyticsCost) -> str:
    hot = cost.hot_course()
    n = cost.sessions_per_transaction
    return "\n".join(
        [
            f"- Items: a marker {cost.marker_bytes} B, a learner's count {cost.learner_bytes} B, "
            f"a share of the totals {cost.total_share_bytes} B, of a day {cost.day_share_bytes} B "
            f"(a {len(COURSE)}-character course id, a {len(USER)}-character user id, sums of "
            "15 digits).",
            f"- Write units per recorded session, on top of the POST's own: "
            f"{cost.amortised_writes(1):g} for a session alone in its batch, "
            f"{cost.amortised_writes(n):.2f} amortised in a full transaction of {n} sessions "
            f"(marker and learner's count {cost.per_session_writes}, plus "
            f"{cost.per_transaction_writes} per transaction for the totals and the day); and "
            f"{cost.per_session_reads} read units (the strongly consistent read of both "
            "before the conditional write). Lambda's reads of the stream are free.",
            f"- Read units per analytics request, whatever the learners and sessions: "
            f"{cost.course_read_units:g} for a course's totals ({analytics_keys.SHARDS} shares, "
            f"eventually consistent), {cost.daily_read_units(31):g} for a page of 31 days, "
            f"{cost.daily_read_units(366):g} for 366.",
            f"- A hot course, {HOT_RATE:,} sessions/s: batched {n} to a transaction, "
            f"{hot['transactions_per_s']:.0f} transactions/s write "
            f"{hot['totals_units_per_s']:.0f} units/s to the course's totals (as much again to "
            f"its day), {hot['per_share_units_per_s']:.0f} units/s on each of the "
            f"{analytics_keys.SHARDS} shares' partitions, "
            f"{hot['per_share_units_per_s'] / PARTITION_WRITE_UNITS:.0%} of the "
            f"{PARTITION_WRITE_UNITS:,} a partition takes. Unbatched, one transaction per "
            f"session would write {hot['unbatched_units_per_s']:,.0f} units/s to the totals: "
            f"{hot['unbatched_per_share_units_per_s']:,.0f} per share, throttled even across "
            f"{analytics_keys.SHARDS} shares. The markers and learners' counts "
            f"({cost.per_session_writes} units a session) are keyed by learner, spread like "
            "the sessions themselves.",
        ]
    )


def summary(cost: AnalyticsCost) -> str:
    """docs/operations.md's sentences of the same figures, wrapped as it is."""
    hot = cost.hot_course()
    n = cost.sessions_per_transaction
    return textwrap.fill(
        f"The aggregator adds {cost.amortised_writes(1):g} write units and "
        f"{cost.per_session_reads} read units for a session alone in its batch, about "
        f"{cost.amortised_writes(n):.1f} write units each when a busy course fills its "
        f"transactions ({n} sessions share one write of the course's totals); a read is "
        f"{cost.course_read_units:g} read units for a course's totals and "
        f"{cost.daily_read_units(31):g} for a month of days ({cost.daily_read_units(366):g} "
        "for 366), eventually consistent, whatever the number of learners. A course taking "
        f"{HOT_RATE:,} sessions a second stays at "
        f"{hot['per_share_units_per_s'] / PARTITION_WRITE_UNITS:.0%} of a partition's write "
        f"limit on each of its {analytics_keys.SHARDS} shares.",
        width=92,
    )


def refresh_docs(cost: AnalyticsCost) -> None:
    """Rewrite the blocks of docs/design.md and docs/operations.md that quote these figures."""
    refresh_block(DOCS / "design.md", "analytics-cost", render(cost))
    refresh_block(DOCS / "operations.md", "analytics-cost-summary", summary(cost))


def main() -> None:
    cost = measure()
    refresh_docs(cost)
    print(render(cost))


if __name__ == "__main__":
    main()
