"""The local run's authorizers, in-process: each refuses what API Gateway's authorizer of
its kind refuses, and passes the function the context that authorizer passes.
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import jwt
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import rsa

from local_run.authorizers import IamAuthorizer, JwtAuthorizer, Principal, Refused
from local_run.messages import HttpRequest
from local_run.oidc import LocalIssuer
from stats_api.caller_policies import analytics_policy, learners_policy

ISSUER_URL = "http://127.0.0.1:3000"
HOST = "127.0.0.1:3000"
ACCESS_KEY, SECRET_KEY, REGION = "AKIAEXAMPLELOCAL0001", "local-secret", "eu-west-1"


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer(ISSUER_URL)


def jwt_authorizer(issuer: LocalIssuer, scopes: tuple[str, ...] = ()) -> JwtAuthorizer:
    return JwtAuthorizer(issuer.url, (issuer.audience,), issuer.jwks(), scopes)


def bearer(token: str) -> HttpRequest:
    return HttpRequest("GET", "/courses/c", headers=(("Authorization", f"Bearer {token}"),))


def refusal(authorizer: Any, request: HttpRequest) -> tuple[int, str]:
    with pytest.raises(Refused) as refused:
        authorizer.authorize(request)
    return refused.value.status, refused.value.message


def test_should_pass_the_claims_as_strings_and_the_scopes_of_a_valid_token(
    issuer: LocalIssuer,
) -> None:
    token = issuer.mint("ann", ("stats/read", "stats/write"), groups=["a", "b"], admin=False)

    context = jwt_authorizer(issuer).authorize(bearer(token))

    claims = context["jwt"]["claims"]
    assert claims["sub"] == "ann"
    assert claims["iss"] == ISSUER_URL
    assert claims["exp"] == str(jwt.decode(token, options={"verify_signature": False})["exp"])
    assert (claims["groups"], claims["admin"]) == ("[a b]", "false")
    assert context["jwt"]["scopes"] == ["stats/read", "stats/write"]


def test_should_accept_the_token_without_the_bearer_prefix(issuer: LocalIssuer) -> None:
    request = HttpRequest("GET", "/c", headers=(("authorization", issuer.mint("ann")),))

    assert jwt_authorizer(issuer).authorize(request)["jwt"]["claims"]["sub"] == "ann"


# Claims as functions of the time the test runs (epoch seconds), not of when the file loaded.
WRONG_CLAIMS: dict[str, Callable[[int], dict[str, Any]]] = {
    "expired": lambda now: {"exp": now - 10},
    "not-yet-valid": lambda now: {"nbf": now + 600},
    "other-issuer": lambda now: {"iss": "http://another-issuer"},
    "other-audience": lambda now: {"aud": "another-client"},
    "no-expiry": lambda now: {"exp": None},  # API Gateway needs an expiry
}


@pytest.mark.parametrize("claims", WRONG_CLAIMS.values(), ids=WRONG_CLAIMS.keys())
def test_should_refuse_a_token_with_a_wrong_claim_with_401(
    issuer: LocalIssuer, claims: Callable[[int], dict[str, Any]]
) -> None:
    token = issuer.mint("ann", **claims(int(time.time())))

    assert refusal(jwt_authorizer(issuer), bearer(token)) == (401, "Unauthorized")


def test_should_take_client_id_as_the_audience_only_when_there_is_no_aud(
    issuer: LocalIssuer,
) -> None:
    # A Cognito access token carries client_id and no aud.
    client_id_only = issuer.mint("ann", aud=None, client_id=issuer.audience)
    aud_wins = issuer.mint("ann", aud="another-client", client_id=issuer.audience)

    assert jwt_authorizer(issuer).authorize(bearer(client_id_only))["jwt"]["claims"]["sub"] == "ann"
    assert refusal(jwt_authorizer(issuer), bearer(aud_wins)) == (401, "Unauthorized")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        jwt.encode({"sub": "ann"}, "a-shared-secret-of-at-least-32-bytes", algorithm="HS256"),
    ],
    ids=["missing", "garbage", "hs256"],
)
def test_should_refuse_a_missing_malformed_or_non_rsa_token_with_401(
    issuer: LocalIssuer, token: str
) -> None:
    assert refusal(jwt_authorizer(issuer), bearer(token)) == (401, "Unauthorized")


def test_should_refuse_a_token_signed_by_another_key_with_401(issuer: LocalIssuer) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    genuine = issuer.mint("ann")
    payload = jwt.decode(genuine, options={"verify_signature": False})
    kid = jwt.get_unverified_header(genuine)["kid"]

    forged = jwt.encode(payload, impostor, algorithm="RS256", headers={"kid": kid})

    assert refusal(jwt_authorizer(issuer), bearer(forged)) == (401, "Unauthorized")


def test_should_need_one_of_the_required_scopes_else_403(issuer: LocalIssuer) -> None:
    authorizer = jwt_authorizer(issuer, scopes=("stats/write", "stats/admin"))

    granted = authorizer.authorize(bearer(issuer.mint("ann", ("stats/read", "stats/write"))))

    assert granted["jwt"]["scopes"] == ["stats/read", "stats/write"]
    assert refusal(authorizer, bearer(issuer.mint("ann", ("stats/read",)))) == (403, "Forbidden")
    assert refusal(authorizer, bearer(issuer.mint("ann"))) == (403, "Forbidden")


def signed_request(
    method: str = "POST",
    path: str = "/courses/c",
    query: str = "",
    body: bytes = b'{"a": 1}',
    *,
    secret: str = SECRET_KEY,
    region: str = REGION,
    service: str = "execute-api",
    when: datetime.datetime | None = None,
) -> HttpRequest:
    """A request signed by botocore, as an AWS SDK client signs it."""
    url = f"http://{HOST}{path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method, url, headers={"userId": "carol"}, data=body)
    moment = when or datetime.datetime.now(datetime.UTC)
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        SigV4Auth(Credentials(ACCESS_KEY, secret), service, region).add_auth(aws_request)
    headers = (("host", HOST), *aws_request.headers.items())
    return HttpRequest(method, path, query, headers, body)


ACCOUNT = "123456789012"


def iam(*policies: dict[str, Any]) -> IamAuthorizer:
    """The local IAM authorizer with one principal, by default given the learners' policy."""
    given = policies or (learners_policy(region=REGION, account=ACCOUNT, api_id="local"),)
    return IamAuthorizer((Principal(ACCESS_KEY, SECRET_KEY, given),), REGION, account_id=ACCOUNT)


