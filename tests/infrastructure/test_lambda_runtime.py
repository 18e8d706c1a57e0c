"""What the deployed functions run matches what the tests ran."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, assertions

from stats_service import StatsService, StatsServiceProps, lambda_runtime
from tests.support import REPO_ROOT
from tests.support.templates import functions, synth


def _pin(requirements: Path, package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)", requirements.read_text(), re.MULTILINE)
    assert match, f"{package} is not pinned in {requirements}"
    return match.group(1)


def test_should_deploy_the_powertools_version_the_tests_run() -> None:
    pinned = _pin(REPO_ROOT / "lambdas" / "requirements.txt", "aws-lambda-powertools")

    assert pinned == lambda_runtime.POWERTOOLS_VERSION
    assert metadata.version("aws-lambda-powertools") == pinned


def _layer_parameters(template: assertions.Template) -> list[str]:
    """The public SSM parameters the template reads Powertools layer ARNs from."""
    parameters = template.find_parameters("*", {"Type": "AWS::SSM::Parameter::Value<String>"})
    return [p["Default"] for p in parameters.values() if "powertools" in str(p.get("Default"))]


def test_should_load_the_official_layer_for_the_functions_runtime_and_architecture() -> None:
    assert _layer_parameters(synth()) == [
        f"/aws/service/powertools/python/arm64/python3.14/{lambda_runtime.POWERTOOLS_VERSION}"
    ]


# The official layer and its public parameter exist in the aws partition's commercial
# regions only: https://docs.powertools.aws.dev/lambda/python/latest/#lambda-layer
CHINA_LAYER_ARN = "arn:aws-cn:lambda:cn-north-1:123456789012:layer:powertools-py314-arm64:3"


def _template(region: str | None, layer_arn: str | None = None) -> assertions.Template:
    stack = Stack(App(), "Test", env=Environment(region=region))
    StatsService(stack, "Stats", StatsServiceProps(powertools_layer_arn=layer_arn))
    return assertions.Template.from_stack(stack)


def _partition_rules(template: assertions.Template) -> list[dict[str, Any]]:
    rules = template.to_json().get("Rules", {})
    return [rule for name, rule in rules.items() if "PowertoolsLayerPublished" in name]


def test_should_load_the_layer_the_props_name_without_looking_it_up() -> None:
    template = _template("cn-north-1", CHINA_LAYER_ARN)

    for function in functions(template).values():
        assert function["Properties"]["Layers"] == [CHINA_LAYER_ARN]
    assert not _layer_parameters(template)
    assert not _partition_rules(template)


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1", "us-gov-west-1"])
def test_should_refuse_a_region_without_the_official_layer_at_synth(region: str) -> None:
    with pytest.raises(ValueError, match=r"powertools_layer_arn prop \(-c powertoolsLayerArn"):
        _template(region)


def test_should_look_up_the_official_layer_in_a_commercial_region() -> None:
    template = _template("eu-west-1")

    assert len(_layer_parameters(template)) == 1
    assert not _partition_rules(template)


def test_should_refuse_to_deploy_outside_the_aws_partition_when_synth_cannot_tell() -> None:
    (rule,) = _partition_rules(_template(region=None))

    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]}
    assert "-c powertoolsLayerArn" in assertion["AssertDescription"]


def test_should_refuse_a_layer_arn_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="powertools_layer_arn must be a layer version ARN"):
        StatsServiceProps(powertools_layer_arn="powertools-3.37.0")
