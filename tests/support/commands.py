"""Runs this checkout's own tools (pip, a venv's python, the pinned CDK CLI) for the tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


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
