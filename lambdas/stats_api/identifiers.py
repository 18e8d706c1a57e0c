"""Identifier rules: who the caller is (the ``userId`` header or a token's subject), and the
course and session ids of a path. Declared once: the handlers check with these, the OpenAPI
document publishes their patterns, and ``table_keys`` relies on ids never holding ``#``."""

from __future__ import annotations

import re
from typing import Any

from stats_api.errors import InvalidRequest

USER_ID_MAX_LENGTH = 128
# Open edX course keys (course-v1:MITx+6.00x+2T2024) fit; '#' never does: it separates the
# parts of the table's sort keys.
COURSE_ID_PATTERN = r"[A-Za-z0-9._:+-]{1,128}"
COURSE_ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ - : +"
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

USER_ID_HEADER = "userId"

# JSON Schema of the identifiers, for the published document (the checks below use the
# same patterns).
COURSE_ID_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{COURSE_ID_PATTERN}$"}
SESSION_ID_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{UUID_PATTERN}$"}


def user_id(value: str | None) -> str:
    """The caller named by the ``userId`` header (no authorizer, IAM or a Lambda authorizer)."""
    value = (value or "").strip()
    if not value:
        raise InvalidRequest(f"the {USER_ID_HEADER} header is required")
    if len(value) > USER_ID_MAX_LENGTH or not value.isprintable():
        raise InvalidRequest(
            f"the {USER_ID_HEADER} header must be 1-{USER_ID_MAX_LENGTH} printable characters"
        )
    return value


def token_subject(value: object) -> str:
    """The caller named by a JWT's ``sub`` claim, exactly as the issuer wrote it.

    Never trimmed or normalised: ``" alice"`` and ``"alice"`` are different subjects to the
    issuer, so they are different users here.
    """
    if not isinstance(value, str) or not value:
        raise InvalidRequest("the token has no sub claim to identify the user")
    if len(value) > USER_ID_MAX_LENGTH:
        raise InvalidRequest(
            f"the token's sub claim must be at most {USER_ID_MAX_LENGTH} characters"
        )
    return value


def course_id(value: str | None) -> str:
    if value is None or not re.fullmatch(COURSE_ID_PATTERN, value):
        raise InvalidRequest(f"courseId must be {COURSE_ID_RULE}")
    return value


def session_id(value: str | None) -> str:
    """A UUID in its canonical lower-case form, so lookups ignore the client's casing."""
    if value is None or not re.fullmatch(UUID_PATTERN, value):
        raise InvalidRequest("sessionId must be a UUID")
    return value.lower()
