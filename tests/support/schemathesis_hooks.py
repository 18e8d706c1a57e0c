"""Teaches schemathesis the document's ``x-decimal-places`` extension (loaded through
``SCHEMATHESIS_HOOKS`` by the schemathesis test).

The published request schema bounds decimal places with that extension, not multipleOf,
which binary-float validators get wrong. To generate only valid numbers, schemathesis is
given the equivalent multipleOf, which it (unlike them) reads exactly; the response schemas
are left alone.
"""

from __future__ import annotations

from typing import Any

import schemathesis

DECIMAL_PLACES = "x-decimal-places"


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    request_body = raw_schema["components"]["schemas"]["SessionInput"]
    for rule in request_body["properties"].values():
        if DECIMAL_PLACES in rule:
            rule["multipleOf"] = 10.0 ** -rule[DECIMAL_PLACES]
