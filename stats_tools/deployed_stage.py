"""A deployed stage as the operator's commands reach it: an AWS session from the shell's
settings, the stack's outputs (its tables' names), and how a command reports its outcome:
what it did on stdout, or one line on stderr for an operator to act on (no traceback)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from stats_api.dynamodb_calls import CLIENT_CONFIG
from stats_api.shared_names import STACK_NAME

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class NotSetUp(Exception):
    """AWS access is not set up where the command runs: the message says what to set."""


def aws_session(environ: Mapping[str, str]) -> boto3.Session:
    """A session with a region and credentials, or ``NotSetUp`` naming what is missing.

    boto3 reads the region from ``AWS_DEFAULT_REGION`` or the profile, never from
    ``AWS_REGION``, which the AWS CLI v2 and the other SDKs read first: so does this.
    """
    session = boto3.Session(region_name=environ.get("AWS_REGION") or None)
    if not session.region_name:
        raise NotSetUp("no AWS region: set AWS_REGION (or AWS_PROFILE to a profile with one)")
    if session.get_credentials() is None:
        raise NotSetUp(
            "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN with temporary ones)"
        )
    return session


def dynamodb_client(session: boto3.Session) -> DynamoDBClient:
    """A DynamoDB client of ``session`` with the functions' timeouts and retries."""
    client: DynamoDBClient = session.client("dynamodb", config=CLIENT_CONFIG)
    return client


def stage_output(session: boto3.Session, stage: str, key: str) -> str:
    """Output ``key`` of the deployed stack ``StatsService-<stage>``."""
    stack = STACK_NAME.format(stage=stage)
    described = session.client("cloudformation").describe_stacks(StackName=stack)
    outputs = described["Stacks"][0].get("Outputs", [])
    for output in outputs:
        if output.get("OutputKey") == key:
            return str(output["OutputValue"])
    raise LookupError(f"stack {stack} has no {key} output")


def optional_stage_output(session: boto3.Session, stage: str, key: str) -> str | None:
    """Output ``key`` of the stage's stack, or None where the stack has none (a setting the
    stage does not use)."""
    try:
        return stage_output(session, stage, key)
    except LookupError:
        return None


def run(command: Callable[[], str]) -> int:
    """Run an operator's ``command`` and print what it reports: 0; 2 when AWS access is not
    set up, 1 when AWS refuses, each with one line on stderr."""
    try:
        report = command()
    except NotSetUp as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report)
    return 0
