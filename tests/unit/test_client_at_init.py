"""When the DynamoDB client is created: at import when Lambda runs the init phase ahead of
requests (SnapStart's snapshot then holds it; a provisioned environment has it ready), on
first use otherwise. Each case in a fresh interpreter: one client per process, whichever
tables the function uses (route functions, analytics functions, the aggregator)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stats_api.dynamodb_calls import INITIALIZATION_TYPE_ENV
from stats_api.shared_names import ANALYTICS_TABLE_ENV, TABLE_NAME_ENV
from tests.support import REPO_ROOT

PROBE = """
import gc
from stats_api import table_access
print(table_access.dynamodb_client.cache_info().currsize, gc.get_freeze_count() > 0)
"""


def in_a_fresh_function(probe: str, settings: dict[str, str]) -> str:
    """What ``probe`` prints in a fresh interpreter set up as a function is (the asset's
    code, dummy credentials, no AWS config), with ``settings`` in its environment."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO_ROOT / "lambdas"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        **settings,
    }
    completed = subprocess.run(  # noqa: S603 - this interpreter, our own probe
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def clients_at_import(initialization_type: str | None, *, table: str = TABLE_NAME_ENV) -> str:
    """What importing the store does, in a process configured as a function whose table is
    named by ``table`` (the analytics functions and the aggregator name only theirs)."""
    settings = {table: "stats-test"}
    if initialization_type is not None:
        settings[INITIALIZATION_TYPE_ENV] = initialization_type
    return in_a_fresh_function(PROBE, settings)


@pytest.mark.parametrize("initialization_type", ["snap-start", "provisioned-concurrency"])
def test_should_create_the_client_during_init_when_init_runs_ahead(
    initialization_type: str,
) -> None:
    # Created at import, after freezing what the imports left for the collector.
    assert clients_at_import(initialization_type) == "1 True"


def test_should_create_the_one_client_during_init_whatever_table_the_function_uses() -> None:
    assert clients_at_import("snap-start", table=ANALYTICS_TABLE_ENV) == "1 True"


@pytest.mark.parametrize("initialization_type", [None, "on-demand"])
def test_should_create_the_client_on_first_use_otherwise(initialization_type: str | None) -> None:
    assert clients_at_import(initialization_type) == "0 False"


COLLECTOR_PROBE = """
import gc
default = gc.get_threshold()
import {module}
during_init = gc.get_threshold()
from stats_api import table_access
table_access.dynamodb_client()
print(during_init[0], during_init == default, gc.get_threshold() == default)
"""


def collector_around_init(module: str) -> str:
    """The collector's gen-0 threshold once ``module`` is imported, whether that is Python's
    own, and whether Python's own is back once the client exists."""
    probe = COLLECTOR_PROBE.format(module=module)
    return in_a_fresh_function(probe, {TABLE_NAME_ENV: "stats-test"})


@pytest.mark.parametrize(
    "module",
    ["stats_api.handlers.fetch_course_stats", "stats_api.handlers.aggregate_course_analytics"],
)
def test_should_put_off_the_collector_during_a_functions_init_until_its_client_exists(
    module: str,
) -> None:
    assert collector_around_init(module) == "200000 False True"


def test_should_leave_the_collector_alone_where_only_the_declarations_are_imported() -> None:
    # The CDK construct and the tools import the route table, never a handler.
    assert collector_around_init("stats_api.routes").endswith(" True True")
