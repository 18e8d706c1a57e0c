"""Erasing a learner (an operator's command, not a route): a dry run by default; with
--confirm every item of that learner goes, nobody else's, throttled batches retried."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stats_api.shared_names import TABLE_NAME_OUTPUT
from stats_api.table_access import default_table
from stats_devkit.store_probe import StoreProbe
from stats_tools import deployed_stage, erasure
from tests.support import REPO_ROOT
from tests.support.commands import child_env
from tests.support.handler_client import TABLE, record, session_body, table_items

pytestmark = pytest.mark.usefixtures("dynamodb")


def seed_learner(user: str, courses: int, sessions_per_course: int) -> None:
    for course in range(courses):
        for _ in range(sessions_per_course):
            assert record(f"course-{course}", user=user, body=session_body()).status == 201


def owners(client: Any) -> list[str]:
    return sorted({item["userId"]["S"] for item in table_items(client)})


def test_should_list_what_it_would_delete_and_delete_nothing_without_confirm(
    dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_learner("leaver", courses=2, sessions_per_course=3)
    before = table_items(dynamodb)

    assert erasure.main(["--user", "leaver", "--table", TABLE]) == 0

    assert table_items(dynamodb) == before
    assert capsys.readouterr().out == (
        f"table {TABLE}: would delete (dry run; --confirm deletes) for user 'leaver': "
        "6 sessions, 2 course stats, 8 items\n"
    )


def test_should_delete_every_item_of_the_learner_and_nobody_elses(
    dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_learner("leaver", courses=3, sessions_per_course=10)  # 33 items: two batches
    seed_learner("stayer", courses=1, sessions_per_course=2)

    assert erasure.main(["--user", "leaver", "--table", TABLE, "--confirm"]) == 0

    assert owners(dynamodb) == ["stayer"]
    assert "deleted for user 'leaver': 30 sessions, 3 course stats, 33 items" in (
        capsys.readouterr().out
    )


def test_should_retry_what_dynamodb_leaves_unprocessed(
    dynamodb: Any, store_probe: StoreProbe
) -> None:
    seed_learner("leaver", courses=1, sessions_per_course=2)
    keys = list(erasure.learner_keys(default_table(), "leaver"))
    # Throttled: DynamoDB hands the whole batch back, twice, then takes it.
    unprocessed = {
        "UnprocessedItems": {TABLE: [{"DeleteRequest": {"Key": _wire(key)}} for key in keys]},
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    store_probe.answer_next("BatchWriteItem", unprocessed, unprocessed)

    erasure.erase(default_table(), "leaver", confirm=True)

    assert store_probe.operations.count("BatchWriteItem") == 3
    assert owners(dynamodb) == []


def test_should_find_a_stages_table_in_its_stack_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    stubber = Stubber(cloudformation)
    stubber.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "StatsService-staging",
                    "CreationTime": "2026-11-27T00:00:00Z",
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [
                        {"OutputKey": "ApiUrl", "OutputValue": "https://x"},
                        {"OutputKey": "TableName", "OutputValue": "StatsService-staging-Table1"},
                    ],
                }
            ]
        },
        {"StackName": "StatsService-staging"},
    )
    session = boto3.Session(region_name="us-east-1")
    monkeypatch.setattr(session, "client", lambda service: cloudformation)

    with stubber:
        assert (
            deployed_stage.stage_output(session, "staging", TABLE_NAME_OUTPUT)
            == "StatsService-staging-Table1"
        )


def test_should_read_a_stage_without_an_lrs_as_having_none(monkeypatch: pytest.MonkeyPatch) -> None:
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    stubber = Stubber(cloudformation)
    stack = {
        "StackName": "StatsService-dev",
        "CreationTime": "2026-11-27T00:00:00Z",
        "StackStatus": "CREATE_COMPLETE",
        "Outputs": [{"OutputKey": "TableName", "OutputValue": "StatsService-dev-Table1"}],
    }
    stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "StatsService-dev"})
    lrs_stack = {
        **stack,
        "Outputs": [{"OutputKey": "LrsActorHomePage", "OutputValue": "https://h"}],
    }
    stubber.add_response(
        "describe_stacks", {"Stacks": [lrs_stack]}, {"StackName": "StatsService-dev"}
    )
    session = boto3.Session(region_name="us-east-1")
    monkeypatch.setattr(session, "client", lambda service: cloudformation)

    with stubber:
        assert deployed_stage.optional_stage_output(session, "dev", "LrsActorHomePage") is None
        assert (
            deployed_stage.optional_stage_output(session, "dev", "LrsActorHomePage") == "https://h"
        )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "error: no AWS region: set AWS_REGION (or AWS_PROFILE to a profile with one)"),
        # AWS_REGION counts, although boto3 alone would not read it.
        (
            {"AWS_REGION": "eu-west-1"},
            "error: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN with temporary ones)",
        ),
    ],
)
def test_make_erase_should_say_in_one_line_what_to_set_when_aws_is_not_set_up(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    shell = child_env(
        HOME=str(tmp_path),  # no ~/.aws files
        # On an EC2 machine, its instance role would otherwise answer for the missing ones.
        AWS_EC2_METADATA_DISABLED="true",
        **settings,
    )

    run = subprocess.run(  # noqa: S603 - this checkout's make
        [shutil.which("make") or "make", "erase", "USER=x", "STAGE=dev"],
        cwd=REPO_ROOT,
        env=shell,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode != 0
    # Besides make's own "Error" line, exactly one line: what to set.
    assert [line for line in run.stderr.splitlines() if not line.startswith("make: ")] == [message]


def _wire(key: dict[str, str]) -> dict[str, Any]:
    return {name: {"S": value} for name, value in key.items()}
