"""Erase a learner: every item of one user (sessions and course stats), for an operator.

``make erase USER=<id> STAGE=<stage>`` (or ``python -m stats_tools.erasure``) lists what it
would delete; with ``CONFIRM=yes`` (``--confirm``) it deletes it, retrying throttled
batches, and reports the counts. Not a route: no caller of the API can erase anyone.
Point-in-time recovery keeps restorable copies of the table for up to 35 days after.

Each session is marked erased (``erasedAt``) just before it goes, so that its stream record
is published as ``SessionErased``, not as a withdrawal. Where the stage forwards to an LRS
(its stack's ``LrsActorHomePage`` output), the report also says what the LRS needs: xAPI
cannot delete a statement, so the learner's statements must be deleted there by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from stats_api import stored_items, table_keys, timestamps
from stats_api.dynamodb_calls import call, to_attributes
from stats_api.errors import TemporarilyUnavailable
from stats_api.shared_names import LRS_ACTOR_HOME_PAGE_OUTPUT, TABLE_NAME_OUTPUT
from stats_api.table_access import TableAccess
from stats_api.xapi_statements import statement_id, voiding_statement_id
from stats_tools.deployed_stage import (
    aws_session,
    dynamodb_client,
    optional_stage_output,
    run,
    stage_output,
)

BATCH_WRITE_LIMIT = 25  # BatchWriteItem's
BATCH_WRITE_ATTEMPTS = 8  # unprocessed deletes retried with exponential backoff


@dataclass(frozen=True)
class Erasure:
    user_id: str
    sessions: int
    courses: int  # course stats aggregates
    deleted: bool
    statements: tuple[str, ...] = ()  # the erased sessions' completed statements' ids
    lrs_home_page: str | None = None  # the actor's homePage, where the stage has an LRS

    def report(self) -> str:
        verb = "deleted" if self.deleted else "would delete (dry run; --confirm deletes)"
        counts = (
            f"{verb} for user {self.user_id!r}: {self.sessions} sessions, "
            f"{self.courses} course stats, {self.sessions + self.courses} items"
        )
        if self.lrs_home_page is None:
            return counts
        return "\n".join([counts, *self.lrs_instructions()])

    def lrs_instructions(self) -> list[str]:
        """What the operator must do at the LRS, which no xAPI request can do."""
        actor = json.dumps(
            {
                "objectType": "Agent",
                "account": {"homePage": self.lrs_home_page, "name": self.user_id},
            }
        )
        return [
            "At the LRS: xAPI cannot delete a statement. The SessionErased events void this "
            "learner's statements as they reach it, but voided statements stay stored. Delete "
            "every statement of the actor",
            f"  {actor}",
            "with the LRS's own administration (its erase-person or delete-by-actor feature): "
            "GET <statements endpoint>?agent=<that actor> lists those not voided. Among them, "
            f"the {len(self.statements)} completed statements of the sessions erased now and "
            "their voiding statements:",
            *(f"  {sid}  voided by {voiding_statement_id(sid)}" for sid in self.statements),
            "The event archive keeps this learner's events for 35 days: replay no window of it "
            "to the LRS's rule, or delete at the LRS again after.",
        ]


def learner_items(table: TableAccess, user_id: str) -> Iterator[dict[str, str]]:
    """Every item of the user (sessions and course stats): its key, and what names a
    session's recording."""
    yield from table.query_all(
        {
            "KeyConditionExpression": "#pk = :user",
            "ProjectionExpression": "#pk, #sk, #history, #recorded, #completed",
            "ExpressionAttributeNames": {
                "#pk": table_keys.PARTITION_KEY,
                "#sk": table_keys.SORT_KEY,
                "#history": table_keys.HISTORY_SORT_KEY,
                "#recorded": stored_items.RECORDED_AT,
                "#completed": stored_items.COMPLETED_AT,
            },
            "ExpressionAttributeValues": to_attributes({":user": user_id}),
            "ConsistentRead": True,
        }
    )


def learner_keys(table: TableAccess, user_id: str) -> Iterator[dict[str, str]]:
    """The key of every item of the user: sessions and course stats."""
    return map(_key, learner_items(table, user_id))


def _key(item: dict[str, str]) -> dict[str, str]:
    return {name: item[name] for name in (table_keys.PARTITION_KEY, table_keys.SORT_KEY)}


def mark_erased(table: TableAccess, keys: list[dict[str, str]], erased_at: str) -> None:
    """Mark each session as being erased, so its REMOVE is published as ``SessionErased``.
    Only a session still there: one withdrawn meanwhile is not written back."""
    for key in keys:
        try:
            call(
                table.client.update_item,
                TableName=table.name,
                Key=to_attributes(key),
                UpdateExpression="SET #erased = :at",
                ConditionExpression="attribute_exists(#sk)",
                ExpressionAttributeNames={
                    "#erased": stored_items.ERASED_AT,
                    "#sk": table_keys.SORT_KEY,
                },
                ExpressionAttributeValues=to_attributes({":at": erased_at}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


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


def erase(
    table: TableAccess, user_id: str, *, confirm: bool, lrs_home_page: str | None = None
) -> Erasure:
    items = list(learner_items(table, user_id))
    sessions = [item for item in items if table_keys.is_session(item)]
    if confirm:
        mark_erased(table, [_key(item) for item in sessions], timestamps.kept(timestamps.now()))
        delete_items(table, [_key(item) for item in items])
    statements = tuple(
        statement_id(user_id, item[table_keys.SORT_KEY], stored_items.recording(item))
        for item in sessions
    )
    return Erasure(
        user_id,
        len(sessions),
        len(items) - len(sessions),
        deleted=confirm,
        statements=statements,
        lrs_home_page=lrs_home_page,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """0 when done; 2 for a bad argument or AWS not set up; 1 when AWS refuses. Every
    failure is one line on stderr, for an operator to act on (no traceback)."""
    parser = argparse.ArgumentParser(prog="python -m stats_tools.erasure", description=__doc__)
    parser.add_argument("--user", required=True, help="the userId to erase")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stage", help="the deployed stage (reads its stack's TableName)")
    where.add_argument("--table", help="the table name")
    parser.add_argument("--confirm", action="store_true", help="delete (default: dry run)")
    parser.add_argument(
        "--lrs-home-page",
        help="with --table: the xAPI actor's homePage of a stage that forwards to an LRS "
        "(with --stage, read from its stack)",
    )
    args = parser.parse_args(argv)
    if not args.user:
        parser.error("--user must not be empty")

    def erase_from_the_stage() -> str:
        session = aws_session(os.environ)
        table = args.table or stage_output(session, args.stage, TABLE_NAME_OUTPUT)
        home_page = args.lrs_home_page
        if args.stage:
            home_page = optional_stage_output(session, args.stage, LRS_ACTOR_HOME_PAGE_OUTPUT)
        erased = erase(
            TableAccess(dynamodb_client(session), table),
            args.user,
            confirm=args.confirm,
            lrs_home_page=home_page,
        )
        return f"table {table}: " + erased.report()

    return run(erase_from_the_stage)


if __name__ == "__main__":
    sys.exit(main())
