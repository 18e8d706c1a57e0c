"""CORS as API Gateway's HTTP API answers it for a stage with ``corsOrigins``: the local run
with ``CORS_ORIGINS`` set (``make run``), from the declaration the construct configures
the API with (``stats_api.cors``).

As AWS documents it (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html):
API Gateway answers a preflight (an ``OPTIONS`` request with ``Origin`` and
``Access-Control-Request-Method``) itself, on any path, before any authorizer or route,
and adds the CORS headers to the responses of requests that carry an ``Origin``. Here the
preflight is a ``204``; the headers go only to a configured origin, so a browser at any
other origin is refused by its own CORS check. Without origins nothing changes: an
``OPTIONS`` reaches the router (``405`` with ``Allow``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from local_run.messages import HttpRequest, HttpResponse
from stats_api import cors
from stats_api.routes import Route


@dataclass(frozen=True)
class CorsPolicy:
    origins: tuple[str, ...]
    methods: tuple[str, ...]  # the routes' methods, as the construct allows them

    @classmethod
    def for_routes(cls, origins: tuple[str, ...], routes: Iterable[Route]) -> CorsPolicy:
        return cls(origins, tuple(sorted({route.method for route in routes})))

    def wrap(
        self, app: Callable[[HttpRequest], HttpResponse]
    ) -> Callable[[HttpRequest], HttpResponse]:
        """``app`` behind this policy: preflights answered here, CORS headers added."""

        def answer(request: HttpRequest) -> HttpResponse:
            origin = _header(request, "origin")
            if (
                request.method == "OPTIONS"
                and origin
                and _header(request, "access-control-request-method")
            ):
                return HttpResponse(204, self._preflight_headers(origin))
            response = app(request)
            if origin not in self.origins:
                return response
            return HttpResponse(
                response.status, (*response.headers, *self._response_headers(origin)), response.body
            )

        return answer

    def _preflight_headers(self, origin: str) -> tuple[tuple[str, str], ...]:
        if origin not in self.origins:
            return ()
        return (
            ("access-control-allow-origin", origin),
            ("access-control-allow-methods", ",".join(self.methods)),
            ("access-control-allow-headers", ",".join(cors.ALLOWED_HEADERS)),
            ("access-control-max-age", str(cors.MAX_AGE_SECONDS)),
            ("vary", "origin"),
        )

    def _response_headers(self, origin: str) -> tuple[tuple[str, str], ...]:
        return (
            ("access-control-allow-origin", origin),
            ("access-control-expose-headers", ",".join(cors.EXPOSED_HEADERS)),
            ("vary", "origin"),
        )


def _header(request: HttpRequest, name: str) -> str | None:
    return request.combined_headers().get(name)
