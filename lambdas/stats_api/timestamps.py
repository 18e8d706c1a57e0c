"""Instants as clients send them (RFC 3339 with a zone) and as the service keeps them.

The kept form is UTC with microseconds, always the same width (``2026-11-27T09:40:34.500000Z``),
so text order is time order: the history index sorts and windows sessions on it.
"""

from __future__ import annotations

import datetime
import re

from stats_api.errors import InvalidRequest

# RFC 3339 section 5.6: a date, a time, up to microseconds (more would be silently cut),
# and a zone: Z or an offset. ASCII digits only: in Python regexes \d also matches other
# scripts' digits (Arabic-Indic, full-width), which int() then reads as numbers.
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
RFC3339_RULE = "an RFC 3339 date-time with a time zone, e.g. 2026-11-27T09:40:00Z"
MAX_OFFSET_HOURS, MAX_OFFSET_MINUTES = 23, 59  # RFC 3339's time-numoffset: 00-23, 00-59


def parse(name: str, value: str) -> datetime.datetime:
    """``value`` as an aware UTC datetime, or a 400 naming ``name``.

    The one parser of instants: ``completedAt`` in a body and ``since``/``until`` in a query
    accept exactly the same strings.
    """
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise InvalidRequest(f"{name} must be {RFC3339_RULE} (at most 6 decimal places)")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    # datetime.timezone takes any offset under a day, so +05:99 would be read as +06:39.
    if int(off_h or 0) > MAX_OFFSET_HOURS or int(off_m or 0) > MAX_OFFSET_MINUTES:
        raise InvalidRequest(
            f"{name} has an offset beyond RFC 3339's: hours 00-{MAX_OFFSET_HOURS}, "
            f"minutes 00-{MAX_OFFSET_MINUTES}"
        )
    offset = datetime.timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
    try:
        moment = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "").ljust(6, "0")),
            tzinfo=datetime.UTC if zulu else datetime.timezone(-offset if sign == "-" else offset),
        )
    except ValueError:  # 2026-02-30, 25:00, a leap second, year 0000
        raise InvalidRequest(f"{name} is not a valid date-time: {value!r}") from None
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise InvalidRequest(
            f"{name} must fall within the years 0001-9999 once in UTC: {value!r}"
        ) from None


def kept(moment: datetime.datetime) -> str:
    """The kept (and published) form: UTC, microseconds, ``Z``, always 27 characters.

    The history index's keys and the bounds of every window are built with this one
    function, so that text order is time order. Not ``strftime("%Y")``: on Linux it writes
    the year 999 as ``999``, which sorts after ``2026`` as text.
    """
    utc = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"  # isoformat pads years to 4 digits


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
