"""Runs this checkout's own tools (pip, a venv's python, the pinned CDK CLI) for the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def cfn_lint(*templates: Path) -> list[dict[str, Any]]:
    """cfn-lint's findings on ``templates`` (its JSON output), from this venv's cfn-lint.

    ``python -m cfnlint`` does not run cfn-lint 1.x (no ``__main__``): it fails at once,
    printing nothing on stdout, which reads as "no findings". The console script is run
    instead, and anything but a report (exit code 1: cfn-lint itself failed) fails here.
    """
    assert templates
    result = subprocess.run(  # noqa: S603 - this venv's cfn-lint, on our own files
        [str(Path(sys.executable).parent / "cfn-lint"), "--format", "json", *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Exit codes are flags: 2 errors, 4 warnings, 8 informational; 1 a failure to lint.
    assert result.returncode & 1 == 0, result.stdout + result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings
