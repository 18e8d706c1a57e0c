"""The line the local run prints when its authorizer refuses a request is the one
docs/local-run.md documents ("Why a request was refused"), and each reason it gives as an
example is one a refusal really gives."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_run.authorizers import IamAuthorizer, JwtAuthorizer, Principal, Refused
from local_run.gateway import Gateway, Integration
from local_run.messages import HttpRequest
from local_run.oidc import LocalIssuer
from stats_api.routes import ROUTES
from tests.support import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "local-run.md").read_text()
HOST, REGION = "127.0.0.1:3000", "us-east-1"
KEY, SECRET = "AKIALOCALSTATSSERVICE", "local-secret"
ISSUER = LocalIssuer("http://127.0.0.1:3000")
# A signer IAM lets call anything: the refusals below are the signature's, not a policy's.
ANYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}],
}
SIGNER = Principal(KEY, SECRET, (ANYTHING,))


def documented_reasons() -> list[str]:
    section = DOC.partition("### Why a request was refused")[2].partition("\n## ")[0]
    return re.findall(r"^`([^`]+)`[,.]$", section, re.M)


def iam_request(when: datetime.datetime | None = None, secret: str = SECRET) -> HttpRequest:
    aws_request = AWSRequest("GET", f"http://{HOST}/courses/c", headers={"userId": "carol"})
    moment = when or datetime.datetime.now(datetime.UTC)
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        SigV4Auth(Credentials(KEY, secret), "execute-api", REGION).add_auth(aws_request)
    return HttpRequest("GET", "/courses/c", "", (("host", HOST), *aws_request.headers.items()))


def bearer(token: str) -> HttpRequest:
    return HttpRequest("GET", "/courses/c", headers=(("authorization", f"Bearer {token}"),))


def refusals() -> dict[str, tuple[Any, HttpRequest]]:
    """Requests each authorizer refuses, and the authorizer, by what makes them refused."""
    jwt = JwtAuthorizer(ISSUER.url, (ISSUER.audience,), ISSUER.jwks(), ("stats/write",))
    iam = IamAuthorizer((SIGNER,), REGION)
    late = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=6)
    expired = ISSUER.mint("ann", ("stats/write",), exp=int(time.time()) - 60)
    return {
        "no token": (jwt, HttpRequest("GET", "/courses/c")),
        "an expired token": (jwt, bearer(expired)),
        "no scope": (jwt, bearer(ISSUER.mint("ann", ("stats/read",)))),
        "unsigned": (iam, HttpRequest("GET", "/courses/c", headers=(("host", HOST),))),
        "signed 6 minutes ago": (iam, iam_request(when=late)),
        "a wrong secret": (iam, iam_request(secret="wrong")),
    }


def test_should_give_each_reason_the_doc_gives_as_an_example() -> None:
    given = set()
    for authorizer, request in refusals().values():
        with pytest.raises(Refused) as refused:
            authorizer.authorize(request)
        given.add(refused.value.reason)

    assert documented_reasons()
    assert set(documented_reasons()) <= given


def test_should_print_the_documented_line_when_refusing(capsys: pytest.CaptureFixture[str]) -> None:
    gateway = Gateway(
        (Integration(route, lambda event, context: {}) for route in ROUTES),
        IamAuthorizer((SIGNER,), REGION),
    )

    response = gateway.handle(HttpRequest("GET", "/courses/algebra-1", headers=(("host", HOST),)))

    assert response.status == 403
    line = capsys.readouterr().out.strip()
    assert f"```text\n{line}\n```" in DOC
