"""IAM's evaluation (``local_run.iam_evaluation``) holds to the examples AWS documents: how a
``Resource`` and an ``Action`` match a request, and how Allow, explicit Deny, ``NotAction``
and ``NotResource`` decide. Each group cites the page its examples come from."""

from __future__ import annotations

from typing import Any

import pytest

from local_run.iam_evaluation import (
    Unsupported,
    action_matches,
    decide,
    is_allowed,
    resource_matches,
)

ACCOUNT = "123456789012"


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action,
            "Resource": resource, **extra}]}  # fmt: skip


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
# ("Using wildcards in resource ARNs": * any combination of characters, / included; ? any
# single character; the user name is case sensitive).
@pytest.mark.parametrize(
    ("pattern", "arn", "matches"),
    [
        (f"arn:aws:iam::{ACCOUNT}:user/Bob", f"arn:aws:iam::{ACCOUNT}:user/Bob", True),
        (f"arn:aws:iam::{ACCOUNT}:user/Bob", f"arn:aws:iam::{ACCOUNT}:user/bob", False),
        (
            f"arn:aws:iam::{ACCOUNT}:user/accounting/*",
            f"arn:aws:iam::{ACCOUNT}:user/accounting/alice",
            True,
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:user/accounting/*",
            f"arn:aws:iam::{ACCOUNT}:user/marketing/bob",
            False,
        ),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.jpg", True),
        # The page's example of * expanding across "/":
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/test/object.jpg",
            True,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/object.jpg",
            True,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg",
            True,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1///test///object.jpg",
            True,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1-test/object.jpg",
            False,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/test/object.jpg",
            False,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test.jpg",
            False,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/file?.txt",
            "arn:aws:s3:::amzn-s3-demo-bucket/file1.txt",
            True,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/file?.txt",
            "arn:aws:s3:::amzn-s3-demo-bucket/file.txt",
            False,
        ),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/file?.txt",
            "arn:aws:s3:::amzn-s3-demo-bucket/file12.txt",
            False,
        ),
        ("*", "arn:aws:s3:::anything/at/all", True),
        # Each segment on its own: a wildcard does not make another region or service match.
        ("arn:aws:sqs:us-east-2:*:queue1", f"arn:aws:sqs:us-east-2:{ACCOUNT}:queue1", True),
        ("arn:aws:sqs:us-east-2:*:queue1", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:queue1", False),
        # "If the * wildcard is the last character of a resource ARN segment, it can expand
        # to match beyond the colon boundaries."
        ("arn:aws:sqs:*", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:queue1", True),
        ("arn:aws:sqs:*", f"arn:aws:sns:eu-west-1:{ACCOUNT}:queue1", False),
        # A function's versions: the qualifier follows a colon inside the resource segment.
        (
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f:*",
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f:7",
            True,
        ),
        (
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f:*",
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f",
            False,
        ),
        (
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f:*",
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f2:7",
            False,
        ),
    ],
)
def test_should_match_resources_as_the_iam_documentation_says(
    pattern: str, arn: str, matches: bool
) -> None:
    assert resource_matches(pattern, arn) is matches


# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
# (execute-api ARNs: arn:aws:execute-api:region:account-id:api-id/stage/METHOD/resource-path).
@pytest.mark.parametrize(
    ("pattern", "request_path", "matches"),
    [
        ("arn:aws:execute-api:*:*:*", "a123456789/test/GET/pets", True),
        ("arn:aws:execute-api:us-east-1:*:a123456789/test/*", "a123456789/test/POST/pets/1", True),
        ("arn:aws:execute-api:us-east-1:*:a123456789/test/*", "a123456789/prod/POST/pets/1", False),
        ("arn:aws:execute-api:us-east-1:*:a123456789/*/GET/pets", "a123456789/test/GET/pets", True),
        (
            "arn:aws:execute-api:us-east-1:*:a123456789/*/GET/pets",
            "a123456789/test/GET/pets/1",
            False,
        ),
        # The path parameter left as a template is literal text: no request matches it.
        (
            "arn:aws:execute-api:us-east-1:*:a123456789/*/GET/pets/{petId}",
            "a123456789/test/GET/pets/1",
            False,
        ),
        # A method wildcard runs across "/": */courses/* reaches /analytics/courses/...
        (
            "arn:aws:execute-api:us-east-1:*:a123456789/$default/*/courses/*",
            "a123456789/$default/GET/analytics/courses/c",
            True,
        ),
        (
            "arn:aws:execute-api:us-east-1:*:a123456789/$default/GET/courses/*",
            "a123456789/$default/GET/analytics/courses/c",
            False,
        ),
    ],
)
def test_should_match_execute_api_arns_as_api_gateway_documents_them(
    pattern: str, request_path: str, matches: bool
) -> None:
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{request_path}"

    assert resource_matches(pattern, arn) is matches


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
# ("Prefixes and action names are case insensitive"; * and ? in action names).
@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("iam:ListAccessKeys", "IAM:listaccesskeys", True),
        ("execute-api:Invoke", "execute-api:invoke", True),
        ("execute-api:*", "execute-api:Invoke", True),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("iam:*AccessKey*", "iam:UpdateAccessKey", True),
        ("ec2:?tartInstances", "ec2:StartInstances", True),
        ("*", "sqs:SendMessage", True),
        ("execute-api:Invoke", "execute-api:ManageConnections", False),
    ],
)
def test_should_match_actions_in_any_case_with_wildcards(
    pattern: str, action: str, matches: bool
) -> None:
    assert action_matches(pattern, action) is matches


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
# (an explicit deny overrides any allow; without an allow, the request is implicitly denied).
QUEUE = f"arn:aws:sqs:us-east-2:{ACCOUNT}:queue1"


def test_should_deny_implicitly_what_no_statement_allows() -> None:
    assert decide([allow("sqs:SendMessage", QUEUE)], "sqs:DeleteQueue", QUEUE) == "ImplicitDeny"
    assert decide([], "sqs:SendMessage", QUEUE) == "ImplicitDeny"


def test_should_allow_what_a_statement_of_any_policy_allows() -> None:
    policies = [allow("sqs:ReceiveMessage", QUEUE), allow("sqs:SendMessage", [QUEUE, "x"])]

    assert decide(policies, "sqs:SendMessage", QUEUE) == "Allow"


def test_should_let_an_explicit_deny_override_every_allow() -> None:
    deny = {"Statement": {"Effect": "Deny", "Action": "sqs:*", "Resource": QUEUE}}
    policies = [allow("*", "*"), deny]

    assert decide(policies, "sqs:SendMessage", QUEUE) == "ExplicitDeny"
    assert decide(policies, "sqs:SendMessage", QUEUE + "2") == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
def test_should_apply_not_action_and_not_resource_to_everything_else() -> None:
    everything_but_iam = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    not_the_queue = {"Statement": [{"Effect": "Deny", "Action": "sqs:*", "NotResource": QUEUE}]}
    policies = [everything_but_iam, not_the_queue]

    assert is_allowed(policies, "sqs:SendMessage", QUEUE)
    assert not is_allowed(policies, "IAM:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/Bob")
    assert decide(policies, "sqs:SendMessage", QUEUE + "2") == "ExplicitDeny"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {}}},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*"},
        {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"},
        {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"},
    ],
)
def test_should_refuse_what_it_does_not_evaluate_rather_than_answer_wrongly(
    statement: dict[str, Any],
) -> None:
    with pytest.raises(Unsupported):
        decide([{"Statement": [statement]}], "s3:GetObject", "arn:aws:s3:::b/k")
