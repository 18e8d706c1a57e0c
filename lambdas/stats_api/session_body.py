"""The POST body's rules: the one declaration of every field's limits, and its parsing.

The request-body JSON Schema below is what the handlers validate with and what the OpenAPI
document publishes, so the two cannot disagree. The handlers run it as plain Python,
compiled from it at build time (``session_body_validator``, written by ``make validator``
and checked against this schema by a test): no validator library at run time.
"""

from __future__ import annotations

import datetime
import json
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from stats_api import timestamps
from stats_api.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType, quoted
from stats_api.identifiers import SESSION_ID_RULE, UUID_PATTERN

if TYPE_CHECKING:
    from stats_api.session_body_validator import JsonSchemaValueException

MAX_BODY_BYTES = 4096
JSON_MEDIA_TYPE = "application/json"
MAX_MODULES_PER_SESSION = 1000
MAX_MINUTES_PER_SESSION = 1440  # one day
MIN_SCORE, MAX_SCORE = 0, 100
# timeStudied and averageScore are kept to this many decimal places, rounded half-even:
# clients send what they compute (100 s / 60 = 1.6666666666666667), and every stored value
# and every lifetime sum stays far inside DynamoDB's 38 significant digits, so sums stay
# exact and an ADD can never overflow.
MAX_DECIMAL_PLACES = 6
_KEPT_QUANTUM = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
# completedAt: not before the platform could have recorded anything, not (beyond clock
# skew) in the future.
EARLIEST_COMPLETION = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
MAX_CLOCK_AHEAD_MINUTES = 5

# JSON Schema has no keyword for "kept to N decimal places" (it validates, it does not
# round). This extension says it to readers and tools; the handlers round to it.
DECIMAL_PLACES_KEYWORD = "x-kept-decimal-places"
_KEPT = (
    f"kept to {MAX_DECIMAL_PLACES} decimal places, rounded half-even "
    "(1.6666666666666667 is kept as 1.666667), and returned as kept"
)

SESSION_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["totalModulesStudied", "timeStudied", "averageScore"],
    "properties": {
        "totalModulesStudied": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_MODULES_PER_SESSION,
            "description": "Modules studied in the session.",
        },
        "timeStudied": {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_MINUTES_PER_SESSION,
            DECIMAL_PLACES_KEYWORD: MAX_DECIMAL_PLACES,
            "description": "Minutes studied: any finite number from 0 to "
            f"{MAX_MINUTES_PER_SESSION}, the range checked on the number as sent; {_KEPT}.",
        },
        "averageScore": {
            "type": "number",
            "minimum": MIN_SCORE,
            "maximum": MAX_SCORE,
            DECIMAL_PLACES_KEYWORD: MAX_DECIMAL_PLACES,
            "description": "Average score of the session: any finite number from "
            f"{MIN_SCORE} to {MAX_SCORE}, the range checked on the number as sent; {_KEPT}.",
        },
        "sessionId": {
            "type": "string",
            "format": "uuid",
            "pattern": f"^{UUID_PATTERN}$",
            "description": "Client-chosen UUID, any case; generated (UUID v4) when absent.",
        },
        "completedAt": {
            "type": "string",
            "format": "date-time",
            "description": f"When the session ended: {timestamps.RFC3339_RULE}; not before "
            f"{EARLIEST_COMPLETION:%Y-%m-%d}, at most {MAX_CLOCK_AHEAD_MINUTES} minutes "
            "ahead of the service's clock. Defaults to the time the request is handled; "
            "returned in UTC.",
        },
    },
}

_DECIMAL_FIELDS = tuple(
    name
    for name, rule in SESSION_BODY_SCHEMA["properties"].items()
    if DECIMAL_PLACES_KEYWORD in rule
)
_NOT_AN_OBJECT = "the body must be a JSON object"
_NESTED = "the body's fields take numbers and strings, not arrays or objects nested this deep"
_INTEGER_FIELDS = tuple(
    name for name, rule in SESSION_BODY_SCHEMA["properties"].items() if rule["type"] == "integer"
)


