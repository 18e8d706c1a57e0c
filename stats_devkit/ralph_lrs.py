"""A real Learning Record Store on this machine, offline: Ralph with its file-system backend,
from its own virtualenv (``.venv-lrs``, ``requirements-lrs.txt``; ``make lrs`` builds it).

``running_ralph(workdir)`` makes the credentials with ``ralph auth``, starts the server
(``ralph_server``) on a free port of 127.0.0.1, waits until it answers, and stops it, and
everything it started, on the way out, pass or fail. ``python -m stats_devkit.ralph_lrs``
(``make lrs``) serves one in the foreground for ``make run``'s ``LRS_ENDPOINT``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stats_api.lrs_client import XAPI_VERSION, LrsEndpoint
from stats_devkit import REPO_ROOT

LRS_VENV = REPO_ROOT / ".venv-lrs"
USERNAME = "stats-service"
PASSWORD = "local-lrs-secret"  # noqa: S105 - a throwaway LRS on 127.0.0.1
STATEMENTS_PATH = "/xAPI/statements"
STARTUP_TIMEOUT = 60  # seconds; about 4 s on a quiet 2-core machine
DEFAULT_PORT = 8100  # make lrs's (LRS_PORT chooses another)
_SERVER = Path(__file__).with_name("ralph_server.py")
_LISTENING = re.compile(r"ralph LRS listening on (http://127\.0\.0\.1:\d+)")
_STORE_FILE = "fs_lrs.jsonl"  # the fs backend's one file
# All the server takes from this process's environment: nothing else may change it.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class RalphLrs:
    """A running Ralph: where to send statements, and two ways to read them back."""

    endpoint: LrsEndpoint
    data_dir: Path
    process_group: int  # the server's: nothing of it outlives ``running_ralph``

    def stored(self) -> list[dict[str, Any]]:
        """Every statement the LRS holds, as its backend wrote them (voided ones included)."""
        store = self.data_dir / _STORE_FILE
        lines = store.read_text().splitlines() if store.exists() else []
        return [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]

    def query(self, **parameters: str) -> dict[str, Any]:
        """``GET`` the statements resource with xAPI query ``parameters``."""
        url = self.endpoint.statements_url + "?" + urllib.parse.urlencode(parameters)
        request = urllib.request.Request(url, headers=_headers(self.endpoint))  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            body: dict[str, Any] = json.loads(response.read(), parse_float=Decimal)
            return body


def _headers(endpoint: LrsEndpoint) -> dict[str, str]:
    token = base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION}


@contextmanager
def running_ralph(workdir: Path, port: int = 0) -> Iterator[RalphLrs]:
    """Ralph serving from ``workdir`` (its credentials, its statements and its log), on
    ``port`` of 127.0.0.1 (0: a free one)."""
    if not (LRS_VENV / "bin" / "ralph").exists():
        raise RuntimeError(f"Ralph is not installed in {LRS_VENV}: run `make lrs-setup`")
    app_dir, data_dir = workdir / "app", workdir / "data"
    app_dir.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(exist_ok=True)
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env.update(
        RALPH_APP_DIR=str(app_dir),
        RALPH_RUNSERVER_BACKEND="fs",
        RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(  # noqa: S603 - Ralph's own command, from its pinned virtualenv
        [
            str(LRS_VENV / "bin" / "ralph"),
            "auth",
            "--username", USERNAME,
            "--password", PASSWORD,
            "--scope", "all",
            "--agent-ifi-mbox", "mailto:stats-service@example.com",
            "-w",
        ],
        cwd=workdir, env=env, capture_output=True, check=True, timeout=STARTUP_TIMEOUT,
    )  # fmt: skip
    log_path = workdir / "ralph.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - our launcher, in Ralph's virtualenv
            [str(LRS_VENV / "bin" / "python"), str(_SERVER), str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole
        )
    try:
        url = _wait_until_serving(server, log_path)
        yield RalphLrs(LrsEndpoint(url + STATEMENTS_PATH, USERNAME, PASSWORD), data_dir, server.pid)
    finally:
        _stop(server)


def _wait_until_serving(server: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        match = _LISTENING.search(log_path.read_text(errors="replace"))
        if match and _answers(match.group(1)):
            return match.group(1)
        if server.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"Ralph did not start:\n{log_path.read_text(errors='replace')}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/__heartbeat__", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Gone for sure, with anything it started: SIGTERM to its group, then SIGKILL."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue
    server.wait()


def main() -> int:
    """``make lrs``: serve until Ctrl-C on ``LRS_PORT`` (default ``DEFAULT_PORT``), printing
    how ``make run`` forwards to it; 1 when it cannot start (its port taken, say)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    port = int(os.environ.get("LRS_PORT") or DEFAULT_PORT)
    with tempfile.TemporaryDirectory(prefix="ralph-lrs-") as workdir:
        try:
            with running_ralph(Path(workdir), port) as lrs:
                print(_banner(lrs), flush=True)
                with suppress(KeyboardInterrupt):
                    signal.pause()
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


def _banner(lrs: RalphLrs) -> str:
    endpoint = lrs.endpoint
    return "\n".join(
        [
            f"Ralph LRS (xAPI {XAPI_VERSION}) on {endpoint.statements_url}",
            f"statements kept in {lrs.data_dir}/{_STORE_FILE} until it stops",
            "Forward the local run's statements to it:",
            f"  LRS_ENDPOINT={endpoint.statements_url} LRS_USERNAME={endpoint.username} "
            f"LRS_PASSWORD={endpoint.password} make run",
            "Read what it holds:",
            f"  curl -s -u {endpoint.username}:{endpoint.password} "
            f"-H 'X-Experience-API-Version: {XAPI_VERSION}' {endpoint.statements_url}",
            "Ctrl-C stops it.",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
