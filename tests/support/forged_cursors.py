"""Cursors forged the way anyone can: the digest needs no secret, so whoever knows how it is
computed can sign any key for their own query. Shared by the unit and end-to-end tiers.

The scopes below restate the handlers' recipe (``handlers/list_*.py``). A forgery is only
meaningful if its digest is right, so ``resigned`` first redeems the cursor it starts from
under the recipe: a recipe that no longer matches the service's raises there, instead of
letting a forged cursor be refused for the wrong reason.
"""

from __future__ import annotations

from typing import cast

from stats_api import cursors


def sessions_scope(user_id: str, course_id: str) -> str:
    """The scope of ``GET /courses/{courseId}/sessions`` without a window."""
    return f"sessions\n{user_id}\n{course_id}\nNone\nNone"


def courses_scope(user_id: str) -> str:
    """The scope of ``GET /courses``."""
    return f"courses\n{user_id}"


def days_scope(course_id: str, since: str | None = None, until: str | None = None) -> str:
    """The scope of ``GET /analytics/courses/{courseId}/daily``, the window's bounds as the
    handler prints the instants it parsed (``2026-01-02 00:00:00+00:00``)."""
    return f"daily\n{course_id}\n{since}\n{until}"


def resigned(cursor: str, issued_for: str, forged_for: str) -> str:
    """The key ``cursor`` holds (it must have been issued for scope ``issued_for``), with a
    correct digest for scope ``forged_for``."""
    return cursors.issue(cursors.redeem(cursor, issued_for), forged_for)


def resigned_with(cursor: str, issued_for: str, forged_for: str, **changes: object) -> str:
    """As ``resigned``, with some of the key's values replaced, strings or not: the digest
    is computed over whatever the key holds."""
    key: dict[str, object] = {**cursors.redeem(cursor, issued_for), **changes}
    return cursors.issue(cast("dict[str, str]", key), forged_for)  # not always strings
