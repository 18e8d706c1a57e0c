"""Each table's schema is declared once (``table_keys.SCHEMA``, ``analytics_keys.SCHEMA``) and
rendered twice: by the CDK construct and by the local tables (the local run's embedded
DynamoDB, which the tests and the benchmarks create the same way). The two renderings must
describe the same table: keys, attribute types, local indexes and stream."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any
from unittest import mock

import boto3
import pytest
from aws_cdk import assertions

from local_run.emulator import ANALYTICS_TABLE_NAME, REGION, TABLE_NAME, embedded_dynamodb
from stats_service import StatsServiceProps
from tests.support.templates import synth

Described = dict[str, Any]


def _described(table: Mapping[str, Any]) -> Described:
    """What matters of a table, alike from a CloudFormation resource or DescribeTable."""
    stream = table.get("StreamSpecification") or {}
    return {
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
        ),
        "keys": [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]],
        "local_indexes": sorted(
            (
                index["IndexName"],
                tuple((k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]),
                index["Projection"]["ProjectionType"],
            )
            for index in table.get("LocalSecondaryIndexes") or []
        ),
        "stream": stream.get("StreamViewType"),
    }


@pytest.fixture(scope="module")
def deployed() -> dict[str, Described]:
    """The CDK construct's tables with analytics on (the sessions table then streams)."""
    template = synth(StatsServiceProps(analytics=True))
    tables = template.find_resources("AWS::DynamoDB::GlobalTable")
    return {
        "sessions" if logical_id.startswith("StatsTable") else "analytics": _described(
            table["Properties"]
        )
        for logical_id, table in tables.items()
    }


@pytest.fixture(scope="module")
def local() -> Iterator[dict[str, Described]]:
    """The local run's tables, as ``make run`` creates them."""
    with mock.patch.dict(os.environ), embedded_dynamodb():
        client = boto3.client("dynamodb", region_name=REGION)
        yield {
            kind: _described(client.describe_table(TableName=name)["Table"])
            for kind, name in (("sessions", TABLE_NAME), ("analytics", ANALYTICS_TABLE_NAME))
        }


def test_should_deploy_the_two_tables_the_local_run_creates(
    deployed: dict[str, Described], local: dict[str, Described]
) -> None:
    assert set(deployed) == {"sessions", "analytics"}
    assert deployed == local


def test_should_describe_the_sessions_table_as_the_runtime_reads_it(
    deployed: dict[str, Described],
) -> None:
    # Literal: a change to the schema must be a deliberate change to this test too.
    assert deployed["sessions"] == {
        "attributes": [("courseCompletedAt", "S"), ("sessionId", "S"), ("userId", "S")],
        "keys": [("userId", "HASH"), ("sessionId", "RANGE")],
        "local_indexes": [
            (
                "byCourseCompletedAt",
                (("userId", "HASH"), ("courseCompletedAt", "RANGE")),
                "ALL",
            )
        ],
        "stream": "NEW_AND_OLD_IMAGES",
    }
    assert deployed["analytics"] == {
        "attributes": [("pk", "S"), ("sk", "S")],
        "keys": [("pk", "HASH"), ("sk", "RANGE")],
        "local_indexes": [],
        "stream": None,
    }


def test_should_not_stream_the_sessions_table_without_analytics() -> None:
    template: assertions.Template = synth()
    (table,) = template.find_resources("AWS::DynamoDB::GlobalTable").values()

    assert _described(table["Properties"])["stream"] is None
