"""A Learning Record Store's statements resource, as xAPI 1.0.3 defines it: statements are
POSTed as a JSON array, with HTTP basic auth and the ``X-Experience-API-Version`` header.

The LRS's answers, sorted for the sender: stored (``200``, or ``204`` when it held them all
already), ``409`` (it holds another statement under one of the ids), refused (any other
``4xx``: sending it again changes nothing) and unavailable (``429``, ``5xx``, no answer in
time: try again later). The standard library's HTTP client: the Lambda runtime has no other.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from stats_api import json_text

XAPI_VERSION = "1.0.3"
# What the LRS's credentials are made of (HTTP basic auth), as its secret holds them.
CREDENTIAL_FIELDS = ("username", "password")
# Per request, connecting and each read; a batch is a few kilobytes.
TIMEOUT_SECONDS = 5
_TOO_MANY_REQUESTS = 429


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET, whose 200 would read as "stored".
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class LrsEndpoint:
    """Where statements go: the LRS's statements resource (``https://lrs.example.com/xAPI/
    statements``) and the credentials it takes."""

    statements_url: str
    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.statements_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"the LRS statements endpoint must be an http(s) URL, not {self.statements_url!r}"
            )


class Outcome(Enum):
    STORED = "stored"
    CONFLICT = "conflict"  # 409: another statement holds one of the ids


class LrsRefused(Exception):
    """The LRS refused the statements (a 4xx other than 409 and 429)."""


class LrsUnavailable(Exception):
    """The LRS did not take the statements now: 429, 5xx, a timeout, no connection."""


def post_statements(endpoint: LrsEndpoint, statements: Sequence[dict[str, Any]]) -> Outcome:
    credentials = base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above: http(s) only
        endpoint.statements_url,
        data=json_text.dumps(list(statements)).encode(),
        method="POST",
        headers={
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
            return Outcome.STORED
    except urllib.error.HTTPError as error:
        with error:
            detail = error.read(500).decode(errors="replace")
        if error.code == 409:
            return Outcome.CONFLICT
        if error.code == _TOO_MANY_REQUESTS or error.code >= 500:
            raise LrsUnavailable(f"the LRS answered {error.code}: {detail}") from None
        raise LrsRefused(f"the LRS answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise LrsUnavailable(f"the LRS could not be reached: {error}") from None
