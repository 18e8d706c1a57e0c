"""Concurrent POSTs all land and the course stats stay exact, in every auth mode. (The local
run serializes invocations because moto is not concurrency safe; a deployed stage runs
them in parallel, where the transaction keeps each session and its aggregate together.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.support.api_client import Api, Caller
from tests.support.local_process import Reply

CLIENTS = 24


def test_should_record_24_concurrent_posts_and_keep_the_course_stats_exact(
    api: Api, caller: Caller, course: str
) -> None:
    start = threading.Barrier(CLIENTS)

    def post(n: int) -> Reply:
        # Fractions binary floats cannot hold: any lost or doubled update shows in the sums.
        body = {"totalModulesStudied": n, "timeStudied": 0.1, "averageScore": n / 10}
        start.wait()
        return api.session(caller, course, body)

    with ThreadPoolExecutor(CLIENTS) as pool:
        replies = list(pool.map(post, range(1, CLIENTS + 1)))

    assert [reply.status for reply in replies] == [201] * CLIENTS
    assert len({reply.body["sessionId"] for reply in replies}) == CLIENTS
    stats = api.call("GET", f"/courses/{course}", caller)
    assert stats.status == 200
    assert stats.exact_body == {
        "courseId": course,
        "totalModulesStudied": 300,  # 1 + 2 + ... + 24
        "timeStudied": Decimal("2.4"),  # 24 x 0.1, exactly
        "averageScore": Decimal("1.25"),  # (0.1 + 0.2 + ... + 2.4) / 24
        "sessionCount": CLIENTS,
    }
    for reply in replies:
        session = api.call("GET", f"/courses/{course}/sessions/{reply.body['sessionId']}", caller)
        assert session.body == reply.body