def parse(raw: bytes) -> dict[str, Any]:
    """Parse and validate a POST body; numbers come back as ``int`` or exact ``Decimal``.

    Every refusal names the field and its rule as the contract words them (``field_rule``),
    never the validator's wording or a regular expression.
    """
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body must be at most {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise InvalidRequest("a JSON body is required")
    body = _json_object(raw)
    for field in _INTEGER_FIELDS:
        if isinstance(body.get(field), Decimal):
            body[field] = _integral(body[field])
    # Only the POST validates a body: every function imports this module (its limits shape
    # the responses), and the others need not compile the validator at their cold start.
    from stats_api import session_body_validator  # noqa: PLC0415

    try:
        session_body_validator.check(body)
    except session_body_validator.JsonSchemaValueException as error:
        raise InvalidRequest(_refusal(body, error)) from None
    for field in _DECIMAL_FIELDS:
        body[field] = _kept_number(body[field])
    if "completedAt" in body:
        body["completedAt"] = completed_at(body["completedAt"])
    return body


def check_content_type(value: str | None) -> None:
    """The body's declared media type: JSON, in UTF-8 (RFC 8259), or none at all (read as
    JSON). Anything else is a 415, never a guess at what the client meant."""
    if not value or not value.strip():
        return
    media_type, *parameters = (part.strip().lower() for part in value.split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")]
    if media_type != JSON_MEDIA_TYPE or any(charset != "utf-8" for charset in charsets):
        raise UnsupportedMediaType(
            f"content-type must be {JSON_MEDIA_TYPE} (UTF-8): the body is read as JSON only"
        )


def field_rule(name: str) -> str:
    """The rule of body field ``name``, in the contract's words, from its declaration."""
    rule = SESSION_BODY_SCHEMA["properties"][name]
    if rule.get("format") == "uuid":
        return f"{name} must be {SESSION_ID_RULE}"
    if rule.get("format") == "date-time":
        return f"{name} must be {timestamps.RFC3339_RULE}"
    kind = "a whole number" if rule["type"] == "integer" else "a number"
    return f"{name} must be {kind} from {rule['minimum']} to {rule['maximum']}"


class _Unreadable(ValueError):
    """JSON the body must not be read as: its message says why, in the contract's words."""


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the body must be JSON in UTF-8") from None
    try:
        body = json.loads(
            text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_fields
        )
    except _Unreadable as error:
        raise InvalidRequest(str(error)) from None
    except RecursionError:
        # Valid JSON nested past the parser's depth: no field of an object here nests.
        raise InvalidRequest(
            _NOT_AN_OBJECT if not text.lstrip().startswith("{") else _NESTED
        ) from None
    except ValueError:
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidRequest(_NOT_AN_OBJECT)
    return body


def _fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of a key given twice: the first value would be lost unsaid.
    fields: dict[str, Any] = {}
    for name, value in pairs:
        if name in fields:
            raise _Unreadable(f"{quoted(name)} is given twice in the body: send each field once")
        fields[name] = value
    return fields


def _refusal(body: dict[str, Any], error: JsonSchemaValueException) -> str:
    """What the contract says about the rule ``error`` reports broken."""
    field = (error.name or "").partition(".")[2]
    if field in SESSION_BODY_SCHEMA["properties"]:
        return field_rule(field)
    if error.rule == "required":
        missing = [name for name in SESSION_BODY_SCHEMA["required"] if name not in body]
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"
    if error.rule == "additionalProperties":
        unknown = sorted(set(body) - set(SESSION_BODY_SCHEMA["properties"]))
        return (
            f"the body has fields it does not take ({', '.join(map(quoted, unknown))}); "
            f"it takes {', '.join(SESSION_BODY_SCHEMA['properties'])}"
        )
    return _NOT_AN_OBJECT


def completed_at(value: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """When a session ended, within the service's bounds."""
    moment = timestamps.parse("completedAt", value)
    latest = (now or timestamps.now()) + datetime.timedelta(minutes=MAX_CLOCK_AHEAD_MINUTES)
    if not EARLIEST_COMPLETION <= moment <= latest:
        raise InvalidRequest(
            f"completedAt must be from {EARLIEST_COMPLETION:%Y-%m-%d} to at most "
            f"{MAX_CLOCK_AHEAD_MINUTES} minutes from now"
        )
    return moment


def _reject_constant(name: str) -> None:
    raise _Unreadable(f"{name} is not a JSON number: numbers must be finite")


def _integral(value: Decimal) -> int | Decimal:
    # JSON Schema counts 3.0 as the integer 3, but the validator takes no Decimal for an
    # integer. Huge magnitudes stay Decimal (and fail the schema): int() of 1E+999999999
    # would exhaust memory.
    if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 20:
        return int(value)
    return value


def _kept_number(value: int | Decimal) -> Decimal:
    """``value`` as kept: rounded half-even to ``MAX_DECIMAL_PLACES``, in positional form
    without trailing zeros (45.50 -> 45.5, 1E+2 -> 100, 1.6666666666666667 -> 1.666667).

    Only for values inside the schema's bounds (checked first, on the exact value as sent),
    so the result has at most 10 digits: quantize works on the exact input, however many
    digits or however small its exponent (1E-999999999 -> 0), and never overflows.
    """
    kept = Decimal(value).quantize(_KEPT_QUANTUM, rounding=ROUND_HALF_EVEN)
    if kept.is_zero():  # -0 and 0E-7 are 0
        return Decimal(0)
    return Decimal(format(kept.normalize(), "f"))
