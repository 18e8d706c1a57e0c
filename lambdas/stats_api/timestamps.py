"""Instants as clients send them (RFC 3339 with a zone) and as the service keeps them.

The kept form is UTC with microseconds, always the same width (``2026-11-27T09:40:34.500000Z``),
so text order is time order: the history index sorts and windows sessions on it.
"""

from __future__ import annotations

import datetime
import re

from stats_api.errors import InvalidRequest

# RFC 3339 section 5.6: a date, a time, up to microseconds (more would be silently cut),
# and a zone: Z or an offset.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
RFC3339_RULE = "an RFC 3339 date-time with a time zone, e.g. 2026-11-27T09:40:00Z"


def parse(name: str, value: str) -> datetime.datetime:
    """``value`` as an aware UTC datetime, or a 400 naming ``name``."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise InvalidRequest(f"{name} must be {RFC3339_RULE} (at most 6 decimal places)")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        offset = datetime.timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        zone = datetime.timezone(-offset if sign == "-" else offset)
        moment = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "").ljust(6, "0")),
            tzinfo=datetime.UTC if zulu else zone,
        ).astimezone(datetime.UTC)
    except (ValueError, OverflowError):  # 2026-02-30, 25:00, a day's offset, year 0 in UTC
        raise InvalidRequest(f"{name} is not a valid date-time: {value!r}") from None
    return moment


def kept(moment: datetime.datetime) -> str:
    """The kept (and published) form: UTC, microseconds, ``Z``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
