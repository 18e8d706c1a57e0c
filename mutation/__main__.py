"""``python -m mutation``: run mutmut over the modules in ``MUTATED`` against ``tests/unit``,
then print the score and every surviving mutant with its diff.

mutmut 3 writes a mutated copy of the source into ``mutants/`` and names each mutant after
its file's path (a leading ``src/`` stripped): the tests must import that copy under that
name. Here the runtime package lives in ``lambdas/stats_api`` and is imported as
``stats_api`` (pytest's ``pythonpath``; the editable install points at ``lambdas/``), which
mutmut would name ``lambdas.stats_api``: every mutant would end up "no tests". So the run
happens in a staging folder, ``.mutation/`` (git-ignored, rebuilt each run), laid out as
mutmut expects: the package at ``src/stats_api``, with the tests, the local run they import,
the committed OpenAPI document one test compares, and a ``pyproject.toml`` holding the
repository's pytest settings (``pythonpath`` pointed at ``src``) and mutmut's.

Options: ``--max-children N`` (default 2: the machine is shared); mutant-name globs to run
only some, e.g. ``'stats_api.learner_stats*'``; ``--survivors`` to re-run only the mutants the
last run did not kill (or, with globs, those), against the current tests (after adding a
test; the source must be unchanged); ``--report`` to print the last run's score and
survivors again (also after an interrupted run).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGING = ROOT / ".mutation"
PACKAGE = "stats_api"
# The rules, the domain's rounding, the stored items, the table's reads and writes, the cursors
# and the caller's identity.
MUTATED = (
    "identifiers.py",
    "session_body.py",
    "query_parameters.py",
    "timestamps.py",
    "cursors.py",
    "learner_stats.py",
    "stored_items.py",
    "learner_store.py",
    "history_reads.py",
    "table_access.py",
    "http.py",
)
COPIED = ("tests", "local_run", "stats_tools", "stats_devkit", "docs/openapi")
TEST_TIER = "tests/unit"
# Mutants no test caught: survived, or timed out (on a busy machine a worker can run out of
# time with no loop in sight, so a timeout is re-run, never counted as caught).
_UNCAUGHT = re.compile(r"^\s*(\S+): (survived|timeout|suspicious)$")


def _toml(tables: dict[str, dict[str, Any]]) -> str:
    """The few TOML shapes the settings use: strings, numbers, booleans, lists of strings."""
    lines = []
    for table, values in tables.items():
        lines.append(f"[{table}]")
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else json.dumps(value)
            lines.append(f"{key} = {text}")
        lines.append("")
    return "\n".join(lines)


_IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis")


def stage() -> None:
    """Lay out ``STAGING`` afresh as mutmut expects it."""
    shutil.rmtree(STAGING, ignore_errors=True)
    shutil.copytree(ROOT / "lambdas" / PACKAGE, STAGING / "src" / PACKAGE, ignore=_IGNORED)
    copy_tests()
    pytest_settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    pytest_settings["ini_options"]["pythonpath"] = [".", "src"]
    settings = {
        "tool.pytest.ini_options": pytest_settings["ini_options"],
        "tool.mutmut": {
            "source_paths": ["src"],
            "only_mutate": [f"src/{PACKAGE}/{name}" for name in MUTATED],
            "also_copy": [name.split("/")[0] for name in COPIED if name != "tests"],
            "pytest_add_cli_args_test_selection": [TEST_TIER],
            "pytest_add_cli_args": ["-p", "no:cacheprovider"],
            "use_git_change_detection": False,
        },
    }
    (STAGING / "pyproject.toml").write_text(_toml(settings))


def copy_tests() -> None:
    """The tests and what they read, as they are now, into ``STAGING``."""
    for name in COPIED:
        source, target = ROOT / name, STAGING / name
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=_IGNORED)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def source_unchanged() -> bool:
    """Whether the staged package still equals ``lambdas/stats_api``."""
    pending = [filecmp.dircmp(ROOT / "lambdas" / PACKAGE, STAGING / "src" / PACKAGE)]
    while pending:
        compared = pending.pop()
        if compared.diff_files or compared.left_only or compared.right_only:
            return False
        pending += compared.subdirs.values()
    return True


def uncaught() -> list[tuple[str, str]]:
    """The last run's mutants that no test caught, with their status."""
    return [
        (match.group(1), match.group(2))
        for line in mutmut("results", capture=True).splitlines()
        if (match := _UNCAUGHT.match(line))
    ]


def mutmut(*arguments: str, capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter, mutmut and its arguments
        [sys.executable, "-m", "mutmut", *arguments],
        cwd=STAGING,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def report() -> int:
    """Print the score and each uncaught mutant's diff; returns how many there are."""
    mutmut("export-cicd-stats", capture=True)
    stats = json.loads((STAGING / "mutants" / "mutmut-cicd-stats.json").read_text())
    left = uncaught()
    for name, _ in left:
        print(mutmut("show", name, capture=True))
    tested = sum(stats[status] for status in ("killed", "survived", "timeout", "suspicious"))
    unchecked = stats["total"] - sum(value for name, value in stats.items() if name != "total")
    score = 100 * stats["killed"] / tested if tested else 0.0
    print(
        f"mutation score: {score:.1f}% ({stats['killed']} of {tested} mutants killed by "
        f"{TEST_TIER}; {stats['survived']} survived, {stats['timeout']} timed out, "
        f"{stats['suspicious']} suspicious, {stats['no_tests']} reached by no test, "
        f"{stats['skipped']} skipped, {unchecked} of {stats['total']} not run yet)"
    )
    print("not killed:", *[f"{name} ({status})" for name, status in left] or ["none"], sep="\n  ")
    return len(left)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--survivors", action="store_true", help="re-run the last survivors")
    parser.add_argument("--report", action="store_true", help="only report the last run")
    parser.add_argument("mutants", nargs="*", help="mutant-name globs (default: all)")
    options = parser.parse_args()
    started = time.monotonic()
    if options.report:
        report()
        return
    if not options.survivors:
        stage()
        mutants = options.mutants
    elif (STAGING / "mutants").is_dir() and source_unchanged():
        copy_tests()
        mutants = options.mutants or [name for name, _ in uncaught()]
    else:
        sys.exit("mutation: the source changed since the last run (or there is none): run it whole")
    if mutants or not options.survivors:
        mutmut("run", "--max-children", str(options.max_children), *mutants)
    report()
    print(f"mutation: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
