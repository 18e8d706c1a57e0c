"""Helpers the test tiers share, imported as ``tests.support`` (what the benchmarks use too
is in ``stats_devkit``)."""

from stats_devkit import REPO_ROOT

__all__ = ["REPO_ROOT"]
