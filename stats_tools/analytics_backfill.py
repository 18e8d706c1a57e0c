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

from botocore.exceptions import BotoCoreError, ClientError

from stats_api import stored_items, table_keys
from stats_api.analytics_store import AnalyticsStore
from stats_api.course_analytics import Contribution
from stats_api.dynamodb_calls import CLIENT_CONFIG, from_attributes
from stats_api.shared_names import TABLE_NAME_OUTPUT
from stats_tools.erasure import NotSetUp, aws_session, stage_output

ANALYTICS_TABLE_OUTPUT = "AnalyticsTableName"
BACKFILL_SEQUENCE = 0  # older than any stream record: a later withdrawal still applies


def sessions(client: Any, table: str) -> Iterator[Contribution]:
    """Every session of the table, as the contribution its recording made."""
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        for raw in page["Items"]:
            item = from_attributes(raw)
            if table_keys.HISTORY_SORT_KEY not in item:
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
    client: Any, table: str, store: AnalyticsStore, *, confirm: bool, batch: int = 500
) -> tuple[int, int]:
    """(sessions read, contributions applied); nothing is written without ``confirm``."""
    read = applied = 0
    pending: list[Contribution] = []
    for contribution in sessions(client, table):
        read += 1
        pending.append(contribution)
        if confirm and len(pending) >= batch:
            applied += store.apply(pending, sessions_table=table)
            pending = []
    if confirm and pending:
        applied += store.apply(pending, sessions_table=table)
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
    try:
        session = aws_session(os.environ)
        table, analytics = args.tables or (
            stage_output(session, args.stage, TABLE_NAME_OUTPUT),
            stage_output(session, args.stage, ANALYTICS_TABLE_OUTPUT),
        )
        client = session.client("dynamodb", config=CLIENT_CONFIG)
        read, applied = backfill(
            client, table, AnalyticsStore(client, analytics), confirm=args.confirm
        )
    except NotSetUp as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.confirm:
        print(f"{analytics}: {read} sessions read, {applied} added (the rest were counted)")
    else:
        print(f"{table}: {read} sessions would be read (dry run; --confirm writes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
