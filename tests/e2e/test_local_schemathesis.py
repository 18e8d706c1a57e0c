"""Schemathesis against the local run: the OpenAPI document it serves, every check it has
(schema-valid data accepted, invalid data refused, statuses, content types and response
bodies as documented, 405 with Allow, the resources a POST creates readable through the
documented links), and no 5xx."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.local_process import LocalApiProcess

# Bounded so the suite stays quick; the seed keeps CI reproducible (vary it to explore more).
MAX_EXAMPLES = 15
SEED = 20261127


def test_should_pass_schemathesis_with_its_standard_checks(
    local_api: LocalApiProcess, tmp_path: Path
) -> None:
    log_before = len(local_api.stderr().splitlines())

    run = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{local_api.url}/openapi.json",
            f"--max-examples={MAX_EXAMPLES}",
            f"--seed={SEED}",
            "--workers=4",
            "--generation-database=none",
            "--no-color",
            # Every check, positive_data_acceptance among them: any number a schema allows is
            # accepted. The hooks teach it only what no schema says (date ranges, since not
            # after until, cursors only as issued).
            "--checks=all",
            # Header auth: one caller for the whole run, so the documented links resolve.
            "--header=userId: schemathesis-caller",
        ],
        env=child_env(
            SCHEMATHESIS_HOOKS="tests.support.schemathesis_hooks", PYTHONPATH=str(REPO_ROOT)
        ),
        cwd=tmp_path,  # its reports and caches, if any, land here
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
    requests = local_api.stderr().splitlines()[log_before:]
    assert len(requests) > 3 * MAX_EXAMPLES
    assert not [line for line in requests if re.search(r'" 5\d\d ', line)]
