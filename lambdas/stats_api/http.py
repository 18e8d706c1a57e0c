"""HTTP plumbing shared by the handlers: API Gateway (payload 2.0) event in, response out.

``endpoint`` turns a function of a ``Request`` into a Lambda handler that logs with the
request's correlation id, flushes metrics, and maps every outcome to one status: a
``RequestError`` to its 4xx, a busy database to 503 (retry), anything else to a generic
500 whose detail goes to the log.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stats_api import identifiers, json_text, session_body
from stats_api.errors import InvalidRequest, RequestError, TemporarilyUnavailable, quoted
from stats_api.observability import logger, metrics
from stats_api.shared_names import FAULTS_METRIC, FUNCTION_NAME_DIMENSION

if TYPE_CHECKING:
    from stats_api.query_parameters import Window

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

INTERNAL_ERROR = "internal error"
RETRY_AFTER = {"retry-after": "1"}  # seconds


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any] | None  # None: no content (204)
    headers: dict[str, str] = field(default_factory=dict)

    def to_api_gateway(self) -> dict[str, Any]:
        if self.body is None:
            return {"statusCode": self.status, "headers": dict(self.headers)}
        return {
            "statusCode": self.status,
            "headers": {"content-type": "application/json", **self.headers},
            "body": json_text.dumps(self.body),
        }


class Request:
    """What a handler may read of an HTTP API event, each part validated on access.

    Reads the event's dict as API Gateway documents payload 2.0, rather than through
    Powertools' ``APIGatewayProxyEventV2``: its package loads some 40 event classes, about
    12-15 ms of every cold start, for the few keys read here.
    """

    def __init__(self, event: Mapping[str, Any]) -> None:
        self._event = event
        self._refuse_unknown_query_parameters()

    @property
    def user_id(self) -> str:
        """The caller: a JWT's subject when a JWT authorizer let the request in, else the
        ``userId`` header (no authorizer, IAM or a Lambda authorizer: the signer or the
        authorizer is trusted to name the user)."""
        # Only API Gateway writes requestContext.authorizer; a client cannot. Behind a JWT
        # authorizer the header is never consulted, not even when the token lacks a
        # subject. Test for the "jwt" key itself: IAM and Lambda authorizer contexts have
        # none.
        authorizer = (self._event.get("requestContext") or {}).get("authorizer") or {}
        jwt = authorizer.get("jwt")
        if jwt is not None:
            return identifiers.token_subject((jwt.get("claims") or {}).get("sub"))
        return identifiers.user_id(self._header(identifiers.USER_ID_HEADER))

    @property
    def course_id(self) -> str:
        return identifiers.course_id(self._path_parameter("courseId"))

    @property
    def session_id(self) -> str:
        return identifiers.session_id(self._path_parameter("sessionId"))

    # The query's rules are imported where a query is read: the routes that take none (the
    # POST, a session, a withdrawal, a course's analytics) need not compile them at their
    # cold start.

    @property
    def page_size(self) -> int:
        from stats_api import query_parameters  # noqa: PLC0415

        return query_parameters.page_size(self._query("limit"))

    @property
    def days_per_page(self) -> int:
        from stats_api import query_parameters  # noqa: PLC0415

        return query_parameters.days_per_page(self._query("limit"))

    @property
    def cursor(self) -> str | None:
        from stats_api import query_parameters  # noqa: PLC0415

        return query_parameters.cursor(self._query("cursor"))

    @property
    def window(self) -> Window:
        from stats_api import query_parameters  # noqa: PLC0415

        return query_parameters.window(self._query("since"), self._query("until"))

    def session_body(self) -> dict[str, Any]:
        session_body.check_content_type(self._header("content-type"))
        raw = self._event.get("body") or ""
        if not self._event.get("isBase64Encoded"):
            return session_body.parse(raw.encode("utf-8", "surrogatepass"))
        try:
            return session_body.parse(base64.b64decode(raw, validate=True))
        except binascii.Error:
            raise InvalidRequest("the body is not valid base64") from None

    def _header(self, name: str) -> str | None:
        # API Gateway lower-cases header names; HTTP says they are case-insensitive anyway.
        wanted = name.lower()
        headers: Mapping[str, str] = self._event.get("headers") or {}
        return next((value for key, value in headers.items() if key.lower() == wanted), None)

    def _path_parameter(self, name: str) -> str | None:
        parameters: Mapping[str, str] = self._event.get("pathParameters") or {}
        return parameters.get(name)

    def _refuse_unknown_query_parameters(self) -> None:
        # A misspelt parameter (?sinse=) would otherwise be ignored, and the answer read as
        # the one asked for. Known by API Gateway's route key; other events are not routed
        # through this table (a test's hand-made event), so they are not judged by it.
        given: Mapping[str, str] = self._event.get("queryStringParameters") or {}
        if not given:
            return
        # The route table is imported where a query is given: a request without one (most
        # requests of most routes) need not compile it at its cold start.
        from stats_api.routes import ROUTES  # noqa: PLC0415

        route_key = self._event.get("routeKey")
        route = next((route for route in ROUTES if route.route_key == route_key), None)
        if route is None:
            return
        taken = route.query_parameters
        unknown = sorted(set(given) - set(taken))
        if unknown:
            takes = f"it takes {', '.join(taken)}" if taken else "it takes none"
            raise InvalidRequest(
                f"{route_key} has no query parameter {', '.join(map(quoted, unknown))}: {takes}"
            )

    def _query(self, name: str) -> str | None:
        parameters: Mapping[str, str] = self._event.get("queryStringParameters") or {}
        value = parameters.get(name)
        if value is not None and "," in value:
            # Payload 2.0 joins a repeated parameter's values with commas.
            raise InvalidRequest(f"{name} must be given once")
        return value


def endpoint(handle: Callable[[Request], Response]) -> LambdaHandler:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # Per function: two stages or two instances of the service share the namespace.
        metrics.add_dimension(name=FUNCTION_NAME_DIMENSION, value=context.function_name)
        try:
            response = handle(Request(event))
        except RequestError as error:
            logger.info("request refused", extra={"status": error.status, "reason": error.message})
            response = Response(error.status, {"message": error.message})
        except TemporarilyUnavailable as error:
            logger.warning("database busy", exc_info=True)
            response = Response(error.status, {"message": error.message}, RETRY_AFTER)
        except Exception:
            logger.exception("request failed")
            # The function answers instead of raising, so Lambda's Errors metric never
            # counts a fault: this metric is what the fault alarms watch.
            metrics.add_metric(name=FAULTS_METRIC, unit=MetricUnit.Count, value=1)
            response = Response(500, {"message": INTERNAL_ERROR})
        return response.to_api_gateway()

    return handler
