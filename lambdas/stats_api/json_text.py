"""JSON text of what the service sends out (responses, events, statements): its exact
decimals as JSON numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, default=_json_number)


def _json_number(value: object) -> int | float:
    # Stored values have at most 6 decimal places and realistic sums stay under 15
    # significant digits, so the float's shortest repr is the exact decimal.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
