"""``LrsProps``: each rule refused at synth with a message naming it, both ends of every
range accepted."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_secretsmanager as secretsmanager

from stats_service import LrsProps

GOOD: dict[str, Any] = {
    "statements_endpoint": "https://lrs.example.com/xAPI/statements",
    "credentials": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-AbCdEf",
    "actor_home_page": "https://learn.example.com",
    "course_iri_template": "https://learn.example.com/courses/{courseId}",
}


@pytest.mark.parametrize("concurrency", [2, 1000])
def test_should_take_a_concurrency_from_2_to_1000(concurrency: int) -> None:
    assert LrsProps(**GOOD, max_concurrency=concurrency).max_concurrency == concurrency


@pytest.mark.parametrize("concurrency", [1, 1001])
def test_should_refuse_a_concurrency_lambda_refuses(concurrency: int) -> None:
    with pytest.raises(ValueError, match="max_concurrency must be 2-1000"):
        LrsProps(**GOOD, max_concurrency=concurrency)


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("statements_endpoint", "http://lrs.example.com/xAPI/statements", "https://"),
        ("statements_endpoint", "https:///xAPI/statements", "https://"),
        ("credentials", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs", "complete ARN"),
        ("credentials", "lrs-credentials", "complete ARN"),
        ("actor_home_page", "learn.example.com", "home page"),
        ("course_iri_template", "https://learn.example.com/courses", "exactly once"),
    ],
)
def test_should_refuse_what_would_not_reach_the_lrs_or_make_valid_statements(
    field: str, value: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        LrsProps(**{**GOOD, field: value})


def test_should_take_a_secret_of_the_app() -> None:
    secret = secretsmanager.Secret(Stack(App(), "Platform"), "LrsCredentials")
    assert LrsProps(**{**GOOD, "credentials": secret}).credentials is secret
