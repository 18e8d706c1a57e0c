"""HTTP requests and responses as the local API Gateway sees them, and its own error answers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as sent: still URL-encoded
    query: str = ""
    # In arrival order; repeated names are allowed, as on the wire.
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def combined_headers(self) -> dict[str, str]:
        """Headers as payload 2.0 carries them: names lower-cased, repeats joined by commas."""
        combined: dict[str, str] = {}
        for name, value in self.headers:
            key = name.lower()
            combined[key] = f"{combined[key]},{value}" if key in combined else value
        return combined


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def json_response(
    status: int, body: object, *, extra_headers: Iterable[tuple[str, str]] = ()
) -> HttpResponse:
    return HttpResponse(
        status, (("content-type", "application/json"), *extra_headers), json.dumps(body).encode()
    )


def error_response(
    status: int, message: str, *, extra_headers: Iterable[tuple[str, str]] = ()
) -> HttpResponse:
    """API Gateway's shape for its own errors: ``{"message": ...}``."""
    return json_response(status, {"message": message}, extra_headers=extra_headers)
