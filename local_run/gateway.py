"""The local stand-in for API Gateway: an HTTP request in, the route's Lambda handler run on
its payload 2.0 event, the handler's result mapped back to an HTTP response.

The handlers are the deployed ones, found through the same route table the CDK construct
wires up. Every invocation holds one lock: moto, the embedded DynamoDB, is not safe under
concurrent calls, and one request at a time is also what one Lambda instance serves.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, cast

from local_run.authorizers import Authorizer, NoAuthorizer, Refused
from local_run.events import LambdaContext, api_event
from local_run.messages import HttpRequest, HttpResponse, error_response
from local_run.router import Router
from stats_api.routes import Route

LambdaHandler = Callable[[dict[str, Any], Any], Any]

# API Gateway's own answers, which never reach a function; its bodies are these messages.
NOT_FOUND = "Not Found"
METHOD_NOT_ALLOWED = "Method Not Allowed"
PAYLOAD_TOO_LARGE = "Request Entity Too Large"
INTERNAL_SERVER_ERROR = "Internal Server Error"

# HTTP APIs refuse request payloads above 10 MB before invoking anything; the server
# enforces it while reading the body.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Integration:
    route: Route
    handler: LambdaHandler


def load_handler(route: Route) -> LambdaHandler:
    """The function Lambda would run for ``route``: its handler's dotted path, imported."""
    return load_handler_path(route.handler)


def load_handler_path(dotted: str) -> LambdaHandler:
    """The function Lambda runs for a handler setting such as ``package.module.handler``."""
    module_name, _, function_name = dotted.rpartition(".")
    return cast(LambdaHandler, getattr(import_module(module_name), function_name))


class Gateway:
    """Routes requests to the integrations' handlers, each request first past the authorizer
    (as API Gateway does: an unknown route is a 404 before any authorizer runs), one
    invocation at a time."""

    def __init__(
        self,
        integrations: Iterable[Integration],
        authorizer: Authorizer | None = None,
        analytics_authorizer: Authorizer | None = None,
    ) -> None:
        self._handlers = {i.route: i.handler for i in integrations}
        self._router = Router(self._handlers)
        self._authorizer = authorizer or NoAuthorizer()
        # The analytics routes' own check (a JWT scope, another IAM principal), as a stage
        # demands per route; None: the same as every route's.
        self._analytics_authorizer = analytics_authorizer or self._authorizer
        self.lock = threading.Lock()  # one invocation at a time: moto is not thread-safe

    @classmethod
    def for_routes(
        cls,
        routes: Iterable[Route],
        authorizer: Authorizer | None = None,
        analytics_authorizer: Authorizer | None = None,
    ) -> Gateway:
        return cls(
            (Integration(route, load_handler(route)) for route in routes),
            authorizer,
            analytics_authorizer,
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        resolution = self._router.resolve(request.method, request.path)
        if resolution.route is None:
            if not resolution.allowed_methods:
                return error_response(404, NOT_FOUND)
            allow = ("allow", ", ".join(resolution.allowed_methods))
            return error_response(405, METHOD_NOT_ALLOWED, extra_headers=(allow,))
        try:
            authorizer = (
                self._analytics_authorizer if resolution.route.analytics else self._authorizer
            )
            authorizer_context = authorizer.authorize(request)
        except Refused as refusal:
            print(f"authorizer refused {request.method} {request.path}: {refusal.reason}")
            return error_response(refusal.status, refusal.message)
        event = api_event(
            resolution.route,
            resolution.path_parameters,
            headers=request.combined_headers(),
            body=request.body or None,
            authorizer=authorizer_context,
            raw_query=request.query,
            raw_path=request.path,
        )
        request_id = event["requestContext"]["requestId"]
        handler = self._handlers[resolution.route]
        try:
            with self.lock:
                result = handler(event, LambdaContext())
            response = to_http_response(result)
        except Exception:  # a crashed or malformed function: API Gateway's generic 500
            response = error_response(500, INTERNAL_SERVER_ERROR)
        return HttpResponse(
            response.status, (*response.headers, ("apigw-requestid", request_id)), response.body
        )


def to_http_response(result: Any) -> HttpResponse:
    """The HTTP response API Gateway makes of a function's payload 2.0 result."""
    if not (isinstance(result, Mapping) and "statusCode" in result):
        # Payload 2.0 reads any other result as a 200 JSON body.
        body = json.dumps(result).encode()
        return HttpResponse(200, (("content-type", "application/json"),), body)
    raw_body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body, validate=True)
    else:
        body = raw_body.encode("utf-8")
    headers = [(str(n).lower(), str(v)) for n, v in (result.get("headers") or {}).items()]
    headers += [("set-cookie", str(cookie)) for cookie in result.get("cookies") or ()]
    return HttpResponse(int(result["statusCode"]), tuple(headers), body)
