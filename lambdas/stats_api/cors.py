"""What browsers at a stage's configured origins may send and read (CORS): the one
declaration the construct configures API Gateway's preflight with (``stats_service.api``)
and the local run emulates (``local_run.cors``). Plain data: no handler imports it (API
Gateway answers preflights and adds the headers itself)."""

from __future__ import annotations

import re

# What a browser's request may carry: the caller (userId), a JWT, and a SigV4 signature as
# aws4fetch or an AWS SDK writes it (a temporary credential's token included).
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "userid",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
)
# What a browser's script may read beyond the CORS-safelisted headers: a 503's Retry-After.
EXPOSED_HEADERS = ("retry-after",)
MAX_AGE_SECONDS = 3600  # how long a browser may reuse a preflight's answer
# An origin as a browser sends it: https://host[:port], or plain http on localhost only.
ORIGIN_PATTERN = r"https://[^/\s*]+|http://localhost(?::[0-9]{1,5})?"
ORIGIN_RULE = "https://host or http://localhost[:port]"


def origins(text: str) -> tuple[str, ...]:
    """Comma-separated origins (``corsOrigins``, the local ``CORS_ORIGINS``), each checked;
    a ValueError names the first that is not one."""
    found = tuple(origin.strip() for origin in text.split(",") if origin.strip())
    for origin in found:
        if not re.fullmatch(ORIGIN_PATTERN, origin):
            raise ValueError(f"cors origin {origin!r} must be {ORIGIN_RULE}")
    return found
