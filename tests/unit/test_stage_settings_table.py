"""The stage settings table (``stage_settings.SETTINGS``): each key sets a prop the construct
has, is read where the table says, and is documented where platform teams look."""

from __future__ import annotations

import dataclasses
import re

import pytest

from stats_service import IamAuth, JwtAuth, LrsProps, StatsServiceProps
from stats_service.stage_settings import KEYS, SETTINGS, StageConfiguration
from tests.support import REPO_ROOT

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example"


def test_should_set_only_props_the_construct_has() -> None:
    fields = {field.name for field in dataclasses.fields(StatsServiceProps)}

    assert {s.prop for s in SETTINGS if s.prop is not None} <= fields
    assert len(set(KEYS)) == len(KEYS)


def test_should_read_the_jwt_keys_into_the_auth_they_configure() -> None:
    given = {
        "stage": "prod",
        "auth": "jwt",
        "jwtIssuer": ISSUER,
        "jwtAudience": "client-1,client-2",
        "jwtScopes": "stats/read",
        "jwtAnalyticsScopes": "stats/dashboards",
    }

    auth = StageConfiguration.parse(given.get).values["auth"]

    assert auth == JwtAuth(
        issuer=ISSUER,
        audience=("client-1", "client-2"),
        required_scopes=("stats/read",),
        analytics_scopes=("stats/dashboards",),
    )
    assert {s.key for s in SETTINGS if s.read is None} == {
        "jwtIssuer",
        "jwtAudience",
        "jwtScopes",
        "jwtAnalyticsScopes",
        # The LRS's, read with lrsEndpoint into one LrsProps.
        "lrsSecretArn",
        "lrsActorHomePage",
        "lrsCourseIri",
    }


def test_should_take_the_stages_own_auth_unless_one_is_chosen() -> None:
    assert StageConfiguration.parse({"stage": "staging"}.get).values["auth"] == IamAuth()


def test_the_docs_should_name_every_key_a_stage_may_commit() -> None:
    readme = " ".join((REPO_ROOT / "docs" / "deploy.md").read_text().split())
    keys_paragraph = readme[readme.index("The keys: ") : readme.index("An unknown key or stage")]

    committable = {s.key for s in SETTINGS if not s.command_line_only}

    assert committable <= set(re.findall(r"`(\w+)`", keys_paragraph))
    operations = (REPO_ROOT / "docs" / "operations.md").read_text()
    assert "breakGlass" in operations  # for one deploy: docs/operations.md says so


LRS_SETTINGS = {
    "lrsEndpoint": "https://lrs.example.com/xAPI/statements",
    "lrsSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-AbCdEf",
    "lrsActorHomePage": "https://learn.example.com",
    "lrsCourseIri": "https://learn.example.com/courses/{courseId}",
}


def test_should_read_the_lrs_keys_into_the_lrs_they_configure() -> None:
    given = {"stage": "dev", "events": "true", **LRS_SETTINGS}

    values = StageConfiguration.parse(given.get).values

    assert values["events"] is True
    assert values["lrsEndpoint"] == LrsProps(
        "https://lrs.example.com/xAPI/statements",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lrs-AbCdEf",
        "https://learn.example.com",
        "https://learn.example.com/courses/{courseId}",
    )


@pytest.mark.parametrize("missing", sorted(LRS_SETTINGS))
def test_should_refuse_an_lrs_missing_a_key_and_name_it(missing: str) -> None:
    given = {"stage": "dev", **{k: v for k, v in LRS_SETTINGS.items() if k != missing}}

    with pytest.raises(ValueError, match=f"missing: {missing}$"):
        StageConfiguration.parse(given.get)


def test_should_refuse_an_lrs_over_plain_http_naming_its_keys() -> None:
    given = {
        "stage": "dev",
        **LRS_SETTINGS,
        "lrsEndpoint": "http://lrs.example.com/xAPI/statements",
    }

    with pytest.raises(ValueError, match=r"lrsEndpoint.*https://"):
        StageConfiguration.parse(given.get)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("arn:aws:events:eu-west-1:123456789012:event-bus/platform", True),
        ("arn:aws-cn:events:cn-north-1:123456789012:event-bus/platform", True),
        ("arn:aws:events:eu-west-1:123456789012:rule/platform", False),
        ("platform", False),
    ],
)
def test_should_take_an_event_bus_by_its_arn_only(value: str, accepted: bool) -> None:
    given = {"stage": "dev", "eventBusArn": value}
    if accepted:
        assert StageConfiguration.parse(given.get).values["eventBusArn"] == value
    else:
        with pytest.raises(ValueError, match="-c eventBusArn must be an event bus ARN"):
            StageConfiguration.parse(given.get)
