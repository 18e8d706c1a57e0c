"""The README's "Try it" curls, typed as a newcomer pastes them into a shell against a fresh
``make run`` (``python -m local_run``, header auth), answer what the README shows."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from pathlib import Path

from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.local_process import LocalApiProcess

README = (REPO_ROOT / "README.md").read_text()
SHOWN_URL = "http://127.0.0.1:3000"


def tried() -> list[tuple[str, dict[str, object]]]:
    """Each curl line of "Try it" with the JSON answer shown after it."""
    section = README.partition("## Try it\n")[2].partition("\n## ")[0]
    pairs = re.findall(r"```bash\n(curl [^\n]+)\n```\n```json\n([^\n]+)\n```", section)
    return [(line, json.loads(answer)) for line, answer in pairs]


def test_should_show_three_curls_with_their_answers() -> None:
    assert [line.split()[2:4] for line, _ in tried()] == [
        ["-X", "POST"],
        [f"{SHOWN_URL}/courses/algebra-1", "-H"],
        [f"{SHOWN_URL}/courses/algebra-1/sessions/0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21", "-H"],
    ]


def test_the_curls_should_answer_as_shown(tmp_path: Path) -> None:
    with LocalApiProcess(tmp_path, auth="header") as server:
        answers = [
            subprocess.run(  # noqa: S603 - the README's own line, in a shell, as pasted
                ["bash", "-c", line.replace(SHOWN_URL, server.url)],  # noqa: S607
                env=child_env(),
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
            for line, _ in tried()
        ]
        assert server.interrupt() == 0

    for answer, (_, shown) in zip(answers, tried(), strict=True):
        got = json.loads(answer)
        if "completedAt" in shown:  # when it was recorded: now, in UTC
            recorded = datetime.datetime.fromisoformat(got.pop("completedAt"))
            assert abs(datetime.datetime.now(datetime.UTC) - recorded) < datetime.timedelta(
                minutes=5
            )
        assert got == {name: value for name, value in shown.items() if name != "completedAt"}
