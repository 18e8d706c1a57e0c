"""Helpers the test tiers (and the benchmarks) share, imported as ``tests.support``."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
