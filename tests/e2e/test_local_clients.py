"""The clients generated from each auth mode's OpenAPI document: ``make clients``, typed as
the README gives it, generates and type-checks them (mypy --strict, tsc --strict); the
example drivers then call every operation, to the last page, against the local run in that
mode, signing with SigV4 (botocore's signer in an httpx hook, aws4fetch) on IAM and sending
bearer tokens on JWT; and the IAM and JWT clients cannot be called without authentication."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from stats_api.auth_modes import AUTH_MODES, AuthMode
from stats_api.routes import ROUTES
from stats_tools import clients
from tests.support import REPO_ROOT
from tests.support.api_client import Api
from tests.support.commands import child_env
from tests.support.local_process import request

MAKE = shutil.which("make") or "make"
NODE = shutil.which("node") or "node"
# What the drivers call, in order, and what each answers: every operation of the route table.
ANSWERED = {
    "recordSession": [201, 200, 201, 201],
    "fetchSession": [200],
    "fetchCourseStats": [200, 200],
    "listCourses": [200, 200],  # a page of one course each, to the last
    "listSessions": [200, 200],
    "withdrawSession": [204],
    "fetchCourseAnalytics": [200],
    "listCourseDays": [200],
}


@pytest.fixture(scope="session")
def generated() -> None:
    """``make clients``, as a user types it, from a shell holding nothing else."""
    made = subprocess.run(  # noqa: S603 - this checkout's make
        [MAKE, "clients"],
        cwd=REPO_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr


def driver_settings(api: Api) -> dict[str, str]:
    """What a driver needs for ``api``'s mode: the drivers read the settings make e2e reads."""
    if api.mode == "jwt":
        minted = request("GET", f"{api.base_url}/local/token?sub=client-{uuid.uuid4()}")
        reader = api.analyst()  # the local run mints a token with the analytics scope
        assert reader is not None
        assert reader.token is not None
        return {"AUTH": "jwt", "TOKEN": minted.body["access_token"], "ANALYST_TOKEN": reader.token}
    if api.mode == "iam":
        learner, analyst = api.credentials, api.analytics_credentials
        assert learner is not None
        assert analyst is not None
        return {
            "AUTH": "iam",
            "AWS_REGION": api.region,
            "AWS_ACCESS_KEY_ID": str(learner.access_key),
            "AWS_SECRET_ACCESS_KEY": str(learner.secret_key),
            "ANALYST_AWS_ACCESS_KEY_ID": str(analyst.access_key),
            "ANALYST_AWS_SECRET_ACCESS_KEY": str(analyst.secret_key),
        }
    return {"AUTH": "header"}


def answered(command: list[str | Path], **settings: str) -> dict[str, list[int]]:
    run = subprocess.run(  # noqa: S603 - the example drivers, on this checkout's clients
        [str(part) for part in command],
        cwd=REPO_ROOT,
        env=child_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result: dict[str, list[int]] = json.loads(run.stdout)
    return result


@pytest.mark.usefixtures("generated")
def test_the_generated_python_client_should_drive_every_operation(api: Api) -> None:
    mode: AuthMode = api.mode

    said = answered(
        [sys.executable, clients.PYTHON_DRIVER, api.base_url],
        PYTHONPATH=str(clients.python_client(mode)),
        **driver_settings(api),
    )

    assert said == ANSWERED
    assert set(said) == {route.operation_id for route in ROUTES}


@pytest.mark.usefixtures("generated")
def test_the_generated_typescript_client_should_drive_every_operation(api: Api) -> None:
    said = answered(
        [NODE, clients.typescript_driver(api.mode), api.base_url], **driver_settings(api)
    )

    assert said == ANSWERED


def client_parameter(module: Path) -> str:
    """The annotation of ``client`` in a generated operation's ``sync_detailed``."""
    tree = ast.parse(module.read_text())
    (function,) = (
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "sync_detailed"
    )
    (client,) = (arg for arg in function.args.kwonlyargs if arg.arg == "client")
    assert client.annotation is not None
    return ast.unparse(client.annotation)


@pytest.mark.usefixtures("generated")
@pytest.mark.parametrize("mode", AUTH_MODES)
def test_iam_and_jwt_clients_should_take_only_an_authenticated_client(mode: AuthMode) -> None:
    operations = sorted((clients.python_client(mode) / clients.PACKAGE / "api").glob("*/*.py"))
    operations = [module for module in operations if module.name != "__init__.py"]

    assert sorted(module.stem for module in operations) == sorted(
        # Python names: fetch_course_stats for fetchCourseStats
        "".join(f"_{c.lower()}" if c.isupper() else c for c in route.operation_id)
        for route in ROUTES
    )
    expected = "AuthenticatedClient | Client" if mode == "header" else "AuthenticatedClient"
    assert {client_parameter(module) for module in operations} == {expected}
