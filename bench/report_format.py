"""How the report writes numbers and tables (GitHub Markdown)."""

from __future__ import annotations

from collections.abc import Iterable

from tabulate import tabulate

from bench.checks import Goal
from bench.timing import Timing


def table(headers: list[str], rows: list[list[object]], align: str = "") -> str:
    """A GitHub Markdown table; ``align`` has an ``l`` or ``r`` per column (default: the
    first column left, numbers in the others right)."""
    sides = {"l": "left", "r": "right"}
    columns = [sides[side] for side in align or "l" + "r" * (len(headers) - 1)]
    text: str = tabulate(rows, headers, tablefmt="pipe", colalign=columns, disable_numparse=True)
    return text


def goals_table(goals: list[Goal]) -> str:
    rows: list[list[object]] = [
        [goal.what, goal.measured, "met" if goal.met else "MISSED"] for goal in goals
    ]
    return table(["goal", "measured", "verdict"], rows, align="lrl")


def spread(paired: Timing) -> str:
    """A paired ratio's median and, in brackets, its 25th to 75th percentile."""
    low, high = paired.quartiles
    return f"{paired.median:.2f} ({low:.2f}-{high:.2f})"


def value_range(values: Iterable[float]) -> str:
    ordered = sorted(values)
    low, high = f"{ordered[0]:.2f}", f"{ordered[-1]:.2f}"
    return low if low == high else f"{low}-{high}"


def listing(values: Iterable[int]) -> str:
    texts = [f"{value:,}" for value in values]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def kib(size: int) -> str:
    return f"{size // 1024 // 1024} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def kb(size: float) -> str:
    return f"{size / 1024:,.1f} KB"


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
