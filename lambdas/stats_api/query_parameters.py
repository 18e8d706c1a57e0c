"""Rules for the query parameters of the history routes: page size, cursor, time window."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from stats_api import timestamps
from stats_api.errors import InvalidRequest

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# The daily analytics page in days: at most a leap year's per request.
DEFAULT_DAYS_PER_PAGE = 31
MAX_DAYS_PER_PAGE = 366
MAX_CURSOR_LENGTH = 2048  # a cursor holds one item's key: far less than this
# An offset whose + was sent unencoded: query-string decoding reads a + as a space.
_PLUS_AS_SPACE = re.compile(r".*[0-9] [0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class Window:
    """Sessions completed at or after ``since`` and before ``until`` (either may be open)."""

    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    @property
    def is_open(self) -> bool:
        """No bound at all: the whole history."""
        return self.since is None and self.until is None


def page_size(value: str | None) -> int:
    return _limit(value, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, "")


def days_per_page(value: str | None) -> int:
    """``limit`` of the daily analytics: days, up to a leap year's."""
    return _limit(value, DEFAULT_DAYS_PER_PAGE, MAX_DAYS_PER_PAGE, " of days")


def _limit(value: str | None, default: int, maximum: int, unit: str) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]{1,3}", value) or not 1 <= int(value) <= maximum:
        raise InvalidRequest(f"limit must be a whole number{unit} from 1 to {maximum}")
    return int(value)


def cursor(value: str | None) -> str | None:
    if value is None:
        return None
    if not value or len(value) > MAX_CURSOR_LENGTH:
        raise InvalidRequest("cursor is not one this API issued")
    return value


def window(since: str | None, until: str | None) -> Window:
    """[since, until); ``since == until`` is an empty window, answered as any window
    without sessions. ``since`` after ``until`` is a 400: swapped bounds are a mistake
    worth saying, not a question."""
    bounds = Window(since=_instant("since", since), until=_instant("until", until))
    if bounds.since is not None and bounds.until is not None and bounds.since > bounds.until:
        raise InvalidRequest("since must not be after until")
    return bounds


def _instant(name: str, value: str | None) -> datetime.datetime | None:
    if value is None:
        return None
    if _PLUS_AS_SPACE.fullmatch(value):
        raise InvalidRequest(
            f"{name} must be {timestamps.RFC3339_RULE}; send the + of an offset as %2B: "
            "left unencoded in a URL, a + arrives as a space"
        )
    return timestamps.parse(name, value)
