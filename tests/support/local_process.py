"""Drives the local run as a user does: ``python -m local_run`` in its own process, over HTTP.

Its own process, because moto keeps its state per process and the other tests start and
reset their own moto around each test.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support import REPO_ROOT
from tests.support.commands import child_env

_URL_LINE = re.compile(r"local API on (http://127\.0\.0\.1:\d+)")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names lower-cased
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw)

    @property
    def exact_body(self) -> Any:
        """The JSON body with every fraction as the exact Decimal it spells."""
        return json.loads(self.raw, parse_float=Decimal)


def request(
    method: str,
    url: str,
    *,
    user: str | None = None,
    body: Any = None,
    raw_body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One HTTP request with urllib; an error status is a reply like any other."""
    all_headers = dict(headers or {})
    if user is not None:
        all_headers["userId"] = user
    data = raw_body if raw_body is not None else None if body is None else json.dumps(body).encode()
    if data is not None:
        all_headers.setdefault("content-type", "application/json")
    outgoing = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(outgoing, timeout=30) as response:  # noqa: S310
            return Reply(response.status, _lower(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, _lower(error.headers.items()), error.read())


def _lower(items: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


class LocalApiProcess:
    """``python -m local_run`` on a free port (``PORT=0``) in auth mode ``auth``, its output
    kept in files; ``env`` adds settings (e.g. ``JWT_SCOPES``). Use it as a context manager
    (or call ``kill``): the process never outlives the test, pass or fail."""

    def __init__(
        self, workdir: Path, *, auth: str, port: int = 0, env: dict[str, str] | None = None
    ) -> None:
        self.stdout_path = workdir / "stdout.log"
        self.stderr_path = workdir / "stderr.log"
        settings = {**(env or {}), "AUTH": auth, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
        # Files, not pipes: nobody drains a pipe during a long test run, and a full one blocks.
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "local_run"],
                cwd=REPO_ROOT,
                env=child_env(**settings),
                stdout=out,
                stderr=err,
            )
        try:
            self.url = self._wait_for_url()
        except BaseException:
            self.kill()
            raise

    def __enter__(self) -> LocalApiProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.kill()

    def _wait_for_url(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = _URL_LINE.search(self.stdout())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"the local API did not start:\n{self.stderr()}")

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def interrupt(self, timeout: float = 20) -> int:
        """Ctrl-C, then the exit code (killed, and the wait re-raised, past ``timeout``)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """Gone for sure: killed if still running, and reaped."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def run_local_api(port: int | str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    """``python -m local_run`` to completion (for the runs that fail to start)."""
    return subprocess.run(
        [sys.executable, "-m", "local_run"],
        cwd=REPO_ROOT,
        env=child_env(**env_vars, PORT=str(port)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
