"""Pages of a longer list and their cursors: opaque to clients, bound to the caller and the
query they were issued for.

A cursor carries the key of the last item of its page and a digest of that key together
with the caller and the query. A cursor that was altered, or that comes from another
caller or another query (course, window), fails the digest and is refused with a 400.
Only a cursor this API issued, byte for byte, is redeemed: decoders are lenient (base64
skips characters outside its alphabet and stops at padding; JSON allows other spellings),
so a cursor is re-issued from what it holds and must come out identical.
No secret is involved, on purpose: the data-access module also checks that a cursor's key
lies in the caller's own partition, so even a cursor forged to pass the digest could only
position a page inside the caller's own results; no key to keep, rotate or fetch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from stats_api.errors import InvalidRequest

Item = TypeVar("Item")

_DIGEST_BYTES = 16
# What issue() writes: base64url, padded to a multiple of 4. Checked before decoding so that
# no lenient decoder ever sees anything else.
_ISSUED_FORM = re.compile(r"(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """Part of a longer list, as a store reads it; ``last_key`` is where the next page starts
    (None: the end), which ``page_of`` hands the client as a cursor."""

    items: list[Item]
    last_key: dict[str, str] | None


def issue(key: Mapping[str, str], scope: str) -> str:
    """The cursor for a page that ended at ``key`` (string attributes), for ``scope``."""
    plain = {"k": dict(key), "d": _digest(key, scope)}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def redeem(cursor: str, scope: str) -> dict[str, str]:
    """The key ``cursor`` holds, if this API issued exactly ``cursor`` for ``scope``; else a
    400. Whatever a client sends, the only exception is ``InvalidRequest``."""
    if not _ISSUED_FORM.fullmatch(cursor):
        raise InvalidRequest("cursor is not one this API issued")
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor))
        key = plain["k"]
    # RecursionError: JSON nested deeper than the parser's stack (a 500 otherwise).
    # ValueError covers bad UTF-8, bad JSON and integers beyond int()'s digit limit.
    except (ValueError, TypeError, KeyError, RecursionError, binascii.Error):
        raise InvalidRequest("cursor is not one this API issued") from None
    valid = isinstance(key, dict) and all(
        isinstance(name, str) and isinstance(value, str) for name, value in key.items()
    )
    # Re-issuing compares everything at once: the encoding, the JSON's spelling and the
    # digest of the key with this caller and query.
    if not valid or issue(key, scope) != cursor:
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
