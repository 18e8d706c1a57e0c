"""Page cursors: opaque to clients, bound to the caller and the query they were issued for.

A cursor carries the key of the last item of its page and a digest of that key together
with the caller and the query. A cursor that was altered, or that comes from another
caller or another query (course, window), fails the digest and is refused with a 400.
No secret is involved, on purpose: the data-access module also checks that a cursor's key
lies in the caller's own partition, so even a cursor forged to pass the digest could only
position a page inside the caller's own results; no key to keep, rotate or fetch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TypeVar

from stats_api.errors import InvalidRequest
from stats_api.sessions import Page

Item = TypeVar("Item")

_DIGEST_BYTES = 16


def issue(key: Mapping[str, str], scope: str) -> str:
    """The cursor for a page that ended at ``key`` (string attributes), for ``scope``."""
    plain = {"k": dict(key), "d": _digest(key, scope)}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def redeem(cursor: str, scope: str) -> dict[str, str]:
    """The key ``cursor`` holds, if it was issued for ``scope``; else a 400."""
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        key = plain["k"]
        digest = plain["d"]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeEncodeError):
        raise InvalidRequest("cursor is not one this API issued") from None
    valid = (
        isinstance(key, dict)
        and all(isinstance(name, str) and isinstance(value, str) for name, value in key.items())
        and isinstance(digest, str)
    )
    if not valid or digest != _digest(key, scope):
        raise InvalidRequest("cursor is not one this API issued for this query and caller")
    return dict(key)


def page_of(
    cursor: str | None, scope: str, fetch: Callable[[dict[str, str] | None], Page[Item]]
) -> tuple[list[Item], str | None]:
    """The page after ``cursor`` (the first without one) and the cursor of the next."""
    page = fetch(None if cursor is None else redeem(cursor, scope))
    return page.items, None if page.last_key is None else issue(page.last_key, scope)


def _digest(key: Mapping[str, str], scope: str) -> str:
    material = json.dumps([scope, sorted(key.items())], separators=(",", ":")).encode()
    return hashlib.sha256(material).hexdigest()[: 2 * _DIGEST_BYTES]
