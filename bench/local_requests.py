"""The requests ``make bench`` times against the local run, over HTTP as a client sends them.

One round is a learner's visit: POST a session to a seeded course, read the course's stats,
the learner's courses, a page of the course's sessions, the course's analytics and its days,
then DELETE the session again, so the table holds as much after the round as before. Each
answer must have the status the route promises, or the run stops.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.checks import check

PAGE = 20  # sessions or courses per page, as a client would ask
# What a round does, in order: (name, method, path, status); {course} and {session} filled
# per round. Named by what they read, as the report shows them.
OPERATIONS: tuple[tuple[str, str, str, int], ...] = (
    ("POST", "POST", "/courses/{course}", 201),
    ("GET course stats", "GET", "/courses/{course}", 200),
    ("GET /courses", "GET", f"/courses?limit={PAGE}", 200),
    ("sessions page", "GET", f"/courses/{{course}}/sessions?limit={PAGE}", 200),
    ("analytics", "GET", "/analytics/courses/{course}", 200),
    ("/daily", "GET", "/analytics/courses/{course}/daily", 200),
    ("DELETE", "DELETE", "/courses/{course}/sessions/{session}", 204),
)
NAMES = tuple(name for name, *_ in OPERATIONS)
BODY = {"totalModulesStudied": 2, "timeStudied": 30.25, "averageScore": 71.5}


@dataclass(frozen=True)
class Answer:
    wall_ms: float  # request sent to last byte read
    cpu_ms: float  # this process's CPU time meanwhile: the server's work and the client's
    body: Any


class Client:
    """A keep-alive HTTP client of one local run."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def close(self) -> None:
        self._connection.close()

    def round(self, user: str, course: str) -> dict[str, Answer]:
        """One visit (module docstring): each operation's answer, by name."""
        answers: dict[str, Answer] = {}
        session = ""
        for name, method, template, status in OPERATIONS:
            path = template.format(course=course, session=session)
            answers[name] = self.request(method, path, user, status)
            if name == "POST":
                session = answers[name].body["sessionId"]
        return answers

    def post_and_delete(self, user: str, course: str) -> None:
        posted = self.request("POST", f"/courses/{course}", user, 201)
        self.request("DELETE", f"/courses/{course}/sessions/{posted.body['sessionId']}", user, 204)

    def wait_for(self, path: str, ready: Callable[[Any], bool], timeout_s: float = 600.0) -> float:
        """Poll ``path`` until its answer is ``ready``; how many seconds that took."""
        start = time.perf_counter()
        while True:
            answer = self.request("GET", path, "bench", None)
            if ready(answer.body):
                return time.perf_counter() - start
            check(time.perf_counter() - start < timeout_s, f"{path} not ready in {timeout_s} s")
            time.sleep(0.1)

    def request(self, method: str, path: str, user: str, expected: int | None) -> Answer:
        """One request, timed; ``expected`` None takes any status."""
        headers = {"userId": user, "content-type": "application/json"}
        payload = json.dumps(BODY) if method == "POST" else None
        start, start_cpu = time.perf_counter(), time.process_time()
        self._connection.request(method, path, body=payload, headers=headers)
        response = self._connection.getresponse()
        data = response.read()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        check(
            expected is None or response.status == expected,
            f"{method} {path} answered {response.status}: {data!r}",
        )
        return Answer(wall * 1000, cpu * 1000, json.loads(data) if data else {})
