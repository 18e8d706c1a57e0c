"""Who the caller is, for each kind of authorizer context API Gateway can send: a JWT's
``sub`` behind a JWT authorizer, the ``userId`` header otherwise (no authorizer, IAM, a
Lambda authorizer). Events shaped as AWS documents them:
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
"""

from __future__ import annotations

from typing import Any

import pytest

from local_run.events import iam_authorizer, jwt_authorizer
from tests.support.handler_client import (
    fetch_course_stats,
    fetch_session,
    lambda_authorizer,
    record,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

# The context of the issue that found IAM requests refused: a role's temporary credentials.
ASSUMED_ROLE = {
    "iam": {
        "accessKey": "ASIAEXAMPLEEXAMPLE12",
        "accountId": "123456789012",
        "callerId": "AROAEXAMPLEEXAMPLE123:session",
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": "arn:aws:sts::123456789012:assumed-role/x/y",
        "userId": "AROAEXAMPLEEXAMPLE123:session",
    }
}
HEADER_CONTEXTS = {
    "no authorizer": None,
    "IAM, an assumed role": ASSUMED_ROLE,
    "IAM, a user": iam_authorizer("AKIAEXAMPLEEXAMPLE12", "123456789012"),
    "Lambda authorizer": lambda_authorizer({"tenant": "t-1", "allowed": True}),
}


@pytest.mark.parametrize("context", HEADER_CONTEXTS.values(), ids=HEADER_CONTEXTS.keys())
def test_should_take_the_caller_from_the_header_unless_a_jwt_authorizer_decided(
    context: dict[str, Any] | None,
) -> None:
    written = record(
        user=None, headers={"userid": "carol"}, authorizer=context, body=session_body()
    )
    read = fetch_course_stats(user="carol", authorizer=context)

    assert written.status == 201, written.body
    assert (read.status, read.body["sessionCount"]) == (200, 1)
    assert fetch_session(written.body["sessionId"], user="carol").status == 200
    assert fetch_session(written.body["sessionId"], user="dave").status == 404


@pytest.mark.parametrize("context", HEADER_CONTEXTS.values(), ids=HEADER_CONTEXTS.keys())
def test_should_refuse_a_request_without_the_user_header_behind_a_non_jwt_authorizer(
    dynamodb: Any, context: dict[str, Any] | None
) -> None:
    response = record(user=None, authorizer=context, body=session_body())

    assert response.status == 400
    assert "userId" in response.body["message"]
    assert table_items(dynamodb) == []


def test_should_read_and_write_only_the_token_subjects_data_whatever_the_header() -> None:
    alice = jwt_authorizer({"sub": "alice", "iss": "https://issuer", "exp": "1893456000"})
    assert record(user="bob", body=session_body(totalModulesStudied=9)).status == 201

    written = record(user="bob", authorizer=alice, body=session_body())
    read = fetch_course_stats(user="bob", authorizer=alice)

    assert written.status == 201
    assert read.body["totalModulesStudied"] == 3
    assert read.body["sessionCount"] == 1
    assert fetch_course_stats(user="bob").body["totalModulesStudied"] == 9
    assert fetch_session(written.body["sessionId"], user="alice").status == 200
    assert fetch_session(written.body["sessionId"], user="bob").status == 404


def test_should_need_no_header_behind_a_jwt_authorizer() -> None:
    context = jwt_authorizer({"sub": "alice"}, scopes=["stats/write"])

    response = record(user=None, authorizer=context, body=session_body())

    assert response.status == 201
    assert fetch_course_stats(user="alice").body["sessionCount"] == 1


def test_should_use_the_token_subject_exactly_as_issued() -> None:
    padded = jwt_authorizer({"sub": " alice\u00a0"})

    assert record(user=None, authorizer=padded, body=session_body()).status == 201

    assert fetch_course_stats(user=None, authorizer=padded).body["sessionCount"] == 1
    assert fetch_course_stats(authorizer=jwt_authorizer({"sub": "alice"})).status == 404


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"client_id": "machine"}, "token has no sub"),
        ({"sub": ""}, "token has no sub"),
        ({"sub": "u" * 129}, "token's sub claim must be at most 128"),
    ],
)
def test_should_refuse_a_token_whose_subject_cannot_name_a_user_and_never_use_the_header(
    dynamodb: Any, claims: dict[str, str], message: str
) -> None:
    response = record(user="bob", authorizer=jwt_authorizer(claims), body=session_body())

    assert response.status == 400
    assert message in response.body["message"]
    assert table_items(dynamodb) == []


def test_should_accept_a_subject_of_exactly_128_characters() -> None:
    context = jwt_authorizer({"sub": "u" * 128})

    assert record(user=None, authorizer=context, body=session_body()).status == 201
