"""``make help`` lists every target from the Makefile's own ``##`` comments, so a new
target cannot go unlisted, and it is what a bare ``make`` prints."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support import REPO_ROOT
from tests.support.commands import child_env

MAKEFILE = (REPO_ROOT / "Makefile").read_text()
PHONY = {
    target for line in re.findall(r"^\.PHONY:(.*)$", MAKEFILE, re.M) for target in line.split()
}


def make(*targets: str) -> str:
    result = subprocess.run(  # noqa: S603 - this checkout's make, as a user types it
        [shutil.which("make") or "make", *targets],
        cwd=REPO_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def listed() -> dict[str, str]:
    """``make help``'s lines: target -> what it does."""
    found = {}
    for line in make("help").splitlines():
        match = re.fullmatch(r"  make (\S+) +(\S.*)", line)
        assert match, line
        found[match[1]] = match[2]
    return found


def test_should_list_every_target_with_what_it_does(listed: dict[str, str]) -> None:
    assert set(listed) == PHONY
    assert all(description.strip() for description in listed.values())


def test_should_list_in_the_makefile_s_order_starting_with_help(listed: dict[str, str]) -> None:
    defined = re.findall(r"^([a-z0-9-]+):", MAKEFILE, re.M)

    assert list(listed) == [target for target in defined if target in listed]
    assert next(iter(listed)) == "help"


def test_a_bare_make_should_print_the_list(listed: dict[str, str]) -> None:
    assert make() == make("help")
    assert "test" in listed
