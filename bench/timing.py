"""Repeated wall-clock timings and their summary (min, median, p95)."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.samples_ms)

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile: with fewer than 20 samples, the maximum."""
        return self.percentile(0.95)

    @property
    def quartiles(self) -> tuple[float, float]:
        """The nearest-rank 25th and 75th percentiles: the middle half's spread."""
        return self.percentile(0.25), self.percentile(0.75)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def elapsed_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def repeat(
    call: Callable[[], object],
    *,
    warmup: int,
    repeats: int,
    min_repeats: int,
    budget_s: float,
) -> Timing:
    """Time ``call`` ``repeats`` times after ``warmup`` untimed calls.

    A slow call gets fewer repeats (never fewer than ``min_repeats``) so that one cell of
    the benchmark stays within about ``budget_s`` seconds: in moto, a Query of 5,000 items
    takes seconds, and 30 of them would dominate the whole run.
    """
    first = 0.0
    for index in range(warmup):
        took = elapsed_ms(call)
        first = took if index == 0 else min(first, took)
    if first:
        repeats = max(min_repeats, min(repeats, int(budget_s * 1000 / first)))
    return Timing(tuple(elapsed_ms(call) for _ in range(repeats)))
