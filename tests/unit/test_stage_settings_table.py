"""The stage settings table (``stage_settings.SETTINGS``): each key sets a prop the construct
has, is read where the table says, and is documented where platform teams look."""

from __future__ import annotations

import dataclasses
import re

from stats_service import IamAuth, JwtAuth, StatsServiceProps
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
