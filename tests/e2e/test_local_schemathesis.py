"""Schemathesis against the local run: the OpenAPI document it serves, every check it has
(schema-valid data accepted, invalid data refused, statuses, content types and response
bodies as documented, 405 with Allow, the resources a POST creates readable through the
documented links, and, on JWT, every operation refusing a request without its token), and
no 5xx.

It runs against the header-auth and the JWT documents. The IAM document is left to the
generated clients' drivers (tests/e2e/test_local_clients.py): schemathesis cannot compute a
SigV4 signature for each request it sends, so its authentication checks, which resend a
request without or with altered credentials, would meet a request it had signed anew.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.local_process import LocalApiProcess, request

# Bounded so the suite stays quick; the seed keeps CI reproducible (vary it to explore more).
MAX_EXAMPLES = 15
SEED = 20261127
CALLER = "schemathesis-caller"


@pytest.fixture
def jwt_api(tmp_path: Path) -> Iterator[LocalApiProcess]:
    (workdir := tmp_path / "jwt").mkdir()
    with LocalApiProcess(workdir, auth="jwt") as server:
        yield server
        assert server.interrupt() == 0


def schemathesis(api: LocalApiProcess, workdir: Path, *credentials: str) -> str:
    """A schemathesis run against ``api``'s document, sending ``credentials`` (headers) on
    every request; its output, after checking that the run and every phase passed and that
    the server answered no request with a 5xx."""
    log_before = len(api.stderr().splitlines())
    run = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{api.url}/openapi.json",
            f"--max-examples={MAX_EXAMPLES}",
            f"--seed={SEED}",
            "--workers=4",
            "--generation-database=none",
            "--no-color",
            # Every check, positive_data_acceptance among them: any number a schema allows is
            # accepted. The hooks teach it only what no schema says (date ranges, since not
            # after until, cursors only as issued).
            "--checks=all",
            *(f"--header={header}" for header in credentials),
        ],
        env=child_env(
            SCHEMATHESIS_HOOKS="tests.support.schemathesis_hooks", PYTHONPATH=str(REPO_ROOT)
        ),
        cwd=workdir,  # its reports and caches, if any, land here
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No issues found" in run.stdout
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}", run.stdout), run.stdout
    # Every request is in the server's access log: none was answered with a 5xx.
    requests = api.stderr().splitlines()[log_before:]
    assert len(requests) > 3 * MAX_EXAMPLES
    assert not [line for line in requests if re.search(r'" 5\d\d ', line)]
    return run.stdout


def test_should_pass_schemathesis_on_the_header_auth_document(
    local_api: LocalApiProcess, tmp_path: Path
) -> None:
    # One caller for the whole run, so the documented links resolve.
    schemathesis(local_api, tmp_path, f"userId: {CALLER}")


def test_should_pass_schemathesis_on_the_jwt_document(
    jwt_api: LocalApiProcess, tmp_path: Path
) -> None:
    # A token that may call every operation: the analytics ones demand their scope.
    minted = request("GET", f"{jwt_api.url}/local/token?sub={CALLER}&scope=stats/analytics.read")

    output = schemathesis(jwt_api, tmp_path, f"Authorization: Bearer {minted.body['access_token']}")

    assert "Selected: 8/8" in output
