"""Figures the docs quote come from the benchmark report: docs/design.md's ``make bench``
block says what docs/benchmarks.md (written by the same run) measured."""

from __future__ import annotations

import re

from tests.support import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def write_units(report: str, design: str) -> str:
    row = re.search(rf"^\| {re.escape(design)}\s*\|\s*\d+\s*\|\s*(\d+)\s*\|", report, re.M)
    assert row, f"no write-cost row {design!r} in docs/benchmarks.md"
    return row.group(1)


def test_design_quotes_the_write_cost_the_report_measured() -> None:
    report = (DOCS / "benchmarks.md").read_text()
    design = (DOCS / "design.md").read_text()
    block = re.search(r"<!-- make bench: write-cost -->\n(.*?)\n<!-- /make bench -->", design, re.S)
    assert block, "docs/design.md lost its make bench block"
    ours = write_units(
        report, "transaction: Put session + Update aggregate + history index entry (ours)"
    )
    without = write_units(report, "the same without the history index")
    assert f"{ours} write units with the history index against {without} without" in (
        block.group(1)
    )
