"""The analytics' capacity arithmetic (bench/analytics_cost.py): docs/design.md quotes it as
computed, and its conclusions hold: a hot course fits its partitions only because of the
batching, reads stay flat, and a session costs a bounded number of write units."""

from __future__ import annotations

import re

from bench import analytics_cost
from stats_api import analytics_keys
from tests.support import REPO_ROOT

COST = analytics_cost.measure()


def test_design_quotes_the_analytics_cost_as_computed() -> None:
    design = (REPO_ROOT / "docs" / "design.md").read_text()
    block = re.search(
        r"<!-- make bench: analytics-cost -->\n(.*?)\n<!-- /make bench -->", design, re.S
    )
    assert block, "docs/design.md lost its analytics-cost block"
    assert block.group(1) == analytics_cost.render(COST)  # python -m bench.analytics_cost


def test_operations_quotes_the_analytics_cost_as_computed() -> None:
    operations = (REPO_ROOT / "docs" / "operations.md").read_text()
    block = re.search(
        r"<!-- make bench: analytics-cost-summary -->\n(.*?)\n<!-- /make bench -->",
        operations,
        re.S,
    )
    assert block, "docs/operations.md lost its analytics-cost-summary block"
    assert block.group(1) == analytics_cost.summary(COST)  # python -m bench.analytics_cost


def test_should_keep_a_hot_course_under_a_partitions_write_units_only_by_batching() -> None:
    hot = COST.hot_course()

    assert hot["per_share_units_per_s"] < analytics_cost.PARTITION_WRITE_UNITS / 10
    assert hot["unbatched_per_share_units_per_s"] > analytics_cost.PARTITION_WRITE_UNITS


def test_should_fill_a_transaction_with_sessions_of_one_course() -> None:
    # 2 items per session (marker, learner's count) + the totals + one day = 100.
    assert 2 * COST.sessions_per_transaction + 2 == 100
    assert COST.amortised_writes(COST.sessions_per_transaction) < COST.amortised_writes(1) == 8


def test_should_read_a_course_in_units_that_depend_on_shards_and_days_only() -> None:
    assert COST.course_read_units == analytics_keys.SHARDS * 0.5
    # A page: the shares of the totals (which shards hold days), then up to a Query a share.
    assert COST.daily_read_units(1) == COST.course_read_units + analytics_keys.SHARDS * 0.5
    assert COST.daily_read_units(366) <= COST.course_read_units + 10 * analytics_keys.SHARDS
