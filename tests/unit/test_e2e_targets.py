"""Where ``make e2e BASE_URL=... AUTH=iam`` signs for: the region a stage's URL names, else
the shell's, else, for a local run, the region the local run itself takes; and who the
suite's analyst is against a deployed stage (``ANALYST_*``), or what it lacks."""

from __future__ import annotations

from pathlib import Path

import boto3
import jwt
import pytest
from moto import mock_aws

from local_run.auth_modes import AuthSettings
from stats_api.auth_modes import AuthMode
from tests.support.api_client import Api, analyst_credentials, signing_region

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


# The analyst of a deployed stage's suite (docs/deploy.md: "Test a deployed stage").
ANALYTICS_ROLE = "arn:aws:iam::123456789012:role/StatsService-staging-AnalyticsReader1A2B-XYZ"


def test_should_assume_the_analysts_role_with_the_suites_own_credentials() -> None:
    with mock_aws():
        found = analyst_credentials({"ANALYST_ROLE_ARN": ANALYTICS_ROLE}, "eu-west-1")
        caller = boto3.client(
            "sts",
            region_name="eu-west-1",
            aws_access_key_id=found.access_key if found else "",
            aws_secret_access_key=found.secret_key if found else "",
            aws_session_token=found.token if found else "",
        ).get_caller_identity()

    assert found is not None
    assert found.access_key != "testing"  # the role's, not the suite's own
    assert (
        ":assumed-role/StatsService-staging-AnalyticsReader1A2B-XYZ/stats-e2e-analyst-"
        in (caller["Arn"])
    )


def test_should_take_the_analysts_credentials_from_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[analyst]\naws_access_key_id = AKIAANALYST\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))

    found = analyst_credentials({"ANALYST_PROFILE": "analyst"}, "eu-west-1")

    assert found is not None
    assert (found.access_key, found.secret_key) == ("AKIAANALYST", "s")


def test_should_have_no_analyst_without_the_settings_and_refuse_both_at_once() -> None:
    assert analyst_credentials({}, "eu-west-1") is None
    with pytest.raises(RuntimeError, match="not both"):
        analyst_credentials(
            {"ANALYST_PROFILE": "analyst", "ANALYST_ROLE_ARN": ANALYTICS_ROLE}, "eu-west-1"
        )


@pytest.mark.parametrize(
    ("mode", "environ", "missing"),
    [
        ("iam", {}, "set ANALYST_PROFILE or ANALYST_ROLE_ARN for the analytics checks"),
        ("jwt", {"TOKEN": "t"}, "set ANALYST_TOKEN for the analytics checks"),
        ("jwt", {"TOKEN": "t", "ANALYST_TOKEN": jwt.encode({"sub": "dash"}, "k" * 32)}, ""),
        ("header", {}, ""),
    ],
)
def test_should_name_what_a_deployed_stages_suite_lacks_for_the_analytics_checks(
    mode: AuthMode, environ: dict[str, str], missing: str
) -> None:
    with mock_aws():
        api = Api.deployed_stage(STAGE_URL, mode, environ)
        assert api.missing_analyst().startswith(missing)
        assert bool(api.missing_analyst()) is bool(missing)
