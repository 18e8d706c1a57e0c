"""The benchmark's own checks, and its goals.

A failed check stops the run with its message: what was measured contradicts what the
benchmark assumed, so its numbers are void. A goal is a target the numbers must meet
(a speed, a memory bound): every goal is reported, and ``make bench`` exits non-zero when
one is missed, after writing the report that shows it.

Explicit raises rather than ``assert``: the checks must hold under ``python -O`` too.
"""

from __future__ import annotations

from dataclasses import dataclass


class BenchCheckFailed(RuntimeError):
    """What the benchmark measured contradicts what it assumed; its numbers are void."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchCheckFailed(message)


@dataclass(frozen=True)
class Goal:
    what: str  # the goal, e.g. "cold start of ... within 1.2x the floor"
    measured: str  # what this run measured, e.g. "1.08x"
    met: bool
