"""The local run (``make run``) at realistic sizes: POST, GET and DELETE latency through its
HTTP server, and the process's memory, as the embedded table grows to 100,000 sessions.

The server is the local run's own (``local_run.server``: its HTTP server, gateway, the
deployed handlers, moto with the emulator's item-level rollback), started in this process
on a free port. Between checkpoints, sessions are seeded into the same embedded table
through the same in-process moto backend, with BatchWriteItem (``stats_devkit.dataset``:
each user's course gets its sessions and their aggregate), since recording 100,000 sessions
one HTTP POST at a time would take the benchmark's whole budget; the timed requests all go
over HTTP. At each checkpoint, ``REQUESTS`` rounds each POST a new session for a seeded
user's course (201), GET that course's stats (200) and DELETE the session again (204), so
N stays as seeded. It all runs in a fresh process (``python -m bench.local_run_scale``),
so that the memory measured is the local run's alone. Beside it a second fresh process
serves a local run holding ``REFERENCE_SIZE`` sessions throughout, and every timed round
against the growing table is paired with one against it, in alternating order: a slow
moment on the busy machine hits both, and the ratio of the pair says what the size adds.
Each request's wall time is what a client sees; its CPU time (this process's: server and
client both live in it) is the work done, which other load on the machine does not
inflate. Memory is the process's resident set (``VmRSS``) after each checkpoint.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import io
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from threading import Thread
from typing import Any

import boto3

from bench.checks import check
from bench.timing import Timing
from local_run.emulator import REGION, embedded_dynamodb
from local_run.gateway import Gateway
from local_run.server import LocalApi, LocalApiServer
from stats_api.routes import ROUTES
from stats_api.table_access import default_table
from stats_devkit import REPO_ROOT, dataset

SIZES = (100, 1_000, 10_000, 100_000)
COURSES_PER_USER = 5
SESSIONS_PER_COURSE = 20  # so N sessions are N / 20 courses of N / 100 users
REQUESTS = 50  # timed rounds of POST, GET and DELETE per checkpoint
WARMUP = 3
FLAT_LIMIT = 1.5  # the goal: median at the largest N within 1.5x of the smallest
TABLE = "stats-local-bench"
OPERATIONS = ("POST", "GET", "DELETE")
RESULT_MARKER = "LOCAL-RUN-RESULT "
READY_MARKER = "LOCAL-RUN-READY "
REFERENCE_SIZE = SIZES[0]


@dataclass(frozen=True)
class ScalePoint:
    sessions: int
    items: int  # sessions and course aggregates in the table
    latency: dict[str, Timing]  # operation -> wall ms of the timed requests
    cpu: dict[str, Timing]  # operation -> CPU ms of this process per request
    reference: dict[str, Timing]  # the same rounds against the REFERENCE_SIZE run, paired
    rss_bytes: int


@dataclass(frozen=True)
class ScaleRun:
    points: list[ScalePoint]
    baseline_rss_bytes: int  # the process with the server up and an empty table
    seed_seconds: float

    def ratio(self, operation: str, *, cpu: bool = False) -> float:
        """Median latency (or CPU time) at the largest N over the median at the smallest."""
        first, last = (
            (point.cpu if cpu else point.latency)[operation].median
            for point in (self.points[0], self.points[-1])
        )
        return last / first

    def paired(self, operation: str, point: ScalePoint | None = None) -> Timing:
        """Round by round, the growing run's wall time over the reference run's."""
        point = point or self.points[-1]
        pairs = zip(
            point.latency[operation].samples_ms,
            point.reference[operation].samples_ms,
            strict=True,
        )
        return Timing(tuple(mine / theirs for mine, theirs in pairs))

    def size_effect(self, operation: str) -> float:
        """What the size adds, with the machine's drift paired out: the median paired ratio
        at the largest N over the one at the smallest (where both runs hold as many
        sessions, so it is the two setups' own difference)."""
        return self.paired(operation).median / self.paired(operation, self.points[0]).median

    def bytes_per_session(self, point: ScalePoint) -> float:
        return (point.rss_bytes - self.baseline_rss_bytes) / point.sessions


def run(progress: Callable[[str], None], sizes: tuple[int, ...] = SIZES) -> ScaleRun:
    """Measure in a fresh process; its progress lines pass through to stderr."""
    progress("local run: in a fresh process")
    completed = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bench.local_run_scale", *map(str, sizes)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    check(completed.returncode == 0 and len(lines) == 1, "the local run benchmark failed")
    return _decode(json.loads(lines[0].removeprefix(RESULT_MARKER)))


def _encode(run: ScaleRun) -> dict[str, Any]:
    return {
        "baseline_rss_bytes": run.baseline_rss_bytes,
        "seed_seconds": run.seed_seconds,
        "points": [
            {
                "sessions": point.sessions,
                "items": point.items,
                "rss_bytes": point.rss_bytes,
                "latency": {op: t.samples_ms for op, t in point.latency.items()},
                "cpu": {op: t.samples_ms for op, t in point.cpu.items()},
                "reference": {op: t.samples_ms for op, t in point.reference.items()},
            }
            for point in run.points
        ],
    }


def _decode(document: dict[str, Any]) -> ScaleRun:
    points = [
        ScalePoint(
            sessions=point["sessions"],
            items=point["items"],
            latency={op: Timing(tuple(ms)) for op, ms in point["latency"].items()},
            cpu={op: Timing(tuple(ms)) for op, ms in point["cpu"].items()},
            reference={op: Timing(tuple(ms)) for op, ms in point["reference"].items()},
            rss_bytes=point["rss_bytes"],
        )
        for point in document["points"]
    ]
    return ScaleRun(points, document["baseline_rss_bytes"], document["seed_seconds"])


def _run_here(progress: Callable[[str], None], sizes: tuple[int, ...]) -> ScaleRun:
    default_table.cache_clear()  # the handlers' table client, for this table and this moto
    with _reference_run() as reference_port, embedded_dynamodb(TABLE), _serving() as port:
        client = boto3.client("dynamodb", region_name=REGION)
        rng = random.Random(2026)  # noqa: S311 - reproducible request mix, not secrets
        courses: list[tuple[str, str]] = []  # (user, course) seeded so far
        gc.collect()
        baseline = _rss_bytes()
        points: list[ScalePoint] = []
        seeding = 0.0
        for size in sizes:
            progress(f"local run: seeding up to {size:,} sessions")
            started = time.perf_counter()
            while len(courses) * SESSIONS_PER_COURSE < size:
                user, course = _course(len(courses))
                sessions = dataset.make_sessions(SESSIONS_PER_COURSE, course, seed=len(courses))
                dataset.seed(client, TABLE, user, sessions)
                courses.append((user, course))
            seeding += time.perf_counter() - started
            check(
                client.describe_table(TableName=TABLE)["Table"]["ItemCount"]
                == len(courses) * (SESSIONS_PER_COURSE + 1),
                "the table does not hold what was seeded",
            )
            progress(f"local run: timing requests at {size:,} sessions")
            # The server logs each request to stderr, as make run does: not into the progress.
            with contextlib.redirect_stderr(io.StringIO()):
                latency, cpu, reference = _time_requests(port, reference_port, courses, rng)
            gc.collect()
            points.append(
                ScalePoint(
                    sessions=len(courses) * SESSIONS_PER_COURSE,
                    items=len(courses) * (SESSIONS_PER_COURSE + 1),
                    latency=latency,
                    cpu=cpu,
                    reference=reference,
                    rss_bytes=_rss_bytes(),
                )
            )
        return ScaleRun(points, baseline, seeding)


def _course(number: int) -> tuple[str, str]:
    """The (user, course) of the n-th course seeded: users have COURSES_PER_USER courses."""
    return f"learner-{number // COURSES_PER_USER:06}", f"course-{number % COURSES_PER_USER}"


@contextmanager
def _reference_run() -> Iterator[int]:
    """The reference: a local run holding REFERENCE_SIZE sessions, in a process of its own."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.local_run_scale", "--reference"],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its request log
        text=True,
    )
    try:
        assert process.stdout is not None  # noqa: S101 - piped above
        line = process.stdout.readline()
        check(line.startswith(READY_MARKER), f"the reference run did not start: {line!r}")
        yield int(line.removeprefix(READY_MARKER))
    finally:
        if process.stdin is not None:
            process.stdin.close()  # it stops when its stdin closes
        process.wait(timeout=60)


def _serve_reference() -> None:
    with embedded_dynamodb(TABLE), _serving() as port:
        client = boto3.client("dynamodb", region_name=REGION)
        for number in range(REFERENCE_SIZE // SESSIONS_PER_COURSE):
            user, course = _course(number)
            sessions = dataset.make_sessions(SESSIONS_PER_COURSE, course, seed=number)
            dataset.seed(client, TABLE, user, sessions)
        print(READY_MARKER + str(port), flush=True)
        sys.stdin.read()  # until the measuring process closes it


@contextmanager
def _serving() -> Iterator[int]:
    """The local run's server on a free port, serving every route (header auth)."""
    server = LocalApiServer(("127.0.0.1", 0), LocalApi(Gateway.for_routes(ROUTES), {}))
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _time_requests(
    port: int, reference_port: int, courses: list[tuple[str, str]], rng: random.Random
) -> tuple[dict[str, Timing], dict[str, Timing], dict[str, Timing]]:
    """Rounds against the growing run, each paired with one against the reference run (in
    alternating order): wall and CPU times of the first, wall times of the second."""
    timings: dict[str, list[float]] = {operation: [] for operation in OPERATIONS}
    cpu: dict[str, list[float]] = {operation: [] for operation in OPERATIONS}
    reference: dict[str, list[float]] = {operation: [] for operation in OPERATIONS}
    reference_courses = [_course(n) for n in range(REFERENCE_SIZE // SESSIONS_PER_COURSE)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    reference_connection = http.client.HTTPConnection("127.0.0.1", reference_port, timeout=60)
    try:
        for round_number in range(WARMUP + REQUESTS):
            mine = partial(_round, connection, rng.choice(courses))
            theirs = partial(_round, reference_connection, rng.choice(reference_courses))
            if round_number % 2:
                measured, reference_measured = mine(), theirs()
            else:
                reference_measured, measured = theirs(), mine()
            if round_number >= WARMUP:
                for operation, answer in measured.items():
                    timings[operation].append(answer.wall_ms)
                    cpu[operation].append(answer.cpu_ms)
                    reference[operation].append(reference_measured[operation].wall_ms)
    finally:
        connection.close()
        reference_connection.close()
    return (
        {operation: Timing(tuple(ms)) for operation, ms in timings.items()},
        {operation: Timing(tuple(ms)) for operation, ms in cpu.items()},
        {operation: Timing(tuple(ms)) for operation, ms in reference.items()},
    )


def _round(connection: http.client.HTTPConnection, course: tuple[str, str]) -> dict[str, _Answer]:
    """POST a session to a user's course, GET the course's stats, DELETE the session."""
    user, course_id = course
    body = {"totalModulesStudied": 2, "timeStudied": 30.25, "averageScore": 71.5}
    post = _request(connection, "POST", f"/courses/{course_id}", user, body, 201)
    session_path = f"/courses/{course_id}/sessions/{post.body['sessionId']}"
    return {
        "POST": post,
        "GET": _request(connection, "GET", f"/courses/{course_id}", user, None, 200),
        "DELETE": _request(connection, "DELETE", session_path, user, None, 204),
    }


@dataclass(frozen=True)
class _Answer:
    wall_ms: float  # request sent to last byte read
    cpu_ms: float  # this process's CPU time meanwhile: the server's work and the client's
    body: dict[str, Any]


def _request(  # noqa: PLR0917 - one request's parts, in HTTP's order
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    user: str,
    body: dict[str, Any] | None,
    expected: int,
) -> _Answer:
    """One request over HTTP, timed."""
    headers = {"userId": user, "content-type": "application/json"}
    payload = None if body is None else json.dumps(body)
    start, start_cpu = time.perf_counter(), time.process_time()
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    check(response.status == expected, f"{method} {path} answered {response.status}: {data!r}")
    return _Answer(wall * 1000, cpu * 1000, json.loads(data) if data else {})


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--reference"]:
        _serve_reference()
    else:
        measured = _run_here(_progress, tuple(int(size) for size in sys.argv[1:]) or SIZES)
        print(RESULT_MARKER + json.dumps(_encode(measured)), flush=True)
