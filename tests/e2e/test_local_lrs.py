"""Statements against a real Learning Record Store: Ralph, offline, with its file-system
backend (``stats_devkit.ralph_lrs``), on a free port of 127.0.0.1, started and stopped here.

Learning events made from stream records shaped as Lambda delivers them go through the very
delivery code the forwarder runs (``lrs_forwarding``, ``lrs_client``), delivered twice and
in any order, as EventBridge and SQS may. Ralph must end holding exactly one ``completed``
statement per recording and one voiding statement per withdrawal and erasure, all valid
xAPI 1.0.3 as Ralph's own models read it. And the issue's own check, as a user runs it:
``LRS_ENDPOINT=... make run`` (the local run with the LRS's three settings), a POST, its
replay, a second POST and a DELETE leave the LRS two ``completed`` statements with the
sessions' numbers and one voiding statement, and ``GET /local/events`` the three events.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from stats_api.learning_events import LearningEvent
from stats_api.lrs_forwarding import forward
from stats_api.xapi_statements import COMPLETED, VOIDED, LrsProfile, statement_id
from stats_devkit.ralph_lrs import RalphLrs, running_ralph
from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.local_process import LocalApiProcess, request
from tests.support.stream_records import session_change

PROFILE = LrsProfile("https://learn.example.com", "https://learn.example.com/courses/{courseId}")
A = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
B = "6b1e8a3c-2d4f-4e5a-9b7c-8d9e0f1a2b3c"
C = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
FIRST, SECOND, AGAIN = (
    "2026-11-02T08:00:00.000000Z",
    "2026-11-02T08:10:00.000000Z",
    "2026-11-02T09:00:00.000000Z",
)


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphLrs]:
    with running_ralph(tmp_path_factory.mktemp("ralph")) as lrs:
        os.killpg(lrs.process_group, 0)  # serving
        yield lrs
    # Stopped, with everything it started: no process of its group is left.
    with pytest.raises(ProcessLookupError):
        os.killpg(lrs.process_group, 0)


def deliver(lrs: RalphLrs, events: list[LearningEvent], batch_size: int = 3) -> None:
    for start in range(0, len(events), batch_size):
        delivery = forward(events[start : start + batch_size], PROFILE, lrs.endpoint)
        assert delivery.failed == (), delivery.reasons
        assert delivery.conflicts == 0


def test_should_hold_one_statement_per_recording_and_one_voiding_per_removal(
    ralph: RalphLrs,
) -> None:
    history = [
        session_change("INSERT", session_id=A, recordedAt=FIRST),
        session_change("INSERT", session_id=B, recordedAt=SECOND),
        session_change("REMOVE", session_id=A, recordedAt=FIRST),  # withdrawn
        session_change("INSERT", session_id=A, recordedAt=AGAIN),  # recorded again after
        session_change("INSERT", user="learner-43", session_id=C, recordedAt=FIRST),
        session_change("REMOVE", user="learner-43", session_id=C, recordedAt=FIRST, erasedAt=AGAIN),
    ]
    deliver(ralph, history)
    # Redeliveries and replays, in any order: a withdrawal before its recording included.
    rng = random.Random(26)  # noqa: S311 - an order of deliveries, not a secret
    for _ in range(2):
        deliver(ralph, rng.sample(history, len(history)), batch_size=rng.choice([1, 2, 6]))

    stored = ralph.stored()
    assert Counter(s["id"] for s in stored).most_common(1)[0][1] == 1, "a statement stored twice"
    completed = {
        (s["actor"]["account"]["name"], s["id"]) for s in stored if s["verb"]["id"] == COMPLETED
    }
    assert completed == {
        ("learner-42", statement_id("learner-42", A, FIRST)),
        ("learner-42", statement_id("learner-42", B, SECOND)),
        ("learner-42", statement_id("learner-42", A, AGAIN)),
        ("learner-43", statement_id("learner-43", C, FIRST)),
    }
    voided = {s["object"]["id"] for s in stored if s["verb"]["id"] == VOIDED}
    assert voided == {statement_id("learner-42", A, FIRST), statement_id("learner-43", C, FIRST)}
    for statement in stored:
        BaseXapiStatement.model_validate(statement)


def test_should_answer_for_each_statement_as_xapi_clients_ask(ralph: RalphLrs) -> None:
    session = {"session_id": B, "user": "learner-44", "recordedAt": FIRST, "minutes": "61.5"}
    deliver(ralph, [session_change("INSERT", **session), session_change("REMOVE", **session)])
    held = statement_id("learner-44", B, FIRST)
    (completion,) = ralph.query(statementId=held)["statements"]
    assert completion["verb"]["id"] == COMPLETED
    assert completion["result"]["duration"] == "PT1H1M30S"
    assert completion["result"]["score"]["scaled"] == Decimal("0.875")
    assert completion["actor"]["account"] == {
        "homePage": "https://learn.example.com",
        "name": "learner-44",
    }
    # Ralph 5.1.0 implements no voidedStatementId query: the voiding statement is found by
    # what it points at.
    voiding = [s for s in ralph.stored() if s["object"]["id"] == held]
    assert [s["verb"]["id"] for s in voiding] == [VOIDED]


def test_make_run_should_leave_the_lrs_two_completed_statements_and_one_voiding_one(
    ralph: RalphLrs, tmp_path: Path
) -> None:
    endpoint = ralph.endpoint
    settings = {
        "LRS_ENDPOINT": endpoint.statements_url,
        "LRS_USERNAME": endpoint.username,
        "LRS_PASSWORD": endpoint.password,
    }
    user, course = f"e2e-{uuid.uuid4()}", "algebra-1"
    session = str(uuid.uuid4())
    body = {
        "sessionId": session,
        "totalModulesStudied": 3,
        "timeStudied": 42.5,
        "averageScore": 87.5,
    }
    with LocalApiProcess(tmp_path, auth="header", env=settings) as server:
        url = f"{server.url}/courses/{course}"
        assert request("POST", url, user=user, body=body).status == 201
        assert request("POST", url, user=user, body=body).status == 200  # a replay
        second = {"totalModulesStudied": 2, "timeStudied": 61.5, "averageScore": 70}
        other = request("POST", url, user=user, body=second)
        assert other.status == 201
        withdrawn = request("DELETE", f"{url}/sessions/{session}", user=user)
        assert withdrawn.status == 204

        held = _wait_for(lambda: _statements_of(ralph, user), count=3)
        events = request("GET", f"{server.url}/local/events").body
        assert server.interrupt() == 0

    completed = [s for s in held if s["verb"]["id"] == COMPLETED]
    voiding = [s for s in held if s["verb"]["id"] == VOIDED]
    assert len(completed) == 2
    assert len(voiding) == 1
    by_session = {
        s["context"]["extensions"][f"{server.url}/xapi/extensions/session-id"]: s["result"]
        for s in completed
    }
    assert by_session[session]["duration"] == "PT42M30S"
    assert by_session[session]["score"]["raw"] == Decimal("87.5")
    assert by_session[other.body["sessionId"]]["duration"] == "PT1H1M30S"
    withdrawn_statement = next(
        s
        for s in completed
        if s["context"]["extensions"][f"{server.url}/xapi/extensions/session-id"] == session
    )
    assert voiding[0]["object"] == {"objectType": "StatementRef", "id": withdrawn_statement["id"]}
    for statement in held:
        BaseXapiStatement.model_validate(statement)
    mine = [e for e in events if e["detail"]["userId"] == user]
    assert [e["detail-type"] for e in mine] == [
        "SessionRecorded",
        "SessionRecorded",
        "SessionWithdrawn",
    ]
    assert len({e["detail"]["eventId"] for e in mine}) == 3


def _statements_of(lrs: RalphLrs, user: str) -> list[dict[str, Any]]:
    return [s for s in lrs.stored() if s["actor"]["account"]["name"] == user]


def _wait_for(
    read: Callable[[], list[dict[str, Any]]], *, count: int, timeout: float = 20
) -> list[dict[str, Any]]:
    """What ``read`` gives once it holds ``count`` items (and a moment later, in case more
    were coming); fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(read()) >= count:
            time.sleep(1)  # anything sent twice would arrive within the next pump runs
            return read()
        time.sleep(0.1)
    raise AssertionError(f"the LRS holds {read()} after {timeout} s")


