"""Identifier rules: who the caller is (the ``userId`` header or a token's subject), and the
course and session ids of a path. Declared once: the handlers check with these, the OpenAPI
document publishes their patterns, and ``table_keys`` relies on ids never holding ``#``."""

from __future__ import annotations

import re
from typing import Any

from stats_api.errors import InvalidRequest

USER_ID_MAX_LENGTH = 128
# The userId header: printable ASCII, no surrounding space. A header value beyond ASCII is
# obsolete text (RFC 9110 section 5.5) with no agreed character set: browsers send Latin-1,
# other clients UTF-8 or nothing at all, so one id could reach the service as two users.
# Ids beyond ASCII come as a JWT's sub (JSON, so unambiguous), or in an ASCII form the
# signer chooses once.
USER_ID_PATTERN = rf"[!-~](?:[ -~]{{0,{USER_ID_MAX_LENGTH - 2}}}[!-~])?"
USER_ID_RULE = f"1-{USER_ID_MAX_LENGTH} printable ASCII characters"
# HTTP's optional white space around a field value (RFC 9110 section 5.6.3): not the value's.
_FIELD_WHITE_SPACE = " \t"
# Open edX course keys (course-v1:MITx+6.00x+2T2024) fit; '#' never does: it separates the
# parts of the table's sort keys.
COURSE_ID_PATTERN = r"[A-Za-z0-9._:+-]{1,128}"
COURSE_ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ - : +"
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

USER_ID_HEADER = "userId"

# JSON Schema of the identifiers, for the published document (the checks below use the
# same patterns).
USER_ID_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{USER_ID_PATTERN}$"}
COURSE_ID_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{COURSE_ID_PATTERN}$"}
SESSION_ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "uuid",
    "pattern": f"^{UUID_PATTERN}$",
}
SESSION_ID_RULE = "a UUID"


def user_id(value: str | None) -> str:
    """The caller named by the ``userId`` header (no authorizer, IAM or a Lambda authorizer)."""
    value = (value or "").strip(_FIELD_WHITE_SPACE)
    if not value:
        raise InvalidRequest(f"the {USER_ID_HEADER} header is required")
    if not re.fullmatch(USER_ID_PATTERN, value):
        raise InvalidRequest(f"the {USER_ID_HEADER} header must be {USER_ID_RULE}")
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
        raise InvalidRequest(f"sessionId must be {SESSION_ID_RULE}")
    return value.lower()
