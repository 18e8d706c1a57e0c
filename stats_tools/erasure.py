"""Erase a learner: every item of one user (sessions and course stats), for an operator.

``make erase USER=<id> STAGE=<stage>`` (or ``python -m stats_tools.erasure``) lists what it
would delete; with ``CONFIRM=yes`` (``--confirm``) it deletes it, retrying throttled
batches, and reports the counts. Not a route: no caller of the API can erase anyone.
Point-in-time recovery keeps restorable copies of the table for up to 35 days after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from stats_api import table_keys
from stats_api.dynamodb_calls import call, to_attributes
from stats_api.errors import TemporarilyUnavailable
from stats_api.shared_names import TABLE_NAME_OUTPUT
from stats_api.table_access import TableAccess
from stats_tools.deployed_stage import aws_session, dynamodb_client, run, stage_output

BATCH_WRITE_LIMIT = 25  # BatchWriteItem's
BATCH_WRITE_ATTEMPTS = 8  # unprocessed deletes retried with exponential backoff


@dataclass(frozen=True)
class Erasure:
    user_id: str
    sessions: int
    courses: int  # course stats aggregates
    deleted: bool

    def report(self) -> str:
        verb = "deleted" if self.deleted else "would delete (dry run; --confirm deletes)"
        return (
            f"{verb} for user {self.user_id!r}: {self.sessions} sessions, "
            f"{self.courses} course stats, {self.sessions + self.courses} items"
        )


def learner_keys(table: TableAccess, user_id: str) -> Iterator[dict[str, str]]:
    """The key of every item of the user: sessions and course stats."""
    yield from table.query_all(
        {
            "KeyConditionExpression": "#pk = :user",
            "ProjectionExpression": "#pk, #sk",
            "ExpressionAttributeNames": {
                "#pk": table_keys.PARTITION_KEY,
                "#sk": table_keys.SORT_KEY,
            },
            "ExpressionAttributeValues": to_attributes({":user": user_id}),
            "ConsistentRead": True,
        }
    )


def delete_items(table: TableAccess, keys: list[dict[str, str]]) -> None:
    """Delete the items ``keys`` name, 25 per request, retrying what DynamoDB leaves
    unprocessed (throttling) with exponential backoff."""
    for start in range(0, len(keys), BATCH_WRITE_LIMIT):
        pending: Any = {
            table.name: [
                {"DeleteRequest": {"Key": to_attributes(key)}}
                for key in keys[start : start + BATCH_WRITE_LIMIT]
            ]
        }
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 5))
            pending = call(table.client.batch_write_item, RequestItems=pending).get(
                "UnprocessedItems"
            )
            if not pending:
                break
        else:
            raise TemporarilyUnavailable


def erase(table: TableAccess, user_id: str, *, confirm: bool) -> Erasure:
    keys = list(learner_keys(table, user_id))
    courses = sum(
        1 for key in keys if key[table_keys.SORT_KEY].startswith(table_keys.COURSE_STATS_PREFIX)
    )
    if confirm:
        delete_items(table, keys)
    return Erasure(user_id, len(keys) - courses, courses, deleted=confirm)


def main(argv: Sequence[str] | None = None) -> int:
    """0 when done; 2 for a bad argument or AWS not set up; 1 when AWS refuses. Every
    failure is one line on stderr, for an operator to act on (no traceback)."""
    parser = argparse.ArgumentParser(prog="python -m stats_tools.erasure", description=__doc__)
    parser.add_argument("--user", required=True, help="the userId to erase")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stage", help="the deployed stage (reads its stack's TableName)")
    where.add_argument("--table", help="the table name")
    parser.add_argument("--confirm", action="store_true", help="delete (default: dry run)")
    args = parser.parse_args(argv)
    if not args.user:
        parser.error("--user must not be empty")

    def erase_from_the_stage() -> str:
        session = aws_session(os.environ)
        table = args.table or stage_output(session, args.stage, TABLE_NAME_OUTPUT)
        erased = erase(
            TableAccess(dynamodb_client(session), table), args.user, confirm=args.confirm
        )
        return f"table {table}: " + erased.report()

    return run(erase_from_the_stage)


if __name__ == "__main__":
    sys.exit(main())
