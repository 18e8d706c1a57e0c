"""What the README and the other docs tell a reader to rely on: the files they name exist.
(The IAM policies they give: tests/unit/test_caller_policies.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

DOCS = sorted(
    [*REPO_ROOT.glob("*.md"), *REPO_ROOT.glob("docs/*.md"), *REPO_ROOT.glob("examples/*.md")]
)
TOP_LEVEL = {path.name for path in REPO_ROOT.iterdir()} - {".git", ".venv", "node_modules"}
_CODE_PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)+/?)`")


def named_paths(doc: Path) -> list[str]:
    """The repository paths ``doc`` names in code spans: those under a top-level folder."""
    return [path for path in _CODE_PATH.findall(doc.read_text()) if path.split("/")[0] in TOP_LEVEL]


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(REPO_ROOT)))
def test_should_name_only_files_that_exist(doc: Path) -> None:
    missing = [path for path in named_paths(doc) if not (REPO_ROOT / path).exists()]

    assert missing == []
