"""Teaches schemathesis the rules the document states in words or extensions (loaded
through ``SCHEMATHESIS_HOOKS`` by the schemathesis test), so that the data it generates as
valid is valid.

- ``completedAt`` is a date-time from 2000 to 5 minutes ahead of now: JSON Schema cannot
  bound a date, so schemathesis gets a pattern of such dates. Likewise ``since`` must not
  come after ``until`` (nor fall outside years 0001-9999 once in UTC): schemathesis gets
  since-dates before 2026 and until-dates after.
- A ``cursor`` is valid only as a page's ``nextCursor``: schemathesis, which cannot know
  one, sends none.
The response schemas are left alone.
"""

from __future__ import annotations

from typing import Any

import schemathesis

CURSOR_PARAMETER = "#/components/parameters/cursor"
_DAY_AND_TIME = (
    r"-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]0[0-9]:[0-5][0-9])$"
)
PAST_INSTANT = r"^20(0[0-9]|1[0-9]|2[0-4])" + _DAY_AND_TIME  # 2000-2024
FUTURE_INSTANT = r"^2(0[3-9][0-9]|[1-9][0-9][0-9])" + _DAY_AND_TIME  # 2030-2999


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    request_body = raw_schema["components"]["schemas"]["SessionInput"]
    request_body["properties"]["completedAt"] = {"type": "string", "pattern": PAST_INSTANT}
    parameters = raw_schema["components"]["parameters"]
    # The history routes' window and the daily analytics' (parameters of their own).
    for since, until in (("since", "until"), ("daySince", "dayUntil")):
        parameters[since]["schema"] = {"type": "string", "pattern": PAST_INSTANT}
        parameters[until]["schema"] = {"type": "string", "pattern": FUTURE_INSTANT}
    for methods in raw_schema["paths"].values():
        for operation in methods.values():
            operation["parameters"] = [
                p for p in operation["parameters"] if p != {"$ref": CURSOR_PARAMETER}
            ]
