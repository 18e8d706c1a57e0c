"""Who may call, per auth mode: API Gateway's authorizers answer before any function runs
(JWT: 401 without a valid token; IAM: 403 without a valid signature), and behind them the
caller only ever sees its own data.
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
"""

from __future__ import annotations

from collections.abc import Callable

import jwt
import pytest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.api_client import Api, Caller
from tests.support.local_process import request

BODY = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}
UNAUTHORIZED = (401, {"message": "Unauthorized"})
FORBIDDEN = (403, {"message": "Forbidden"})


def only(api: Api, *modes: str) -> None:
    if api.mode not in modes:
        pytest.skip(f"{'/'.join(modes)} auth only")


def answer(api: Api, method: str, path: str, **headers: str) -> tuple[int, object]:
    reply = request(method, api.base_url + path, headers=headers, body=BODY)
    return reply.status, reply.body


def test_should_refuse_a_request_without_credentials(api: Api, course: str) -> None:
    expected = {"header": 400, "jwt": 401, "iam": 403}[api.mode]

    response = api.call("POST", f"/courses/{course}", None, body=BODY)

    assert response.status == expected
    assert response.body["message"]


def test_should_refuse_a_missing_or_malformed_token_with_401(api: Api, course: str) -> None:
    only(api, "jwt")

    for authorization in ("Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"):
        assert answer(api, "POST", f"/courses/{course}", authorization=authorization) == (
            UNAUTHORIZED
        )


def test_should_refuse_a_token_signed_by_another_key_with_401(
    api: Api, caller: Caller, course: str
) -> None:
    only(api, "jwt")
    assert caller.token is not None
    claims = jwt.decode(caller.token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(caller.token).get("kid")
    impostor_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # Same claims, same kid, another key: only the signature is wrong.
    forged = jwt.encode(claims, impostor_key, algorithm="RS256", headers={"kid": kid})

    assert answer(api, "POST", f"/courses/{course}", authorization=f"Bearer {forged}") == (
        UNAUTHORIZED
    )
    assert api.call("GET", f"/courses/{course}", caller).status == 404


def test_should_take_the_caller_from_the_token_and_ignore_the_user_header(
    api: Api, new_caller: Callable[[], Caller], course: str
) -> None:
    only(api, "jwt")
    owner, other = new_caller(), new_caller()

    recorded = api.call(
        "POST", f"/courses/{course}", owner, body=BODY, headers={"userId": other.name}
    )

    assert recorded.status == 201
    assert api.call("GET", f"/courses/{course}", owner).body["sessionCount"] == 1
    assert api.call("GET", f"/courses/{course}", other).status == 404


def test_should_refuse_an_unsigned_or_wrongly_signed_request_with_403(
    api: Api, caller: Caller, course: str
) -> None:
    only(api, "iam")
    url = f"{api.base_url}/courses/{course}"
    assert api.credentials is not None
    access_key, token = api.credentials.access_key or "", api.credentials.token
    wrong_secret = Credentials(access_key, "not-the-secret", token)

    unsigned = request("GET", url, headers={"userId": caller.name})
    forged = request(
        "GET", url, headers=api.signed("GET", url, {"userId": caller.name}, None, wrong_secret)
    )

    assert (unsigned.status, unsigned.body) == FORBIDDEN
    assert (forged.status, forged.body) == FORBIDDEN


def test_should_refuse_a_signed_request_whose_body_was_changed_with_403(
    api: Api, caller: Caller, course: str
) -> None:
    only(api, "iam")
    url = f"{api.base_url}/courses/{course}"
    signed = api.signed("POST", url, {"userId": caller.name}, b'{"totalModulesStudied": 1}')

    tampered = request("POST", url, headers=signed, body=BODY)

    assert (tampered.status, tampered.body) == FORBIDDEN
    assert api.call("GET", f"/courses/{course}", caller).status == 404


def test_should_let_the_signer_name_the_caller_in_the_user_header(
    api: Api, new_caller: Callable[[], Caller], course: str
) -> None:
    only(api, "iam", "header")
    first, second = new_caller(), new_caller()

    assert api.session(first, course, BODY).status == 201

    assert api.call("GET", f"/courses/{course}", first).body["sessionCount"] == 1
    assert api.call("GET", f"/courses/{course}", second).status == 404
    lower = api.call("GET", f"/courses/{course}", None, headers={"userid": first.name})
    assert lower.status == (200 if api.mode == "header" else 403)


def test_should_refuse_a_signed_request_without_a_user_header_with_400(
    api: Api, course: str
) -> None:
    only(api, "iam")
    url = f"{api.base_url}/courses/{course}"

    response = request("GET", url, headers=api.signed("GET", url, {}, None))

    assert response.status == 400
    assert "userId" in response.body["message"]
