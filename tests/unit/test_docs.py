"""What the README and the other docs tell a reader to rely on: the files they name exist,
and the CI policy docs/deploy.md gives lets the e2e suite call every route."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stats_api.routes import ROUTES, Route
from tests.support import REPO_ROOT

DOCS = sorted(
    [*REPO_ROOT.glob("*.md"), *REPO_ROOT.glob("docs/*.md"), *REPO_ROOT.glob("examples/*.md")]
)
TOP_LEVEL = {path.name for path in REPO_ROOT.iterdir()} - {".git", ".venv", "node_modules"}
_CODE_PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)+/?)`")
_JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)


def named_paths(doc: Path) -> list[str]:
    """The repository paths ``doc`` names in code spans: those under a top-level folder."""
    return [path for path in _CODE_PATH.findall(doc.read_text()) if path.split("/")[0] in TOP_LEVEL]


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(REPO_ROOT)))
def test_should_name_only_files_that_exist(doc: Path) -> None:
    missing = [path for path in named_paths(doc) if not (REPO_ROOT / path).exists()]

    assert missing == []


def iam_pattern_matches(pattern: str, value: str) -> bool:
    """IAM's resource matching: ``*`` is any run of characters, ``/`` included; ``?`` one."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value) is not None


def ci_invoke_resources() -> list[str]:
    """The resources of docs/deploy.md's CI policy statement that lets the e2e suite call the
    API."""
    readme = (REPO_ROOT / "docs" / "deploy.md").read_text()
    # Other JSON blocks are fragments (cdk.json's stages): parse only the policy's.
    for block in _JSON_BLOCK.findall(readme):
        if "execute-api:Invoke" not in block:
            continue
        for statement in json.loads(block).get("Statement", []):
            if statement.get("Action") == "execute-api:Invoke":
                resource = statement["Resource"]
                return [resource] if isinstance(resource, str) else list(resource)
    raise AssertionError("docs/deploy.md gives no execute-api:Invoke statement")


def route_arn(method: str, path: str) -> str:
    """The ARN a request to ``path`` is authorised against, path parameters filled in:
    https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
    """
    concrete = re.sub(r"\{[^}]+\}", "e2e-1a2b3c", path)
    return f"arn:aws:execute-api:<region>:<account>:a1b2c3d4e5/$default/{method}{concrete}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_the_ci_policy_should_let_the_e2e_suite_call_each_route(route: Route) -> None:
    arn = route_arn(route.method, route.path)

    assert any(iam_pattern_matches(resource, arn) for resource in ci_invoke_resources()), arn


def test_the_ci_policy_should_allow_nothing_beyond_the_api_routes() -> None:
    for arn in (route_arn("GET", "/admin"), route_arn("GET", "/")):
        assert not any(iam_pattern_matches(resource, arn) for resource in ci_invoke_resources())


def test_iam_patterns_should_match_as_iam_matches() -> None:
    # The docs' former policy: "courses/*" does not match the bare /courses.
    former = "arn:aws:execute-api:<region>:<account>:*/$default/*/courses/*"

    assert iam_pattern_matches(former, route_arn("GET", "/courses/{courseId}/sessions"))
    assert not iam_pattern_matches(former, route_arn("GET", "/courses"))
