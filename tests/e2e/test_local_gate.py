"""The release workflow's staging gate, ``make e2e BASE_URL=<url> AUTH=<mode>``, typed as a
user types it, passes against a local run of each mode (``AUTH=<mode> make run``), from a
shell that holds only what docs/deploy.md names for that mode, and leaves no process behind.

Run here as subprocesses, each in a session of its own (as a terminal gives each command),
so whatever either of them starts can be found and stopped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_run.auth_modes import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ANALYTICS_ACCESS_KEY_ID,
    DEFAULT_ANALYTICS_SECRET_ACCESS_KEY,
    DEFAULT_SECRET_ACCESS_KEY,
)
from local_run.oidc import TOKEN_PATH
from stats_api.routes import ANALYTICS_SCOPE
from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.local_process import request

MAKE = shutil.which("make") or "make"
LOCAL_CHECKS = sorted(path.name for path in Path(__file__).parent.glob("test_local_*.py"))
_URL_LINE = re.compile(r"local API on (http://127\.0\.0\.1:\d+)")


def user_shell(workdir: Path, **named: str) -> dict[str, str]:
    """A shell holding only ``named`` (what docs/deploy.md names) besides PATH and the locale. Its
    own HOME, so no ~/.aws file supplies a setting the docs forgot; its own TMPDIR, so the
    inner pytest's temporary directories stay inside this test's, apart from this run's."""
    home, tmp = workdir / "home", workdir / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    return {**child_env(), "HOME": str(home), "TMPDIR": str(tmp), **named}


def all_processes() -> list[int]:
    proc = Path("/proc")
    if proc.is_dir():  # Linux: no need for ps
        return [int(entry.name) for entry in proc.iterdir() if entry.name.isdigit()]
    listing = subprocess.run(  # noqa: S603 - ps, to find what a command left running
        [shutil.which("ps") or "ps", "-A", "-o", "pid="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [int(pid) for pid in listing.split()]


def processes_in_session(session_id: int) -> list[int]:
    """The live processes of a session (a zombie has exited: only its parent's wait is due)."""
    found = []
    for pid in all_processes():
        with contextlib.suppress(OSError):
            if os.getsid(pid) == session_id and not _is_zombie(pid):
                found.append(pid)
    return found


def _is_zombie(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    # The state follows the parenthesised command name, which may itself hold spaces.
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def stop_session(session_id: int) -> None:
    """Kills whatever is left of a session started with ``start_new_session`` (its leader's
    process group holds it all unless a member made a group of its own)."""
    for pid in processes_in_session(session_id):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def make_run(mode: str, workdir: Path) -> Iterator[str]:
    """``AUTH=<mode> PORT=0 make run`` (port 0: a free one, named in the banner); stopped as
    Ctrl-C stops it, every process of it gone afterwards, pass or fail."""
    log = workdir / "make-run.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - this checkout's make
            [MAKE, "run"],
            cwd=REPO_ROOT,
            env=user_shell(workdir, AUTH=mode, PORT="0"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not (started := _URL_LINE.search(log.read_text(errors="replace"))):
            assert server.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "make run did not start"
            time.sleep(0.1)
        yield started.group(1)
        # Ctrl-C in a terminal reaches the whole foreground group: make and the server.
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=20)
        assert processes_in_session(server.pid) == [], "make run left processes behind"
    finally:
        stop_session(server.pid)
        server.wait()


def what_the_readme_names(
    mode: str, url: str, home: Path, *, analyst: bool
) -> tuple[list[str], dict[str, str]]:
    """docs/deploy.md's settings for ``mode`` against a local run: (make arguments, exports);
    with ``analyst``, also the analyst's (its table names both)."""
    if mode == "jwt":  # two users' tokens from the local issuer, as a stage's issuer gives
        tokens = [
            request("GET", f"{url}{TOKEN_PATH}?sub=gate-{uuid.uuid4()}").body["access_token"]
            for _ in range(2)
        ]
        arguments = [f"TOKEN={tokens[0]}", f"TOKEN_2={tokens[1]}"]
        if analyst:  # a token with the analytics scope, as the stage's issuer would give
            query = f"sub=gate-analyst&scope={ANALYTICS_SCOPE}"
            token = request("GET", f"{url}{TOKEN_PATH}?{query}").body["access_token"]
            arguments.append(f"ANALYST_TOKEN={token}")
        return arguments, {}
    if mode == "iam":  # the local run's credentials (its banner prints them)
        exports = {
            "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
        }
        if analyst:  # the analytics credentials the banner prints, as a profile of the user's
            (home / ".aws").mkdir(exist_ok=True)
            (home / ".aws" / "credentials").write_text(
                "[analyst]\n"
                f"aws_access_key_id = {DEFAULT_ANALYTICS_ACCESS_KEY_ID}\n"
                f"aws_secret_access_key = {DEFAULT_ANALYTICS_SECRET_ACCESS_KEY}\n"
            )
            return ["ANALYST_PROFILE=analyst"], exports
        return [], exports
    return [], {}


# With the analyst's settings, the full gate (make e2e) checks the analytics routes; without
# them, the read-only one (make smoke) must say that it did not. Header auth needs none.
GATES = [
    ("header", "e2e", True),
    ("jwt", "e2e", True),
    ("jwt", "smoke", False),
    ("iam", "e2e", True),
    ("iam", "smoke", False),
]


@pytest.mark.parametrize(("mode", "target", "analyst"), GATES)
def test_should_pass_the_staging_gate_typed_as_a_user_types_it(
    mode: str, target: str, analyst: bool, tmp_path: Path
) -> None:
    with make_run(mode, tmp_path) as url:
        shell = user_shell(tmp_path)
        arguments, exports = what_the_readme_names(mode, url, Path(shell["HOME"]), analyst=analyst)
        gate = subprocess.Popen(  # noqa: S603 - this checkout's make
            [MAKE, target, f"BASE_URL={url}", f"AUTH={mode}", *arguments],
            cwd=REPO_ROOT,
            env=user_shell(tmp_path, **exports),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = gate.communicate(timeout=600)
            left_behind = processes_in_session(gate.pid)
        finally:
            stop_session(gate.pid)
            gate.kill()
            gate.wait()

    assert gate.returncode == 0, output
    summary = output.rstrip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), output
    assert not re.search(r"failed|error", summary), output
    assert f"e2e against {url} ({mode}) wrote only under: " in output
    if analyst:
        assert f"e2e against {url} ({mode}): analytics checked as the analyst" in output
    else:  # never a silent skip: the summary names what to set
        missing = "ANALYST_TOKEN" if mode == "jwt" else "ANALYST_PROFILE or ANALYST_ROLE_ARN"
        assert f"({mode}): analytics NOT checked: set {missing} for the analytics" in output
    if target == "e2e":
        # Every check of the local run's own behaviour is skipped, as docs/deploy.md says.
        for name in LOCAL_CHECKS:
            assert re.search(
                rf"SKIPPED \[\d+\] tests/e2e/{name}:\d+: the local run's own behaviour", output
            ), name
    assert left_behind == [], f"make {target} left processes behind: {left_behind}"
