"""The local run's OIDC issuer (``AUTH=jwt``): discoverable as any issuer is, and minting
tokens only through its local-only route, which the other modes do not serve."""

from __future__ import annotations

import jwt
import pytest

from local_run import oidc
from tests.support.api_client import Api
from tests.support.local_process import request


def test_should_publish_its_discovery_document_and_the_keys_it_names(api: Api) -> None:
    if api.mode != "jwt":
        pytest.skip("the issuer exists in jwt mode only")

    discovery = request("GET", api.base_url + oidc.DISCOVERY_PATH).body
    keys = request("GET", discovery["jwks_uri"]).body
    token = request("GET", f"{api.base_url}{oidc.TOKEN_PATH}?sub=ann&scope=a+b").body

    assert discovery["issuer"] == api.base_url
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == oidc.TOKEN_LIFETIME_S
    signing_key = jwt.PyJWKSet.from_dict(keys)[
        jwt.get_unverified_header(token["access_token"])["kid"]
    ]
    claims = jwt.decode(
        token["access_token"], signing_key, algorithms=["RS256"], audience=oidc.AUDIENCE
    )
    assert (claims["iss"], claims["sub"], claims["scope"]) == (api.base_url, "ann", "a b")


def test_should_refuse_to_mint_a_token_without_a_subject(api: Api) -> None:
    if api.mode != "jwt":
        pytest.skip("the issuer exists in jwt mode only")

    response = request("GET", api.base_url + oidc.TOKEN_PATH)

    assert response.status == 400
    assert "sub" in response.body["message"]


def test_should_serve_no_issuer_routes_in_other_modes(api: Api) -> None:
    if api.mode == "jwt":
        pytest.skip("jwt mode serves them")

    for path in (oidc.TOKEN_PATH + "?sub=x", oidc.DISCOVERY_PATH, oidc.JWKS_PATH):
        assert request("GET", api.base_url + path).status == 404
