"""The benchmark's own checks: a failed one stops the run with its message.

Explicit raises rather than ``assert``: the checks must hold under ``python -O`` too.
"""

from __future__ import annotations


class BenchCheckFailed(RuntimeError):
    """What the benchmark measured contradicts what it assumed; its numbers are void."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchCheckFailed(message)
