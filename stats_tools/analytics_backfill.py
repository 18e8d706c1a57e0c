"""Bring course analytics up to date with a table that already holds sessions, for an
operator, once the analytics are turned on.

``make analytics-backfill STAGE=<stage>`` (or ``python -m stats_tools.analytics_backfill``)
counts the sessions it would read; with ``CONFIRM=yes`` (``--confirm``) it reads every
session (a Scan: an operator's one-off, never a request path) and applies each one's
contribution exactly as the aggregator does, through the same contribution markers, while
the stream keeps flowing. It cannot double count (docs/design.md, "Turning analytics on"):
a session the stream already counted has its marker, so the backfill's conditional put of
that marker cancels; one the backfill counts first is skipped by the stream the same way;
and each addition checks, in its transaction, that the session is still stored as read, so
a session withdrawn meanwhile is not added back. Safe to run again, or to stop and rerun.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from stats_api import stored_items, table_keys
from stats_api.analytics_writes import AnalyticsWrites
from stats_api.contributions import Contribution
from stats_api.dynamodb_calls import from_attributes
from stats_api.shared_names import ANALYTICS_TABLE_NAME_OUTPUT, TABLE_NAME_OUTPUT
from stats_api.table_access import TableAccess
from stats_tools.deployed_stage import aws_session, dynamodb_client, run, stage_output

BACKFILL_SEQUENCE = 0  # older than any stream record: a later withdrawal still applies


def sessions(client: Any, table: str) -> Iterator[Contribution]:
    """Every session of the table, as the contribution its recording made."""
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        for raw in page["Items"]:
            item = from_attributes(raw)
            if not table_keys.is_session(item):
                continue  # a course stats aggregate
            yield Contribution(
                user_id=str(item[table_keys.PARTITION_KEY]),
                session=stored_items.session(item),
                sign=+1,
                sequence=BACKFILL_SEQUENCE,
            )
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def backfill(
    client: Any, table: str, analytics: AnalyticsWrites, *, confirm: bool, batch: int = 500
) -> tuple[int, int]:
    """(sessions read, contributions applied); nothing is written without ``confirm``."""
    read = applied = 0
    pending: list[Contribution] = []
    for contribution in sessions(client, table):
        read += 1
        pending.append(contribution)
        if confirm and len(pending) >= batch:
            applied += analytics.apply(pending, still_stored_in=table)
            pending = []
    if confirm and pending:
        applied += analytics.apply(pending, still_stored_in=table)
    return read, applied


def main(argv: Sequence[str] | None = None) -> int:
    """0 when done; 2 for a bad argument or AWS not set up; 1 when AWS refuses."""
    parser = argparse.ArgumentParser(
        prog="python -m stats_tools.analytics_backfill", description=__doc__
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stage", help="the deployed stage (reads its stack's outputs)")
    where.add_argument("--tables", nargs=2, metavar=("SESSIONS", "ANALYTICS"))
    parser.add_argument("--confirm", action="store_true", help="write (default: dry run)")
    args = parser.parse_args(argv)

    def backfill_the_stage() -> str:
        session = aws_session(os.environ)
        table, analytics = args.tables or (
            stage_output(session, args.stage, TABLE_NAME_OUTPUT),
            stage_output(session, args.stage, ANALYTICS_TABLE_NAME_OUTPUT),
        )
        client = dynamodb_client(session)
        writes = AnalyticsWrites(TableAccess(client, analytics))
        read, applied = backfill(client, table, writes, confirm=args.confirm)
        if args.confirm:
            return f"{analytics}: {read} sessions read, {applied} added (the rest were counted)"
        return f"{table}: {read} sessions would be read (dry run; --confirm writes)"

    return run(backfill_the_stage)


if __name__ == "__main__":
    sys.exit(main())
