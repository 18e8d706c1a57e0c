"""The release workflow keeps the promises docs/deploy.md makes about it: actions pinned to
commits, AWS reached only through an OIDC-assumed role, staging tested end to end before
prod, prod behind an approval and smoke-checked after. (actionlint, in `make lint`, checks
that it is a valid workflow.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from stats_api.shared_names import ANALYTICS_READER_OUTPUT
from stats_service.lambda_runtime import RUNTIME
from tests.support import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
ACTION_FILES = [WORKFLOW, *sorted((REPO_ROOT / ".github" / "actions").glob("*/action.yml"))]
CONFIGURE_CREDENTIALS = "aws-actions/configure-aws-credentials"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


@pytest.fixture(scope="module")
def jobs(workflow: dict[str, Any]) -> dict[str, Any]:
    return dict(workflow["jobs"])


def _uses(path: Path) -> list[str]:
    return re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)", path.read_text(), re.MULTILINE)


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


@pytest.mark.parametrize("path", ACTION_FILES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_should_pin_every_action_to_a_full_commit(path: Path) -> None:
    remote = [use for use in _uses(path) if not use.startswith("./")]

    assert remote
    for use in remote:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), use


def test_should_hold_no_long_lived_aws_keys() -> None:
    text = "\n".join(path.read_text() for path in ACTION_FILES)

    assert "aws-access-key-id" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text
    assert "secrets." not in text


def test_should_test_every_pull_request_with_make_test(jobs: dict[str, Any]) -> None:
    assert _runs(jobs["test"]) == ["make test"]
    assert "if" not in jobs["test"]


@pytest.mark.parametrize(("job", "environment"), [("staging", "staging"), ("prod", "production")])
def test_should_deploy_with_a_role_assumed_through_oidc(
    jobs: dict[str, Any], job: str, environment: str
) -> None:
    deploy = jobs[job]
    (credentials,) = (
        s for s in deploy["steps"] if s.get("uses", "").startswith(CONFIGURE_CREDENTIALS)
    )

    assert deploy["environment"] == environment  # the role's trust policy names it
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert credentials["with"]["aws-region"] == "${{ vars.AWS_REGION }}"


def test_should_run_the_end_to_end_suite_against_staging_before_prod(
    jobs: dict[str, Any],
) -> None:
    staging, prod = jobs["staging"], jobs["prod"]

    assert staging["needs"] == ["test", "runtime"]
    assert staging["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert prod["needs"] == "staging"
    assert [run for run in _runs(staging) if "deploy" in run] == [
        "make deploy STAGE=staging APPROVAL=never"
    ]
    assert any(run.startswith("make e2e BASE_URL=") for run in _runs(staging))
    assert [run for run in _runs(prod) if "deploy" in run] == [
        "make deploy STAGE=prod APPROVAL=never"
    ]
    assert any(run.startswith("make smoke BASE_URL=") for run in _runs(prod))
    assert not any("make e2e" in run for run in _runs(prod))  # prod is only read


@pytest.mark.parametrize(("job", "command"), [("staging", "make e2e"), ("prod", "make smoke")])
def test_should_test_a_stage_in_the_auth_mode_it_was_deployed_with(
    jobs: dict[str, Any], job: str, command: str
) -> None:
    steps = jobs[job]["steps"]
    (read,) = (s for s in steps if s.get("id") == "stack")
    (check,) = (s for s in steps if s.get("run", "").startswith(command))

    assert "AuthMode" in read["run"]  # the stack output, not a mode written here
    assert check["env"]["AUTH_MODE"] == "${{ steps.stack.outputs.AuthMode }}"
    assert check["env"]["API_URL"] == "${{ steps.stack.outputs.ApiUrl }}"
    # The analytics routes are checked as the analyst, the role the stack outputs.
    assert ANALYTICS_READER_OUTPUT in read["run"]
    assert check["env"]["ANALYST_ROLE_ARN"] == (
        f"${{{{ steps.stack.outputs.{ANALYTICS_READER_OUTPUT} }}}}"
    )
    assert check["run"] == f'{command} BASE_URL="$API_URL" AUTH="$AUTH_MODE"'


def test_should_run_the_unit_tier_on_the_functions_python(jobs: dict[str, Any]) -> None:
    runtime = jobs["runtime"]
    (toolchain,) = (s for s in runtime["steps"] if s.get("uses") == "./.github/actions/toolchain")

    # RUNTIME.name is e.g. "python3.14"; the job must set up that very version.
    assert toolchain["with"]["python-version"] == RUNTIME.name.removeprefix("python")
    assert _runs(runtime) == ["make unit"]
    assert "if" not in runtime  # pull requests too


# GitHub: a run waiting for an environment's approval holds the concurrency groups it is
# in; a workflow-level group would hold every later run, staging deploys included.
# https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/control-the-concurrency-of-workflows-and-jobs
def test_should_never_let_a_pending_prod_approval_hold_staging(
    workflow: dict[str, Any], jobs: dict[str, Any]
) -> None:
    groups = {name: job["concurrency"]["group"] for name, job in jobs.items()}

    assert "concurrency" not in workflow
    assert len(set(groups.values())) == len(groups)  # no two jobs share a group
    assert groups["staging"] == "deploy-staging"
    assert groups["prod"] == "deploy-prod"
    for name in ("staging", "prod"):
        # A deploy is never cancelled halfway; the next one waits for it.
        assert jobs[name]["concurrency"]["cancel-in-progress"] is False
