"""Route matching as API Gateway's HTTP API does it, over the service's route table.

A ``{name}`` segment of a route's path matches one non-empty path segment (never a ``/``);
the matched segment is URL-decoded into the path parameter, as API Gateway passes it.
Routes are matched on the raw (still encoded) path, so ``%2F`` inside a segment is data,
not a separator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from stats_api.routes import Route


@dataclass(frozen=True)
class Resolution:
    """What a request's method and path resolve to.

    ``route`` is set when a route matches. Otherwise ``allowed_methods`` lists the methods the
    path does have (a ``405``), or is empty when no route has that path (a ``404``).
    """

    route: Route | None = None
    path_parameters: dict[str, str] = field(default_factory=dict)
    allowed_methods: tuple[str, ...] = ()


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = tuple(routes)

    def resolve(self, method: str, raw_path: str) -> Resolution:
        allowed: list[str] = []
        for route in self._routes:
            parameters = match_path(route.path, raw_path)
            if parameters is None:
                continue
            if route.method == method:
                return Resolution(route, parameters)
            allowed.append(route.method)
        return Resolution(allowed_methods=tuple(sorted(set(allowed))))


def match_path(template: str, raw_path: str) -> dict[str, str] | None:
    """The path parameters of ``raw_path`` under ``template``, or ``None`` if it does not match."""
    expected, actual = template.split("/"), raw_path.split("/")
    if len(expected) != len(actual):
        return None
    parameters: dict[str, str] = {}
    for pattern, segment in zip(expected, actual, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not segment:
                return None
            parameters[pattern[1:-1]] = unquote(segment)
        elif pattern != segment:
            return None
    return parameters
