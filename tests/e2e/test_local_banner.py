"""The curl lines the local run prints for its auth mode work as printed, with real curl."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.support import REPO_ROOT
from tests.support.api_client import Api
from tests.support.commands import child_env

BASH = shutil.which("bash") or "bash"
pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


def banner_commands(api: Api) -> list[str]:
    lines = api.banner.split("Try:\n", 1)[1].splitlines()
    return [line.strip() for line in lines if line.startswith("  ")]


def test_should_print_curl_lines_that_work_pasted_as_printed(api: Api) -> None:
    commands = banner_commands(api)
    setup = [c for c in commands if not c.startswith("curl")]
    post, get_course, get_session = [c for c in commands if c.startswith("curl")]

    def run(command: str) -> dict[str, object]:
        # Verbatim: no placeholder to fill in. -e: a line the shell cannot run fails here.
        script = "\n".join(["set -eo pipefail", *setup, command])
        done = subprocess.run(  # noqa: S603 - the banner's own lines, on loopback
            [BASH, "-c", script],
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        reply: dict[str, object] = json.loads(done.stdout)
        return reply

    recorded = run(post)

    assert recorded["courseId"] == "algebra-1"
    assert run(get_session) == recorded
    assert run(get_course)["sessionCount"] == 1
    # Pasted twice, the POST is a replay of the same session: answered, counted once.
    assert run(post) == recorded
    assert run(get_course)["sessionCount"] == 1


def test_docs_should_show_the_header_banner_as_the_local_run_prints_it(api: Api) -> None:
    if api.mode != "header":
        pytest.skip("docs/local-run.md shows the default mode's banner")
    shown = (REPO_ROOT / "docs" / "local-run.md").read_text().partition("```text\n")[2]
    shown = shown.partition("```")[0]

    def same_run(text: str) -> str:  # another port, another session id: the same lines
        text = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:3000", text)
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)

    assert same_run(shown).strip() == same_run(api.banner).strip()
