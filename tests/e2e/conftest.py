"""Where the end-to-end suite runs: the local run in each auth mode (``make test``), or a
deployed stage (``make e2e BASE_URL=<ApiUrl> AUTH=<mode>``).

Against a deployed stage the suite only creates its own, uniquely named callers and
courses, and lists them when it ends. The checks of the local run's own behaviour live in
``test_local_*.py`` files, and are all skipped there: they start local servers of their own
or need what only the local run has (its banner, its token issuer).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from local_run.auth_modes import AuthSettings
from stats_api.auth_modes import AUTH_MODES, AuthMode
from tests.support.api_client import BASE_URL, Api, Caller, local_only
from tests.support.local_process import LocalApiProcess

TARGET_MODES = [os.environ.get("AUTH") or "header"] if BASE_URL else list(AUTH_MODES)
LOCAL_RUN_CHECKS = "test_local_*.py"
_targets: list[Api] = []


def pytest_configure(config: pytest.Config) -> None:
    if BASE_URL and TARGET_MODES[0] not in AUTH_MODES:
        pytest.exit(f"AUTH must be one of {', '.join(AUTH_MODES)}, not {TARGET_MODES[0]!r}", 2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Against a deployed stage, skip every check of the local run's own behaviour: by file
    name, so a new one cannot be forgotten."""
    if not BASE_URL:
        return
    for item in items:
        if item.path.match(LOCAL_RUN_CHECKS):
            item.add_marker(local_only)


@pytest.fixture(scope="session", params=TARGET_MODES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    mode: AuthMode = request.param
    if BASE_URL:
        try:
            target = Api.deployed_stage(BASE_URL, mode, os.environ)
        except RuntimeError as missing:  # a setting the shell lacks: say it once, not per test
            pytest.exit(str(missing), 2)
        _targets.append(target)
        yield target
        return
    settings = AuthSettings(mode=mode)
    with LocalApiProcess(tmp_path_factory.mktemp(f"local-{mode}"), auth=mode) as server:
        yield Api.local(server.url, mode, settings, server.stdout())
        assert server.interrupt() == 0
        assert "Traceback" not in server.stderr()


@pytest.fixture
def new_caller(api: Api) -> Callable[..., Caller]:
    """Makes callers for one test; against a deployed JWT stage, TOKEN, then TOKEN_2...
    (``new_caller(writes=False)``: one that only reads)."""
    spare_tokens = iter(api.tokens)
    return lambda writes=True: api.new_caller(spare_tokens, writes=writes)


@pytest.fixture
def caller(new_caller: Callable[[], Caller]) -> Caller:
    return new_caller()


@pytest.fixture
def course(api: Api) -> str:
    return api.new_course()


@pytest.fixture
def analyst(api: Api) -> Caller:
    """A caller the analytics routes admit; without one (a deployed stage's suite not given
    the analyst's settings), each analytics check is skipped and the summary says so."""
    learner = api.new_caller(iter(api.tokens), writes=False)
    probe = api.call("GET", "/analytics/courses/e2e-probe", learner)
    if probe.status == 404 and probe.body == {"message": "Not Found"}:  # API Gateway's own
        api.analytics = "analytics not checked: this stage does not deploy them"
        pytest.skip(api.analytics)
    found = api.analyst()
    if found is None:
        api.analytics = f"analytics NOT checked: {api.missing_analyst()}"
        pytest.skip(api.analytics)
    api.analytics = "analytics checked as the analyst"
    return found


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for target in _targets:
        terminalreporter.write_line(
            f"e2e against {target.base_url} ({target.mode}) wrote only under: "
            + (", ".join(target.created) or "nothing")
        )
        # Never a silent skip: a gate that could not check the analytics says so.
        unchecked = "NOT checked" in target.analytics
        terminalreporter.write_line(
            f"e2e against {target.base_url} ({target.mode}): {target.analytics}",
            yellow=unchecked,
            bold=unchecked,
        )


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApiProcess]:
    """The local run in header mode on a free port, started once for the session and stopped
    with Ctrl-C."""
    with LocalApiProcess(tmp_path_factory.mktemp("local_api"), auth="header") as server:
        yield server
        assert server.interrupt() == 0
        # A traceback in the server's output is a fault some response may not have shown.
        assert "Traceback" not in server.stderr()
