"""Where ``make e2e BASE_URL=... AUTH=iam`` signs for: the region a stage's URL names, else
the shell's, else, for a local run, the region the local run itself takes."""

from __future__ import annotations

import pytest

from local_run.auth_modes import AuthSettings
from tests.support.api_client import signing_region

STAGE_URL = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("base_url", "environ", "region"),
    [
        (STAGE_URL, {}, "eu-west-1"),
        (STAGE_URL + "/", {"AWS_REGION": "us-west-2"}, "eu-west-1"),  # the URL knows best
        ("https://a1b2c3.execute-api.cn-north-1.amazonaws.com.cn", {}, "cn-north-1"),
        ("https://stats.example.com", {"AWS_REGION": "ap-south-1"}, "ap-south-1"),
        ("https://stats.example.com", {"AWS_DEFAULT_REGION": "sa-east-1"}, "sa-east-1"),
        (
            "https://stats.example.com",
            {"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "sa-east-1"},
            "ap-south-1",
        ),
        ("http://127.0.0.1:3000", {}, "us-east-1"),
        ("http://localhost:3000", {"AWS_DEFAULT_REGION": "eu-north-1"}, "eu-north-1"),
    ],
)
def test_should_sign_for_the_region_of_the_url_else_the_shells(
    base_url: str, environ: dict[str, str], region: str
) -> None:
    assert signing_region(base_url, environ) == region


def test_should_ask_for_aws_region_when_a_custom_domain_names_none() -> None:
    with pytest.raises(RuntimeError, match="set AWS_REGION"):
        signing_region("https://stats.example.com", {})


@pytest.mark.parametrize(
    "environ",
    [{}, {"AWS_REGION": "eu-north-1"}, {"AWS_DEFAULT_REGION": "eu-north-1"}],
)
def test_should_expect_local_signatures_for_the_region_the_suite_signs_for(
    environ: dict[str, str],
) -> None:
    local_url = "http://127.0.0.1:3000"

    assert AuthSettings.from_environment(environ).region == signing_region(local_url, environ)
