"""Runs this checkout's own tools (pip, a venv's python, the pinned CDK CLI) for the tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# All a child process takes from the test's own environment: where programs are, the home
# directory, the locale and the temporary directory. Anything else (AUTH, PORT, BASE_URL,
# AWS_*, TOKEN...) it gets only when the test sets it, so a developer's shell, or the
# `make e2e BASE_URL=... AUTH=...` that runs the suite, cannot change what a test checks.
INHERITED_SETTINGS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def child_env(**settings: str) -> dict[str, str]:
    """The environment of a process a test starts: ``INHERITED_SETTINGS`` plus ``settings``."""
    inherited = {name: os.environ[name] for name in INHERITED_SETTINGS if name in os.environ}
    return {**inherited, **settings}


def run(*command: str | Path, cwd: Path | None = None, **extra_env: str) -> str:
    """Runs ``command`` to success and returns what it printed, stdout then stderr."""
    # A clean environment: nothing from this checkout may leak onto the child's path.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(extra_env)
    result = subprocess.run(  # noqa: S603 - our own interpreters, tools and files
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr
