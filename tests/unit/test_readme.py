"""The README as a front door: short, its quick start, route table and client section in the
first screenfuls, every section reachable from its contents, the route table the route
table's, the make commands it shows real targets, and its SigV4 snippets the very code the
client drivers run (tests/e2e/test_local_clients.py runs them against the local run)."""

from __future__ import annotations

import re
import textwrap

import pytest

from stats_api.routes import ROUTES, Route
from stats_tools import clients
from tests.support import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
LINES = README.splitlines()
MAKEFILE = (REPO_ROOT / "Makefile").read_text()
MAX_LINES = 200


def section(title: str) -> str:
    """The text of the README's ``## title`` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"the README has no section {title!r}"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_should_stay_a_front_door_of_at_most_200_lines() -> None:
    assert len(LINES) <= MAX_LINES


@pytest.mark.parametrize(
    ("title", "within"), [("Quick start", 25), ("Routes", 90), ("Generate a client", 150)]
)
def test_should_show_the_newcomer_s_sections_within_the_first_screenfuls(
    title: str, within: int
) -> None:
    assert f"## {title}" in LINES[:within]


def test_should_link_every_section_from_its_contents() -> None:
    headings = [line[3:] for line in LINES if line.startswith("## ")]
    # The paragraph that starts with "Contents:", near the top.
    contents = README.partition("**Contents:**")[2].partition("\n\n")[0]
    assert README.index("**Contents:**") < README.index("\n## ")

    linked = re.findall(r"\]\(#([\w-]+)\)", contents)

    assert linked == [anchor(heading) for heading in headings]


def route_row(route: Route) -> str:
    """The README's row for ``route``, from the route table's own declaration."""
    flag = "`history`" if route.history else "`analytics`" if route.analytics else "none"
    who = "analytics reader" if route.analytics else "learner"
    success = " or ".join(f"`{success.status}`" for success in route.successes)
    return f"| `{route.method}` | `{route.path}` | {route.summary} | {flag} | {who} | {success} |"


def test_the_route_table_should_be_the_route_table_s() -> None:
    rows = [line for line in section("Routes").splitlines() if line.startswith("| `")]

    assert rows == [route_row(route) for route in ROUTES], "\n".join(map(route_row, ROUTES))


def test_should_show_only_make_targets_that_exist() -> None:
    shown = set(re.findall(r"^make ([a-z0-9-]+)", "\n".join(code_blocks(README, "bash")), re.M))
    defined = set(re.findall(r"^([a-z0-9-]+):", MAKEFILE, re.M))

    assert shown
    assert shown <= defined


@pytest.mark.parametrize(
    ("language", "driver"),
    [("python", clients.PYTHON_DRIVER), ("typescript", clients.TYPESCRIPT_DRIVER)],
)
def test_the_signing_snippets_should_be_the_drivers_own_code(language: str, driver: object) -> None:
    snippets = code_blocks(section("Generate a client"), language)
    source = driver.read_text()  # type: ignore[attr-defined]

    assert snippets
    for snippet in snippets:
        assert textwrap.dedent(snippet) in source, snippet
