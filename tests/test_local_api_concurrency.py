"""moto is not safe under concurrent calls; the local run serializes them. Proof: 24
simultaneous POSTs over HTTP all succeed and the course stats come out exact."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from local_api import LocalApiProcess, Reply, request

CLIENTS = 24


def test_should_record_24_concurrent_posts_and_keep_the_course_stats_exact(
    local_api: LocalApiProcess,
) -> None:
    user, url = f"user-{uuid.uuid4()}", f"{local_api.url}/courses/concurrency"
    start = threading.Barrier(CLIENTS)

    def post(n: int) -> Reply:
        # Fractions binary floats cannot hold: any lost or doubled update shows in the sums.
        body = {"totalModulesStudied": n, "timeStudied": 0.1, "averageScore": n / 10}
        start.wait()
        return request("POST", url, user=user, body=body)

    with ThreadPoolExecutor(CLIENTS) as pool:
        replies = list(pool.map(post, range(1, CLIENTS + 1)))

    assert [reply.status for reply in replies] == [201] * CLIENTS
    assert len({reply.body["sessionId"] for reply in replies}) == CLIENTS
    stats = request("GET", url, user=user)
    assert stats.status == 200
    assert stats.exact_body == {
        "courseId": "concurrency",
        "totalModulesStudied": 300,  # 1 + 2 + ... + 24
        "timeStudied": Decimal("2.4"),  # 24 x 0.1, exactly
        "averageScore": Decimal("1.25"),  # (0.1 + 0.2 + ... + 2.4) / 24
        "sessionCount": CLIENTS,
    }
    for reply in replies:
        session_url = f"{url}/sessions/{reply.body['sessionId']}"
        assert request("GET", session_url, user=user).body == reply.body
