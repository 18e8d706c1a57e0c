"""The curl lines the local run prints for its auth mode work as printed, with real curl."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.support.api_client import Api, local_only

BASH = shutil.which("bash") or "bash"
pytestmark = [
    local_only,
    pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl"),
]


def banner_commands(api: Api) -> list[str]:
    lines = api.banner.split("Try:\n", 1)[1].splitlines()
    return [line.strip() for line in lines if line.startswith("  ")]


def test_should_print_curl_lines_that_record_and_read_a_session(api: Api) -> None:
    commands = banner_commands(api)
    setup = [c for c in commands if not c.startswith("curl")]
    post, get_course, get_session = [c for c in commands if c.startswith("curl")]

    def run(command: str) -> dict[str, object]:
        script = "\n".join([*setup, command])
        done = subprocess.run(  # noqa: S603 - the banner's own lines, on loopback
            [BASH, "-c", script], capture_output=True, text=True, timeout=30, check=True
        )
        reply: dict[str, object] = json.loads(done.stdout)
        return reply

    recorded = run(post)
    session_id = str(recorded["sessionId"])

    assert recorded["courseId"] == "algebra-1"
    assert run(get_session.replace("<sessionId>", session_id)) == recorded
    assert run(get_course)["courseId"] == "algebra-1"