def test_make_lrs_should_serve_an_lrs_whose_printed_lines_work_until_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "make-lrs.out"
    with out.open("wb") as sink:
        make = subprocess.Popen(  # noqa: S603 - this checkout's make, as a user types it
            [shutil.which("make") or "make", "lrs"],
            cwd=REPO_ROOT,
            env=child_env(LRS_PORT="0"),  # any free port: other runs may hold 8100
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        deadline = time.monotonic() + 60
        while "Ctrl-C stops it." not in out.read_text() and time.monotonic() < deadline:
            assert make.poll() is None, out.read_text()
            time.sleep(0.1)
        lines = out.read_text().splitlines()
        curl = next(line.strip() for line in lines if line.strip().startswith("curl "))
        answer = subprocess.run(  # noqa: S602 - the line as printed, pasted in a shell
            curl, shell=True, capture_output=True, text=True, timeout=30, check=True
        )
        assert json.loads(answer.stdout) == {"statements": []}
        assert any(line.strip().startswith("LRS_ENDPOINT=http://127.0.0.1:") for line in lines)
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
        # make ends by the interrupt it was sent, once its job has stopped (as shells expect).
        assert make.wait(timeout=30) in (0, -signal.SIGINT)
    assert "Traceback" not in out.read_text()
    with pytest.raises(ProcessLookupError):
        os.killpg(make.pid, 0)  # nothing of its group left...
    # ...nor the server, which runs in a group of its own: found by the directory it served.
    served = next(line for line in lines if line.startswith("statements kept in "))
    workdir = served.removeprefix("statements kept in ").split("/data/")[0]
    assert _processes_in(workdir) == []
    assert not Path(workdir).exists()


def _processes_in(workdir: str) -> list[int]:
    """The processes whose environment names ``workdir`` (as Ralph's app directory)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"RALPH_APP_DIR={workdir}/app".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found