@pytest.mark.parametrize(
    ("path", "query"),
    [("/courses/c", ""), ("/courses/a%2Eb", ""), ("/courses/c", "b=2&a=1&a=0&x=%20y")],
)
def test_should_pass_a_request_signed_with_the_local_credentials(path: str, query: str) -> None:
    context = iam().authorize(signed_request(path=path, query=query))

    assert context["iam"]["accessKey"] == ACCESS_KEY
    assert context["iam"]["accountId"] == "123456789012"
    assert context["iam"]["userArn"].startswith("arn:aws:iam::123456789012:")


MINUTES = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "wrong"},
        {"region": "us-east-1"},
        {"service": "s3"},
        {"skew": -6 * MINUTES},
        {"skew": 6 * MINUTES},
        None,
    ],
    ids=["wrong-secret", "other-region", "other-service", "too-old", "too-new", "unsigned"],
)
def test_should_refuse_a_request_not_signed_right_now_by_the_local_credentials_with_403(
    signing: dict[str, Any] | None,
) -> None:
    if signing is None:
        request = HttpRequest("GET", "/courses/c", headers=(("host", HOST), ("userid", "carol")))
    else:
        options = dict(signing)  # the parameter itself serves every run of the test
        skew = options.pop("skew", datetime.timedelta(0))
        request = signed_request(when=datetime.datetime.now(datetime.UTC) + skew, **options)

    assert refusal(iam(), request) == (403, "Forbidden")


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"a": 2}'},
        {"path": "/courses/d"},
        {"query": "a=1"},
        {"method": "PUT"},
        {"headers": "userid"},
    ],
    ids=["body", "path", "query", "method", "signed-header"],
)
def test_should_refuse_a_signed_request_changed_in_transit_with_403(change: dict[str, Any]) -> None:
    original = signed_request()
    headers = original.headers
    if change.get("headers"):
        headers = tuple((n, "mallory" if n.lower() == "userid" else v) for n, v in headers)
    tampered = HttpRequest(
        change.get("method", original.method),
        change.get("path", original.path),
        change.get("query", original.query),
        headers,
        change.get("body", original.body),
    )

    assert refusal(iam(), tampered) == (403, "Forbidden")


@pytest.mark.parametrize("skew", [-4 * MINUTES, 4 * MINUTES], ids=["4-min-old", "4-min-ahead"])
def test_should_allow_a_clock_skew_of_up_to_5_minutes(skew: datetime.timedelta) -> None:
    request = signed_request(when=datetime.datetime.now(datetime.UTC) + skew)

    assert iam().authorize(request)["iam"]["accessKey"] == ACCESS_KEY


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/courses/c", True),
        ("GET", "/courses", True),
        ("DELETE", "/courses/c/sessions/s", True),
        ("GET", "/analytics/courses/c", False),
        ("GET", "/analytics/courses/c/daily", False),
    ],
)
def test_should_refuse_with_403_what_the_signers_policies_do_not_allow(
    method: str, path: str, allowed: bool
) -> None:
    request = signed_request(method, path)

    if allowed:
        assert iam().authorize(request)["iam"]["accessKey"] == ACCESS_KEY
    else:
        assert refusal(iam(), request) == (403, "Forbidden")


def test_should_evaluate_the_request_arn_of_this_region_account_and_api() -> None:
    elsewhere = analytics_policy(region=REGION, account=ACCOUNT, api_id="another-api")
    here = analytics_policy(region=REGION, account=ACCOUNT, api_id="local")

    assert refusal(iam(elsewhere), signed_request("GET", "/analytics/courses/c")) == (
        403,
        "Forbidden",
    )
    assert iam(here).authorize(signed_request("GET", "/analytics/courses/c"))


def test_should_let_an_explicit_deny_in_the_signers_policies_refuse_with_403() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "execute-api:*", "Resource": "*"}]}
    policies = (learners_policy(region=REGION, account=ACCOUNT, api_id="local"), deny)

    assert refusal(iam(*policies), signed_request()) == (403, "Forbidden")
