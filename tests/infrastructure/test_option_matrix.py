"""Every option a user can turn on, and every pair of them, synthesises clean under cdk-nag
and cfn-lint: the deployable stack (``StatsStack``) over a pairwise covering set of the
options' values (each value of each option meets each value of every other option in at
least one stack; the full product, 576 stacks, would take the tier minutes).

A combination the construct refuses (SnapStart where Lambda does not offer it) is left
out, and the refusal itself is tested where the rule lives (test_cold_start.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, ArnFormat, Environment, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as eventbridge
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stats_api import table_keys
from stats_service import IamAuth, JwtAuth, LrsProps, StatsServiceProps, StatsStack
from tests.support import REPO_ROOT
from tests.support.commands import cfn_lint

FEATURE_FLAGS = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
ACCEPTED_CFN_LINT_RULES = {"W3005"}  # CDK's redundant DependsOn, as in test_app_synth.py
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"
CHINA_LAYER = "arn:aws-cn:lambda:cn-north-1:123456789012:layer:powertools-py314-arm64:3"
CERTIFICATES = {
    None: "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "cn-north-1": "arn:aws-cn:acm:cn-north-1:123456789012:certificate/"
    "12345678-1234-1234-1234-123456789012",
}

# Each option and the values a user can give it (the first: off / the default).
OPTIONS: dict[str, tuple[str, ...]] = {
    "table": ("created", "brought", "imported"),
    "auth": ("iam", "jwt"),
    "history": ("off", "on"),
    "analytics": ("off", "on"),
    "cold_start": ("off", "snap_start", "provisioned"),
    "reserved_concurrency": ("off", "on"),
    "domain": ("off", "on"),
    "layer": ("official", "other-partition"),
    "break_glass": ("off", "on"),
    # Learning events on the construct's bus, or on the app's with LRS forwarding.
    "events": ("off", "own_bus", "app_bus_and_lrs"),
}
Combination = Mapping[str, str]


def _allowed(combination: Combination) -> bool:
    # Lambda offers no SnapStart in China (stats_service.snap_start refuses it).
    return not (
        combination["cold_start"] == "snap_start" and combination["layer"] == "other-partition"
    )


def _pairs(combination: Combination) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    return set(itertools.combinations(sorted(combination.items()), 2))


def pairwise() -> list[Combination]:
    """A small set of allowed combinations covering every allowed pair of values (greedy,
    deterministic: each step takes the combination covering the most uncovered pairs)."""
    every = [
        dict(zip(OPTIONS, values, strict=True)) for values in itertools.product(*OPTIONS.values())
    ]
    allowed = [combination for combination in every if _allowed(combination)]
    uncovered = set().union(*(_pairs(combination) for combination in allowed))
    chosen: list[Combination] = []
    while uncovered:
        best = max(allowed, key=lambda combination: len(_pairs(combination) & uncovered))
        chosen.append(best)
        uncovered -= _pairs(best)
    return chosen


COMBINATIONS = pairwise()


def _name(combination: Combination) -> str:
    return "-".join(f"{key}={value}" for key, value in combination.items() if value != "off")


def _table(stack: Stack, kind: str) -> dynamodb.ITable | None:
    if kind == "imported":
        # Named with its stream, as analytics need it (unused without them).
        return dynamodb.TableV2.from_table_attributes(
            stack,
            "ImportedSessions",
            table_name="learning-sessions",
            table_stream_arn=stack.format_arn(
                service="dynamodb",
                resource="table",
                resource_name="learning-sessions/stream/2026-01-01T00:00:00.000",
            ),
        )
    if kind == "brought":
        string = dynamodb.AttributeType.STRING
        return dynamodb.TableV2(
            stack,
            "BroughtSessions",
            partition_key=dynamodb.Attribute(name=table_keys.PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=table_keys.SORT_KEY, type=string),
            local_secondary_indexes=[
                dynamodb.LocalSecondaryIndexProps(
                    index_name=table_keys.HISTORY_INDEX,
                    sort_key=dynamodb.Attribute(name=table_keys.HISTORY_SORT_KEY, type=string),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            ],
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        )
    return None


def _props(combination: Combination) -> Callable[[Stack], StatsServiceProps]:
    def props(stack: Stack) -> StatsServiceProps:
        on = {key for key, value in combination.items() if value == "on"}
        china = combination["layer"] == "other-partition"
        table = _table(stack, combination["table"])
        return StatsServiceProps(
            stage_name="matrix",
            production=True,
            auth=(
                JwtAuth(issuer=ISSUER, audience=("client-1",), required_scopes=("stats/write",))
                if combination["auth"] == "jwt"
                else IamAuth()
            ),
            history="history" in on,
            analytics="analytics" in on,
            table=table,
            table_has_history_index=combination["table"] == "imported",
            reserved_concurrency=5 if "reserved_concurrency" in on else None,
            snap_start=combination["cold_start"] == "snap_start",
            provisioned_concurrency=2 if combination["cold_start"] == "provisioned" else None,
            domain_name="stats.example.com" if "domain" in on else None,
            certificate=CERTIFICATES["cn-north-1" if china else None] if "domain" in on else None,
            powertools_layer_arn=CHINA_LAYER if china else None,
            break_glass="break_glass" in on,
            **_events(stack, combination["events"]),
        )

    return props


def _events(stack: Stack, kind: str) -> dict[str, Any]:
    if kind == "off":
        return {}
    if kind == "own_bus":
        return {"events": True}
    bus = eventbridge.EventBus.from_event_bus_arn(
        stack,
        "PlatformBus",
        stack.format_arn(service="events", resource="event-bus", resource_name="platform"),
    )
    secret = stack.format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name="lrs-credentials-AbCdEf",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    lrs = LrsProps(
        "https://lrs.example.com/xAPI/statements",
        secret,
        "https://learn.example.com",
        "https://learn.example.com/courses/{courseId}",
    )
    return {"events": True, "event_bus": bus, "lrs": lrs}


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every combination's stack in one app, synthesised once with cdk-nag's packs."""
    outdir = tmp_path_factory.mktemp("matrix")
    app = App(outdir=str(outdir), context=FEATURE_FLAGS)
    for index, combination in enumerate(COMBINATIONS):
        region = "cn-north-1" if combination["layer"] == "other-partition" else None
        StatsStack(
            app, f"Matrix{index}", service_props=_props(combination), env=Environment(region=region)
        )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    app.synth()
    return outdir


