"""CORS in the local run (``CORS_ORIGINS``), as API Gateway answers it for a stage with
``corsOrigins``: preflights answered before any route or authorizer, the CORS headers given
to configured origins only, and the same methods, headers and max age as the construct
configures (both read ``stats_api.cors``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from local_run.authorizers import Refused
from local_run.cors import CorsPolicy
from local_run.gateway import Gateway, Integration
from local_run.messages import HttpRequest, HttpResponse
from local_run.server import LocalApi
from stats_api import cors
from stats_api.routes import ROUTES, deployed_routes
from stats_service.api import cors_preflight

App = Callable[[HttpRequest], HttpResponse]
ORIGIN = "https://learn.example.com"
PREFLIGHT = (("origin", ORIGIN), ("access-control-request-method", "POST"))


class RefuseEveryone:
    """An authorizer that lets nobody in: a preflight must never meet it."""

    def authorize(self, request: HttpRequest) -> None:
        raise Refused(403, "Forbidden", "nobody")


def api(origins: tuple[str, ...] = (ORIGIN,)) -> tuple[list[HttpRequest], App]:
    seen: list[HttpRequest] = []

    def handler(event: dict[str, object], context: object) -> dict[str, object]:
        return {"statusCode": 200, "body": "{}"}

    gateway = Gateway((Integration(route, handler) for route in ROUTES), RefuseEveryone())
    local = LocalApi(gateway, {"openapi": "3.1.0"})

    def app(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return local(request)

    return seen, CorsPolicy.for_routes(origins, ROUTES).wrap(app)


def headers(response: HttpResponse) -> dict[str, str]:
    return dict(response.headers)


def test_should_answer_a_preflight_itself_before_any_route_or_authorizer() -> None:
    seen, app = api()

    response = app(HttpRequest("OPTIONS", "/courses/algebra-1", headers=PREFLIGHT))

    assert response.status == 204
    assert headers(response) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "DELETE,GET,POST",
        "access-control-allow-headers": ",".join(cors.ALLOWED_HEADERS),
        "access-control-max-age": "3600",
        "vary": "origin",
    }
    assert seen == []


def test_should_answer_a_preflight_from_another_origin_without_cors_headers() -> None:
    _, app = api()
    other = (("origin", "https://evil.example"), ("access-control-request-method", "POST"))

    response = app(HttpRequest("OPTIONS", "/courses/algebra-1", headers=other))

    assert (response.status, response.headers) == (204, ())


def test_should_route_an_options_request_that_is_no_preflight() -> None:
    _, app = api()

    response = app(HttpRequest("OPTIONS", "/courses/algebra-1", headers=(("origin", ORIGIN),)))

    assert response.status == 405
    assert headers(response)["access-control-allow-origin"] == ORIGIN


@pytest.mark.parametrize(("origin", "allowed"), [(ORIGIN, True), ("https://evil.example", False)])
def test_should_add_the_cors_headers_to_answers_for_a_configured_origin_only(
    origin: str, allowed: bool
) -> None:
    _, app = api()

    response = app(HttpRequest("GET", "/courses/algebra-1", headers=(("origin", origin),)))

    assert response.status == 403  # the authorizer's refusal, readable by the page too
    given = headers(response)
    assert ("access-control-allow-origin" in given) == allowed
    if allowed:
        assert given["access-control-allow-origin"] == origin
        assert given["access-control-expose-headers"] == "retry-after"


def test_should_match_the_construct_s_preflight() -> None:
    deployed = cors_preflight([ORIGIN], {route.method for route in deployed_routes(True, True)})
    _, app = api()

    local = headers(app(HttpRequest("OPTIONS", "/courses", headers=PREFLIGHT)))

    assert deployed is not None
    assert local["access-control-allow-origin"] in (deployed.allow_origins or [])
    assert local["access-control-allow-headers"].split(",") == deployed.allow_headers
    assert local["access-control-allow-methods"].split(",") == [
        str(method.value) for method in deployed.allow_methods or []
    ]
    assert deployed.max_age is not None
    assert int(local["access-control-max-age"]) == deployed.max_age.to_seconds()


@pytest.mark.parametrize(
    ("text", "origins"),
    [
        ("", ()),
        (
            "https://a.example, http://localhost:5173",
            ("https://a.example", "http://localhost:5173"),
        ),
        ("http://localhost", ("http://localhost",)),
    ],
)
def test_should_read_comma_separated_origins(text: str, origins: tuple[str, ...]) -> None:
    assert cors.origins(text) == origins


@pytest.mark.parametrize(
    "origin", ["http://learn.example.com", "https://*.example.com", "*", "http://localhost:٣٠"]
)
def test_should_refuse_an_origin_a_stage_would_refuse(origin: str) -> None:
    with pytest.raises(ValueError, match="must be https://host or http://localhost"):
        cors.origins(origin)
