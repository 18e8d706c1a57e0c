"""API Gateway HTTP API (payload format 2.0) events and Lambda contexts, built locally.

The local server and the tests hand the handlers the same event shape API Gateway does:
lower-cased headers, path parameters, ``requestContext.http``, a request id and, behind an
authorizer, ``requestContext.authorizer`` in the shape of its kind (``jwt_authorizer``,
``iam_authorizer``; no auth mode has a Lambda authorizer, so only the tests build its
context). Shapes as AWS documents them:
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from stats_api.routes import Route

LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_API_ID = "local"  # what a stage's requestContext.apiId and execute-api ARNs name


def api_event(
    route: Route,
    path_parameters: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    authorizer: dict[str, Any] | None = None,
    raw_query: str = "",
    raw_path: str | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends ``route``'s integration for one request.

    ``authorizer`` is the context an authorizer let the request in with (None: no
    authorizer). ``raw_path`` is the path as the client sent it (still URL-encoded); by
    default it is built from ``path_parameters``.
    """
    path = raw_path if raw_path is not None else route.path.format(**path_parameters)
    request_id = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        # API Gateway lower-cases header names (HTTP says they are case-insensitive).
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "pathParameters": dict(path_parameters),
        "requestContext": {
            "accountId": LOCAL_ACCOUNT_ID,
            "apiId": LOCAL_API_ID,
            "domainName": "localhost",
            "http": {
                "method": route.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": (headers or {}).get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if raw_query:
        event["queryStringParameters"] = _query_parameters(raw_query)
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    if body is not None:
        if isinstance(body, bytes):
            # Like API Gateway, pass bodies that are not valid UTF-8 base64-encoded.
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = body
    return event


def jwt_authorizer(claims: dict[str, str], scopes: list[str] | None = None) -> dict[str, Any]:
    """A JWT authorizer's context: the token's claims, each value a string, and its scopes."""
    return {"jwt": {"claims": dict(claims), "scopes": scopes}}


def iam_authorizer(
    access_key: str,
    account_id: str = LOCAL_ACCOUNT_ID,
    user_name: str = "local-caller",
) -> dict[str, Any]:
    """An IAM (SigV4) authorizer's context: who signed, as IAM knows the signer."""
    principal_id = "AIDA" + access_key[-16:].upper()
    return {
        "iam": {
            "accessKey": access_key,
            "accountId": account_id,
            "callerId": principal_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": f"arn:aws:iam::{account_id}:user/{user_name}",
            "userId": principal_id,
        }
    }


def _query_parameters(raw_query: str) -> dict[str, str]:
    # Payload 2.0 joins repeated parameters with commas, as it does repeated headers.
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    return parameters


@dataclass
class LambdaContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "stats-service-local"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
