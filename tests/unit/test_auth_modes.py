"""Each auth mode is declared once per layer, and in every layer: a new mode (a name in
``stats_api.auth_modes``) cannot be forgotten in one of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

import pytest

from local_run.auth_modes import SETUPS, AuthSettings, auth_setup
from stats_api.auth_modes import AUTH_MODES, DOCUMENTED, AuthMode, listed
from stats_service.auth import AUTH_CLASSES, Auth
from tests.support.api_client import ANALYST_SETTINGS, SIGNING


def test_should_declare_exactly_the_vocabulary_s_modes_in_every_layer() -> None:
    layers: dict[str, Mapping[AuthMode, object]] = {
        "construct (stats_service.auth.AUTH_CLASSES)": AUTH_CLASSES,
        "OpenAPI (stats_api.auth_modes.DOCUMENTED)": DOCUMENTED,
        "local run (local_run.auth_modes.SETUPS)": SETUPS,
        "e2e suite (tests.support.api_client.SIGNING)": SIGNING,
        "e2e suite's analyst (tests.support.api_client.ANALYST_SETTINGS)": ANALYST_SETTINGS,
    }

    for layer, declared in layers.items():
        assert sorted(declared) == sorted(AUTH_MODES), layer


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_should_give_each_mode_a_construct_class_of_its_own_name(mode: AuthMode) -> None:
    auth_class = AUTH_CLASSES[mode]

    assert auth_class.mode == mode
    assert auth_class in get_args(Auth)


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_should_set_up_the_local_run_in_each_mode(mode: AuthMode) -> None:
    setup = auth_setup(AuthSettings(mode=mode), "http://127.0.0.1:3000")

    assert setup.description
    assert setup.curl_lines


def test_should_list_the_modes_for_messages_from_the_vocabulary() -> None:
    assert listed() == "header, iam or jwt"
