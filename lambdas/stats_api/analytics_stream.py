"""The sessions table's stream, read as course analytics changes.

Sessions are written once and deleted once (a withdrawal, or the erasure of their
learner), so a session's ``INSERT`` adds its contribution and its ``REMOVE`` takes it off;
the aggregates' own records (sort key ``course#...``) carry nothing analytics need.

The event source mapping's filter (``table_keys.SESSION_CHANGE_FILTERS``, plain data the
construct imports) lets only those records through; the tests hold this module to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stats_api import stored_items, table_keys
from stats_api.contributions import Contribution
from stats_api.dynamodb_calls import from_attributes

# Which record carries the session, and whether it adds or takes off its numbers.
_IMAGE_OF = {"INSERT": ("NewImage", +1), "REMOVE": ("OldImage", -1)}


def contribution(record: Mapping[str, Any]) -> Contribution | None:
    """The change a stream record makes to its course's analytics; None for records that
    make none (the event filter keeps them away on AWS; the local run delivers all)."""
    image_name, sign = _IMAGE_OF.get(str(record.get("eventName")), ("", 0))
    change = record.get("dynamodb") or {}
    image = change.get(image_name)
    if not sign or not image or not table_keys.is_session(image):
        return None
    item = from_attributes(image)
    return Contribution(
        user_id=str(item[table_keys.PARTITION_KEY]),
        session=stored_items.session(item),
        sign=sign,
        # Numeric strings of up to 40 digits, increasing along a shard (and so along one
        # item's changes, which all land in one shard, in order).
        sequence=int(change["SequenceNumber"]),
    )
