"""What the README and the other docs tell a reader to rely on: the files they name exist,
and the aggregator's settings they state are the deployed ones. (The IAM policies they
give: tests/unit/test_caller_policies.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stats_service.analytics import BATCH_SIZE, MAX_BATCHING_WINDOW, MAX_RECORD_AGE, RETRY_ATTEMPTS
from stats_service.monitoring import AGGREGATOR_MAX_ITERATOR_AGE
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


def test_the_design_should_state_the_aggregators_settings_as_deployed() -> None:
    # The freshness and failure handling docs/design.md promises are these settings: a
    # one-line change to one of them must come with the sentence that explains it.
    design = " ".join((REPO_ROOT / "docs" / "design.md").read_text().split())
    window = int(MAX_BATCHING_WINDOW.to_seconds())
    age = int(MAX_RECORD_AGE.to_hours())
    behind = int(AGGREGATOR_MAX_ITERATOR_AGE.to_minutes())

    assert f"`MaximumBatchingWindowInSeconds` = {window} s" in design
    assert f"a full one, {BATCH_SIZE} records, goes at once" in design
    assert f"up to {RETRY_ATTEMPTS} times or {age} hours" in design
    assert f"its iterator age above {behind} minute for 3 minutes" in design
