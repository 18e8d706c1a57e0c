"""Cold-start options in the template: off by default; provisioned concurrency on the live
aliases; SnapStart only where Lambda offers it, and never with provisioned concurrency.

SnapStart's restores and provisioned environments cannot run offline; these tests pin what
the template asks Lambda for, against its documentation:
https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html
https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, assertions
from aws_cdk import aws_lambda as lambda_

from bench import cold_targets
from stats_api.routes import CORE_ROUTES
from stats_api.shared_names import RELEASE_CHECK_HANDLER
from stats_service import LrsProps, StatsService, StatsServiceProps, snap_start
from tests.support.templates import functions, synth


def _aliases(template: assertions.Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in template.find_resources("AWS::Lambda::Alias").values()]


def _snap_start_rules(template: assertions.Template) -> list[dict[str, Any]]:
    rules = template.to_json().get("Rules", {})
    return [rule for name, rule in rules.items() if "SnapStartOffered" in name]


def _in_region(region: str | None, props: StatsServiceProps) -> assertions.Template:
    stack = Stack(App(), "Test", env=Environment(region=region))
    StatsService(stack, "Stats", props)
    return assertions.Template.from_stack(stack)


def test_should_keep_both_options_off_by_default() -> None:
    template = synth()

    for alias in _aliases(template):
        assert "ProvisionedConcurrencyConfig" not in alias
    for function in functions(template).values():
        assert "SnapStart" not in function["Properties"]
    assert not _snap_start_rules(template)


def test_should_keep_provisioned_environments_on_every_live_alias() -> None:
    aliases = _aliases(synth(StatsServiceProps(provisioned_concurrency=2)))

    assert len(aliases) == len(CORE_ROUTES)
    for alias in aliases:
        assert alias["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}


def test_should_snapshot_every_published_version_with_snap_start() -> None:
    template = synth(StatsServiceProps(snap_start=True))

    for function in functions(template).values():
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_should_refuse_to_deploy_snap_start_where_lambda_lacks_it_when_synth_cannot_tell() -> None:
    (rule,) = _snap_start_rules(_in_region(None, StatsServiceProps(snap_start=True)))

    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {
        "Fn::And": [
            {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]},
            {
                "Fn::Not": [
                    {"Fn::Contains": [["ap-southeast-6", "ap-east-2"], {"Ref": "AWS::Region"}]}
                ]
            },
        ]
    }
    assert "-c snapStart=false" in assertion["AssertDescription"]


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-southeast-2"])
def test_should_allow_snap_start_in_a_region_that_offers_it(region: str) -> None:
    template = _in_region(region, StatsServiceProps(snap_start=True))

    assert not _snap_start_rules(template)
    for function in functions(template).values():
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


@pytest.mark.parametrize(
    ("region", "named"),
    [
        ("ap-southeast-6", "New Zealand"),
        ("ap-east-2", "Taipei"),
        ("cn-north-1", "aws-cn partition"),
        ("us-gov-west-1", "aws-us-gov partition"),
    ],
)
def test_should_refuse_snap_start_at_synth_in_a_region_without_it(region: str, named: str) -> None:
    arn = "arn:aws-cn:lambda:cn-north-1:123456789012:layer:powertools:3"  # any layer
    props = StatsServiceProps(snap_start=True, powertools_layer_arn=arn)

    with pytest.raises(ValueError, match=f"does not offer SnapStart in {region} .*{named}"):
        _in_region(region, props)


@pytest.mark.parametrize(
    ("runtime", "architecture"),
    [
        (lambda_.Runtime.PYTHON_3_14, lambda_.Architecture.ARM_64),
        (lambda_.Runtime.PYTHON_3_12, lambda_.Architecture.X86_64),
        (lambda_.Runtime.PYTHON_3_13, lambda_.Architecture.ARM_64),
    ],
)
def test_should_accept_snap_start_on_python_3_12_and_later_on_both_architectures(
    runtime: lambda_.Runtime, architecture: lambda_.Architecture
) -> None:
    snap_start.require_support(Stack(App(), "Test"), runtime, architecture)


@pytest.mark.parametrize(
    "runtime",
    [lambda_.Runtime.PYTHON_3_11, lambda_.Runtime.PYTHON_3_9, lambda_.Runtime.NODEJS_22_X],
)
def test_should_refuse_snap_start_on_a_runtime_without_it(runtime: lambda_.Runtime) -> None:
    with pytest.raises(ValueError, match=f"Python 3.12 and later, not {runtime.name}"):
        snap_start.require_support(Stack(App(), "Test"), runtime, lambda_.Architecture.ARM_64)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"snap_start": True, "provisioned_concurrency": 2}, "cannot be combined"),
        ({"provisioned_concurrency": 0}, "provisioned_concurrency must be at least 1"),
        (
            {"provisioned_concurrency": 6, "reserved_concurrency": 5},
            r"provisioned_concurrency \(6\) cannot exceed reserved_concurrency \(5\)",
        ),
    ],
)
def test_should_refuse_a_combination_lambda_refuses(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        StatsServiceProps(**settings)  # type: ignore[arg-type]


def test_should_benchmark_the_cold_start_of_every_function_a_full_stage_deploys() -> None:
    # make bench times the functions the declarations name (the route table, the stream's
    # and the queues' handlers): one deployed without being declared there would go
    # unmeasured. The release checks run once per deploy, before any traffic.
    lrs = LrsProps(
        "https://lrs.example.com/xAPI/statements",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-credentials-AbCdEf",
        "https://learn.example.com",
        "https://learn.example.com/courses/{courseId}",
    )
    template = synth(StatsServiceProps(history=True, analytics=True, events=True, lrs=lrs))
    deployed = {
        function["Properties"]["Handler"]
        for function in template.find_resources("AWS::Lambda::Function").values()
        if function["Properties"].get("Handler", "").startswith("stats_api.")
    }

    assert deployed - {RELEASE_CHECK_HANDLER} == {f.handler for f in cold_targets.functions()}