def test_should_cover_every_pair_of_option_values_with_a_few_stacks() -> None:
    # Each pair (minus the one Lambda refuses) meets in some stack, and the set stays small.
    every = [dict(zip(OPTIONS, v, strict=True)) for v in itertools.product(*OPTIONS.values())]
    wanted = set().union(*(_pairs(c) for c in every if _allowed(c)))

    assert set().union(*(_pairs(c) for c in COMBINATIONS)) == wanted
    assert all(_allowed(c) for c in COMBINATIONS)
    assert len(COMBINATIONS) <= 14


def test_should_pass_cdk_nag_with_every_combination(assembly: Path) -> None:
    report = json.loads((assembly / "validation-report.json").read_text())

    conclusions = {r["pluginName"]: r["conclusion"] for r in report["pluginReports"]}
    assert conclusions == {"AwsSolutions": "success", "Serverless": "success"}, [
        violation["ruleName"]
        for plugin in report["pluginReports"]
        for violation in plugin.get("violations", [])
    ]


def test_should_pass_cfn_lint_with_every_combination(assembly: Path) -> None:
    templates = sorted(assembly.glob("Matrix*.template.json"))
    assert len(templates) == len(COMBINATIONS)

    findings = cfn_lint(*templates)

    wrong = [
        (Path(f["Filename"]).name, f["Rule"]["Id"], f["Message"])
        for f in findings
        if f["Rule"]["Id"] not in ACCEPTED_CFN_LINT_RULES
    ]
    names = {f"Matrix{i}.template.json": _name(c) for i, c in enumerate(COMBINATIONS)}
    assert not wrong, [(names[file], rule, message) for file, rule, message in wrong]
