"""Every operation of the stats API through the Python client generated from its OpenAPI
document (``make clients``): what the README's client section quotes, type-checked with
``mypy --strict`` against each auth mode's client and run by the e2e tier against the local
run in that mode.

    PYTHONPATH=build/clients/<mode>/python python examples/clients/python/drive_api.py <url>

with ``AUTH=header|iam|jwt``; a JWT stage's tokens in ``TOKEN`` (a learner's) and
``ANALYST_TOKEN`` (one with the analytics scope); an IAM stage's credentials in
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (``AWS_SESSION_TOKEN``) and the analytics
principal's in ``ANALYST_AWS_ACCESS_KEY_ID``/``ANALYST_AWS_SECRET_ACCESS_KEY``, signed
for ``AWS_REGION``. It writes under a learner and a course of its own, and prints what
each operation answered.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Generator
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from stats_service_client import AuthenticatedClient
from stats_service_client.api.course_analytics import fetch_course_analytics, list_course_days
from stats_service_client.api.course_stats import fetch_course_stats, list_courses
from stats_service_client.api.sessions import (
    fetch_session,
    list_sessions,
    record_session,
    withdraw_session,
)
from stats_service_client.models import (
    CourseAnalytics,
    CoursePage,
    CourseStats,
    DailyAnalytics,
    DailyPage,
    Session,
    SessionInput,
    SessionPage,
)
from stats_service_client.types import UNSET, Response

T = TypeVar("T")


class SigV4(httpx.Auth):
    """Signs each request with SigV4 for API Gateway (execute-api), as IAM stages demand."""

    requires_request_body = True  # the signature covers the body

    def __init__(self, credentials: Credentials, region: str) -> None:
        self._signer = SigV4Auth(credentials, "execute-api", region)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # The body's type and the caller it names are signed too: no proxy can change them.
        headers = {k: v for k, v in request.headers.items() if k in ("content-type", "userid")}
        signed = AWSRequest(request.method, str(request.url), headers, request.content)
        self._signer.add_auth(signed)
        request.headers.update(dict(signed.headers.items()))
        yield request


def iam_client(base_url: str, credentials: Credentials, region: str) -> AuthenticatedClient:
    client = AuthenticatedClient(base_url=base_url, token="")  # signed instead
    return client.set_httpx_client(httpx.Client(base_url=base_url, auth=SigV4(credentials, region)))


def jwt_client(base_url: str, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=token, timeout=httpx.Timeout(10))


def header_client(base_url: str) -> AuthenticatedClient:
    # A header-auth stage (dev) authenticates no one: nothing to sign, no token.
    client = AuthenticatedClient(base_url=base_url, token="")
    return client.set_httpx_client(httpx.Client(base_url=base_url, timeout=10))


def connect(base_url: str, mode: str, environ: dict[str, str]) -> tuple[AuthenticatedClient, ...]:
    """A learner's client and an analytics reader's, for a stage in ``mode``."""
    if mode == "jwt":
        return jwt_client(base_url, environ["TOKEN"]), jwt_client(
            base_url, environ["ANALYST_TOKEN"]
        )
    if mode == "iam":
        region = environ.get("AWS_REGION", "us-east-1")
        learner = Credentials(
            environ["AWS_ACCESS_KEY_ID"],
            environ["AWS_SECRET_ACCESS_KEY"],
            environ.get("AWS_SESSION_TOKEN"),
        )
        analyst = Credentials(
            environ["ANALYST_AWS_ACCESS_KEY_ID"], environ["ANALYST_AWS_SECRET_ACCESS_KEY"]
        )
        return iam_client(base_url, learner, region), iam_client(base_url, analyst, region)
    return header_client(base_url), header_client(base_url)


class Driver:
    """Checks each operation's status and body's type, and notes what it answered."""

    def __init__(self) -> None:
        self.answered: dict[str, list[int]] = {}

    def expect(
        self, operation: str, status: HTTPStatus, response: Response[Any], shape: type[T]
    ) -> T:
        self.answered.setdefault(operation, []).append(int(response.status_code))
        if response.status_code != status or not isinstance(response.parsed, shape):
            raise AssertionError(f"{operation}: {response.status_code} {response.content!r}")
        return response.parsed


def check(holds: bool, what: str) -> None:
    if not holds:
        raise AssertionError(f"unexpected: {what}")


def pages(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> list[T]:
    """Every item, page after page, to the last (whose nextCursor is null)."""
    items, cursor = fetch(None)
    while cursor is not None:
        more, cursor = fetch(cursor)
        items += more
    return items


def drive(
    learner: AuthenticatedClient, analyst: AuthenticatedClient, caller: dict[str, Any]
) -> Driver:
    """Every operation once or more, as ``caller`` (header and IAM stages: ``user_id``, the
    userId header; a JWT stage: nothing, the token names the caller)."""
    driver = Driver()
    course, other_course = f"client-{uuid.uuid4().hex[:12]}", f"client-{uuid.uuid4().hex[:12]}"
    # Both of the course's sessions fall on one past UTC day, so the course's days are one page
    # whenever the driver runs, in the hour after midnight too.
    day = datetime.datetime.now(datetime.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) - datetime.timedelta(days=1)
    first = SessionInput(
        total_modules_studied=3,
        time_studied=42.5,
        average_score=87.5,
        session_id=uuid.uuid4(),
        completed_at=day + datetime.timedelta(hours=10),
    )

    recorded = driver.expect(
        "recordSession",
        HTTPStatus.CREATED,
        record_session.sync_detailed(course, client=learner, body=first, **caller),
        Session,
    )
    replayed = driver.expect(
        "recordSession",
        HTTPStatus.OK,
        record_session.sync_detailed(course, client=learner, body=first, **caller),
        Session,
    )
    check(replayed == recorded, "a replay answers the session as recorded")
    # The body's session id is a UUID, and so is the path's: no str() in between.
    fetched = driver.expect(
        "fetchSession",
        HTTPStatus.OK,
        fetch_session.sync_detailed(course, recorded.session_id, client=learner, **caller),
        Session,
    )
    check(fetched == recorded, "a session reads back as recorded")
    more = SessionInput(
        total_modules_studied=1,
        time_studied=10,
        average_score=50,
        completed_at=day + datetime.timedelta(hours=12),
    )
    for body, where in ((more, course), (more, other_course)):
        driver.expect(
            "recordSession",
            HTTPStatus.CREATED,
            record_session.sync_detailed(where, client=learner, body=body, **caller),
            Session,
        )

    lifetime = driver.expect(
        "fetchCourseStats",
        HTTPStatus.OK,
        fetch_course_stats.sync_detailed(course, client=learner, **caller),
        CourseStats,
    )
    check((lifetime.session_count, lifetime.total_modules_studied) == (2, 4), "lifetime stats")
    window = driver.expect(
        "fetchCourseStats",
        HTTPStatus.OK,
        fetch_course_stats.sync_detailed(
            course, client=learner, until=day + datetime.timedelta(hours=11), **caller
        ),
        CourseStats,
    )
    check(window.session_count == 1, "a window holds the earlier session only")

    def course_page(cursor: str | None) -> tuple[list[CourseStats], str | None]:
        page = driver.expect(
            "listCourses",
            HTTPStatus.OK,
            list_courses.sync_detailed(client=learner, limit=1, cursor=cursor or UNSET, **caller),
            CoursePage,
        )
        return page.courses, page.next_cursor

    courses = pages(course_page)
    check({stats.course_id for stats in courses} == {course, other_course}, "every course")

    def session_page(cursor: str | None) -> tuple[list[Session], str | None]:
        page = driver.expect(
            "listSessions",
            HTTPStatus.OK,
            list_sessions.sync_detailed(
                course, client=learner, limit=1, cursor=cursor or UNSET, **caller
            ),
            SessionPage,
        )
        return page.sessions, page.next_cursor

    sessions = pages(session_page)
    check(len(sessions) == 2 and sessions[-1] == recorded, "every session, newest first")

    withdrawal = withdraw_session.sync_detailed(
        course, recorded.session_id, client=learner, **caller
    )
    driver.answered.setdefault("withdrawSession", []).append(int(withdrawal.status_code))
    check(withdrawal.status_code == HTTPStatus.NO_CONTENT, "a withdrawal answers 204")

    # Analytics follow the table's stream: within seconds of the last write.
    deadline = time.monotonic() + 30
    while True:
        analytics = fetch_course_analytics.sync_detailed(course, client=analyst)
        settled = (
            isinstance(analytics.parsed, CourseAnalytics) and analytics.parsed.session_count == 1
        )
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    totals = driver.expect("fetchCourseAnalytics", HTTPStatus.OK, analytics, CourseAnalytics)
    check((totals.learner_count, totals.session_count) == (1, 1), "the course's analytics")

    def day_page(cursor: str | None) -> tuple[list[DailyAnalytics], str | None]:
        page = driver.expect(
            "listCourseDays",
            HTTPStatus.OK,
            list_course_days.sync_detailed(course, client=analyst, limit=1, cursor=cursor or UNSET),
            DailyPage,
        )
        return page.days, page.next_cursor

    days = pages(day_page)
    check(sum(day.session_count for day in days) == 1, "every day of the course")
    return driver


def main() -> int:
    environ = dict(os.environ)
    mode = environ.get("AUTH", "header")
    learner, analyst = connect(sys.argv[1].rstrip("/"), mode, environ)
    caller = {} if mode == "jwt" else {"user_id": f"client-{uuid.uuid4()}"}
    with learner, analyst:
        driver = drive(learner, analyst, caller)
    print(json.dumps(driver.answered, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
