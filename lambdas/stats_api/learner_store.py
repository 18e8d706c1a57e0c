"""Recording and withdrawing sessions, and reading one session or one course's stats: the
writes that keep a session and its course stats together, in DynamoDB's terms."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from stats_api import stored_items, table_keys, timestamps
from stats_api.dynamodb_calls import (
    CONDITION_FAILED,
    cancellation_codes,
    set_and_add,
    to_attributes,
)
from stats_api.errors import TemporarilyUnavailable
from stats_api.learner_stats import CourseStats, Session, SessionAlreadyRecorded
from stats_api.table_access import TableAccess, default_table

# A withdrawal reads the aggregate, then writes it conditionally; a concurrent POST or
# DELETE of the same course makes it read again. Past this many tries: 503, retry later.
WITHDRAW_ATTEMPTS = 4


class LearnerStore:
    """Sessions and their per-course aggregates, each session and aggregate written together."""

    def __init__(self, table: TableAccess) -> None:
        self._table = table

    def add_session(self, user_id: str, session: Session) -> None:
        """Store the session and add it to the user's course stats, atomically.

        Raises ``SessionAlreadyRecorded`` when the user already has a session with that id.
        """
        try:
            self._table.transact(
                {"Put": self._put_new_session(user_id, session)},
                {"Update": self._change_course_stats(user_id, session, +1)},
            )
        except ClientError as error:
            if cancellation_codes(error)[:1] == [CONDITION_FAILED]:
                raise SessionAlreadyRecorded(session.session_id) from error
            raise

    def withdraw_session(self, user_id: str, course_id: str, session_id: str) -> bool:
        """Remove the session and take exactly its numbers off the course stats, atomically;
        the course stats go with its last session. False when there is no such session."""
        for _ in range(WITHDRAW_ATTEMPTS):
            session = self.fetch_session(user_id, session_id)
            stats = self.fetch_course_stats(user_id, course_id)
            if session is None or session.course_id != course_id or stats is None:
                return False
            try:
                self._table.transact(
                    {"Delete": self._delete_session(user_id, session)},
                    self._withdraw_from_course_stats(user_id, session, stats.totals.session_count),
                )
            except ClientError as error:
                reasons = cancellation_codes(error)
                if reasons[:1] == [CONDITION_FAILED]:
                    return False  # withdrawn meanwhile
                if reasons[1:2] == [CONDITION_FAILED]:
                    continue  # the session count moved meanwhile: read it again
                raise
            return True
        raise TemporarilyUnavailable

    def fetch_session(self, user_id: str, session_id: str) -> Session | None:
        item = self._table.get(table_keys.session_key(user_id, session_id))
        return None if item is None else stored_items.session(item)

    def fetch_course_stats(self, user_id: str, course_id: str) -> CourseStats | None:
        item = self._table.get(table_keys.course_stats_key(user_id, course_id))
        return None if item is None else stored_items.course_stats(item)

    def _put_new_session(self, user_id: str, session: Session) -> dict[str, Any]:
        return {
            "TableName": self._table.name,
            # Written once, so the moment it is written names this recording of the session.
            "Item": to_attributes(
                stored_items.session_item(user_id, session, timestamps.kept(timestamps.now()))
            ),
            # A session id is written once: a replay or a reuse cancels the transaction.
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": table_keys.SORT_KEY},
        }

    def _delete_session(self, user_id: str, session: Session) -> dict[str, Any]:
        return {
            "TableName": self._table.name,
            "Key": to_attributes(table_keys.session_key(user_id, session.session_id)),
            "ConditionExpression": "attribute_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": table_keys.SORT_KEY},
        }

    def _change_course_stats(self, user_id: str, session: Session, sign: int) -> dict[str, Any]:
        # ADD creates the aggregate on a course's first session and sums exactly after;
        # a withdrawal adds the negated numbers, so the sums come back exactly.
        return {
            "TableName": self._table.name,
            "Key": to_attributes(table_keys.course_stats_key(user_id, session.course_id)),
            **set_and_add(
                {stored_items.COURSE_ID: session.course_id},
                stored_items.course_stats_change(session, sign),
            ),
        }

    def _withdraw_from_course_stats(
        self, user_id: str, session: Session, session_count: int
    ) -> dict[str, Any]:
        """The aggregate's part of a withdrawal, valid only while the count is as read."""
        guard = {
            "ConditionExpression": f"{stored_items.SESSION_COUNT} = :seen",
            "ExpressionAttributeValues": to_attributes({":seen": session_count}),
        }
        if session_count == 1:  # the course's last session: the course stats go too
            key = table_keys.course_stats_key(user_id, session.course_id)
            return {"Delete": {"TableName": self._table.name, "Key": to_attributes(key), **guard}}
        update = self._change_course_stats(user_id, session, -1)
        update["ConditionExpression"] = guard["ConditionExpression"]
        update["ExpressionAttributeValues"].update(guard["ExpressionAttributeValues"])
        return {"Update": update}


def learner_store() -> LearnerStore:
    """The records the handlers use, over the process's one table client."""
    return LearnerStore(default_table())
