"""DynamoDB item sizes and capacity units, from the formulas AWS documents.

moto's ``ConsumedCapacity`` figures are hard-coded (GetItem always 0.5, Query 1.0), so the
benchmark prices each request itself from the items it read or wrote:

- item size: the sum, over attributes, of the attribute name's UTF-8 bytes plus the value's
  size (string: UTF-8 bytes; number: 1 byte per two significant digits, plus 1; binary:
  its bytes; boolean and null: 1 byte);
- a strongly consistent read: 1 read unit per 4 KB, rounded up (eventually consistent reads
  cost half; the service reads strongly consistently, so both designs do here);
- GetItem: the one item's size, rounded up; Query: the total size of every item the Query
  *reads* on a page, rounded up once per page (a FilterExpression drops items after they are
  read and billed), a page stopping at 1 MB;
- a write: 1 write unit per 1 KB of the item, rounded up; an update is billed on the larger
  of the item before and after it; a transaction costs twice its items' units;
- a local secondary index entry: the item's projected attributes (all of them, with
  projection ALL) and keys plus 100 bytes of overhead; writing an item writes its entry,
  priced here at the item write's rate (twice inside a transaction: the conservative
  reading, as AWS does not say otherwise);
- a Query of an index reads (and bills) its entries as projected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

READ_UNIT_BYTES = 4 * 1024
WRITE_UNIT_BYTES = 1024
QUERY_PAGE_BYTES = 1024 * 1024
TRANSACTION_FACTOR = 2
INDEX_ENTRY_OVERHEAD = 100

# An attribute value in DynamoDB's wire form, e.g. {"S": "abc"} or {"N": "12.5"}.
WireItem = Mapping[str, Mapping[str, Any]]


def item_size(item: WireItem) -> int:
    """The item's size in bytes as DynamoDB bills it."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    # Sets, lists and maps are never stored by this service; refuse rather than guess.
    raise ValueError(f"attribute type {kind} is not modelled")


def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1 (leading and trailing zeros do not count)."""
    digits = Decimal(text).normalize().as_tuple().digits
    significant = max(1, len(digits))  # zero still takes a digit
    return math.ceil(significant / 2) + 1


def get_item_read_units(size: int) -> int:
    """A strongly consistent GetItem of an item of ``size`` bytes (at least 1 unit)."""
    return max(1, math.ceil(size / READ_UNIT_BYTES))


def query_pages(sizes: Iterable[int]) -> list[int]:
    """Split the sizes of the items a Query reads, in key order, into its 1 MB pages."""
    pages: list[int] = []
    page = 0
    for size in sizes:
        if page and page + size > QUERY_PAGE_BYTES:
            pages.append(page)
            page = 0
        page += size
    return [*pages, page]


def query_read_units(sizes: Iterable[int]) -> int:
    """A strongly consistent, paginated Query: each page's bytes rounded up to 4 KB."""
    return sum(max(1, math.ceil(page / READ_UNIT_BYTES)) for page in query_pages(sizes))


def write_units(size: int, *, transactional: bool = False) -> int:
    """One item written (for an update: the larger of its sizes before and after)."""
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return units * TRANSACTION_FACTOR if transactional else units


def index_entry_size(item: WireItem) -> int:
    """A local secondary index entry of ``item`` (projection ALL): the item plus overhead."""
    return item_size(item) + INDEX_ENTRY_OVERHEAD
