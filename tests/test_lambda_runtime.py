"""What the deployed functions run matches what the tests ran."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from templates import synth

from stacks import lambda_runtime

ROOT = Path(__file__).resolve().parent.parent


def _pin(requirements: Path, package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)", requirements.read_text(), re.MULTILINE)
    assert match, f"{package} is not pinned in {requirements}"
    return match.group(1)


def test_should_deploy_the_powertools_version_the_tests_run() -> None:
    pinned = _pin(ROOT / "lambdas" / "requirements.txt", "aws-lambda-powertools")

    assert pinned == lambda_runtime.POWERTOOLS_VERSION
    assert metadata.version("aws-lambda-powertools") == pinned


def test_should_load_the_official_layer_for_the_functions_runtime_and_architecture() -> None:
    parameters = synth().find_parameters("*", {"Type": "AWS::SSM::Parameter::Value<String>"})

    layer_parameters = [
        p["Default"] for p in parameters.values() if "powertools" in str(p.get("Default"))
    ]
    assert layer_parameters == [
        f"/aws/service/powertools/python/arm64/python3.14/{lambda_runtime.POWERTOOLS_VERSION}"
    ]
