"""The local run (``make run``) at realistic sizes: what each route costs over HTTP, what the
process holds in memory, and how fast the stream pump keeps the analytics up, as the
embedded table grows.

The local run is the one ``make run`` serves (``local_run.start.embedded_api``: its HTTP
server, gateway, the deployed handlers, moto as ``local_run.emulator`` adapts it, the
stream pumped to the aggregator), started in a fresh process on a free port, so that the
memory measured is its alone. Between checkpoints, sessions and their analytics are
seeded into the same embedded tables (``bench.local_data``), holding the gateway's lock as
an invocation does: recording 20,000 sessions one HTTP POST at a time would take the
benchmark's whole budget. The timed requests all go over HTTP (``bench.local_requests``: a
learner's visit, POST to DELETE). The stream pump's throughput is timed on fresh sessions,
written at once, until the analytics count them all.

Beside it a second fresh process serves a local run holding ``REFERENCE_SIZE`` sessions
throughout, and every timed round is paired with one against it, in alternating order: a
slow moment on the busy machine hits both, and the ratio of the pair says what the size
adds. Memory is the process's resident set (``VmRSS``) after each checkpoint; last, a loop
of POST and DELETE (the data it leaves is what it found) measures what the process keeps
of requests whose data is gone.
"""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.checks import Goal, check
from bench.local_data import COURSES_PER_USER, SESSIONS_PER_COURSE, LocalData, pair, sessions_in
from bench.local_requests import NAMES, Client
from bench.timing import Timing
from stats_devkit import REPO_ROOT

SIZES = (100, 1_000, 20_000)
PUMP_BURST = 1_000  # fresh sessions the stream delivers at once, for the pump's throughput
REQUESTS = 80  # timed rounds per checkpoint: the paired ratios of the first and last vary less
WARMUP = 3
LOOP_WARMUP = 500  # POST + DELETE rounds before the loop's memory is read
LOOP_ROUNDS = 1_000
FLAT_LIMIT = 1.5  # the goal: each request at the largest N within 1.5x the smallest
# The loop's goal, in the interpreter's allocated memory blocks (``sys.getallocatedblocks``):
# the resident set moves in steps of whole arenas (256 KB), too coarse for a bound per
# round, while one item kept a round (moto's items, their copies, stream records, shard
# iterators, as before the emulator's adaptations) would add dozens of blocks a round.
LOOP_BLOCKS_LIMIT = 1  # allocated blocks kept per POST + DELETE round
REFERENCE_SIZE = SIZES[0]
RESULT_MARKER = "LOCAL-RUN-RESULT "


@dataclass(frozen=True)
class ScalePoint:
    sessions: int
    items: int  # sessions and course aggregates in the sessions table
    latency: dict[str, Timing]  # operation -> wall ms of the timed requests
    cpu: dict[str, Timing]  # operation -> CPU ms of this process per request
    reference: dict[str, Timing]  # the same rounds against the REFERENCE_SIZE run, paired
    rss_bytes: int


@dataclass(frozen=True)
class ScaleRun:
    points: list[ScalePoint]
    baseline_rss_bytes: int  # the process with the server up and an empty table
    seed_seconds: float
    pump_records_per_s: float  # PUMP_BURST fresh records delivered to the aggregator, per s
    loop_growth_bytes: int  # resident growth over LOOP_ROUNDS rounds of POST + DELETE
    loop_growth_blocks: int  # allocated blocks' growth over the same rounds

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
        """Memory per session from the smallest N to ``point``: what each one more held."""
        first = self.points[0]
        return (point.rss_bytes - first.rss_bytes) / (point.sessions - first.sessions)

    @property
    def loop_growth_per_round(self) -> float:
        return self.loop_growth_bytes / LOOP_ROUNDS

    @property
    def loop_blocks_per_round(self) -> float:
        return self.loop_growth_blocks / LOOP_ROUNDS

    def goals(self) -> list[Goal]:
        largest, smallest = self.points[-1].sessions, self.points[0].sessions
        flat = [
            Goal(
                f"local run: {name} at {largest:,} sessions within {FLAT_LIMIT}x of {smallest:,}",
                f"{self.size_effect(name):.2f}x",
                self.size_effect(name) <= FLAT_LIMIT,
            )
            for name in NAMES
        ]
        loop = Goal(
            f"local run: a POST + DELETE loop keeps at most {LOOP_BLOCKS_LIMIT} allocated "
            "block a round",
            f"{self.loop_blocks_per_round:,.2f} blocks",
            self.loop_blocks_per_round <= LOOP_BLOCKS_LIMIT,
        )
        return [*flat, loop]


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
        "pump_records_per_s": run.pump_records_per_s,
        "loop_growth_bytes": run.loop_growth_bytes,
        "loop_growth_blocks": run.loop_growth_blocks,
        "points": [
            {
                **vars(point),
                **{
                    kind: {op: t.samples_ms for op, t in getattr(point, kind).items()}
                    for kind in ("latency", "cpu", "reference")
                },
            }
            for point in run.points
        ],
    }


def _decode(document: dict[str, Any]) -> ScaleRun:
    points = [
        ScalePoint(
            **{
                **point,
                **{
                    kind: {op: Timing(tuple(ms)) for op, ms in point[kind].items()}
                    for kind in ("latency", "cpu", "reference")
                },
            }
        )
        for point in document.pop("points")
    ]
    return ScaleRun(points, **document)


def _run_here(progress: Callable[[str], None], sizes: tuple[int, ...]) -> ScaleRun:
    with _reference_run() as reference_port, _local_run() as (port, data):
        client, reference = Client(port), Client(reference_port)
        rng = random.Random(2026)  # noqa: S311 - reproducible request mix, not secrets
        seeded = 0  # (learner, course) pairs
        gc.collect()
        baseline = _rss_bytes()
        points: list[ScalePoint] = []
        seeding = 0.0
        for size in sizes:
            progress(f"local run: seeding up to {size:,} sessions")
            started = time.perf_counter()
            data.seed(seeded, size // SESSIONS_PER_COURSE - seeded)
            seeded = size // SESSIONS_PER_COURSE
            seeding += time.perf_counter() - started
            _check_counted(client, seeded)
            progress(f"local run: timing requests at {size:,} sessions")
            latency, cpu, paired = _time_rounds(client, reference, seeded, rng)
            gc.collect()
            points.append(
                ScalePoint(
                    sessions=seeded * SESSIONS_PER_COURSE,
                    items=seeded * (SESSIONS_PER_COURSE + 1),
                    latency=latency,
                    cpu=cpu,
                    reference=paired,
                    rss_bytes=_rss_bytes(),
                )
            )
        progress(f"local run: the stream pump, {PUMP_BURST:,} fresh sessions")
        burst = PUMP_BURST // SESSIONS_PER_COURSE
        started = time.perf_counter()
        data.add(seeded, burst)
        seeded += burst
        _check_counted(client, seeded)
        pump_rate = PUMP_BURST / (time.perf_counter() - started)
        progress(f"local run: {LOOP_ROUNDS:,} rounds of POST + DELETE")
        growth, blocks = _loop_growth(client, seeded)
        client.close()
        reference.close()
        return ScaleRun(points, baseline, seeding, pump_rate, growth, blocks)


def _check_counted(client: Client, pairs: int) -> None:
    """Wait until every course's analytics count every session of the first ``pairs``."""
    for course in range(COURSES_PER_USER):
        _wait_for_count(client, f"course-{course}", sessions_in(course, pairs))


def _wait_for_count(client: Client, course: str, sessions: int) -> None:
    """Until the course's analytics count ``sessions``: the pump delivered every record."""
    client.wait_for(
        f"/analytics/courses/{course}", lambda body: body.get("sessionCount") == sessions
    )


def _time_rounds(
    client: Client, reference: Client, pairs: int, rng: random.Random
) -> tuple[dict[str, Timing], dict[str, Timing], dict[str, Timing]]:
    """Rounds against the growing run, each paired with one against the reference run (in
    alternating order): wall and CPU times of the first, wall times of the second."""
    wall: dict[str, list[float]] = {name: [] for name in NAMES}
    cpu: dict[str, list[float]] = {name: [] for name in NAMES}
    paired: dict[str, list[float]] = {name: [] for name in NAMES}
    reference_pairs = REFERENCE_SIZE // SESSIONS_PER_COURSE
    for round_number in range(WARMUP + REQUESTS):
        mine = pair(rng.randrange(pairs))
        theirs = pair(rng.randrange(reference_pairs))
        if round_number % 2:
            measured, reference_measured = client.round(*mine), reference.round(*theirs)
        else:
            reference_measured, measured = reference.round(*theirs), client.round(*mine)
        if round_number < WARMUP:
            continue
        for name, answer in measured.items():
            wall[name].append(answer.wall_ms)
            cpu[name].append(answer.cpu_ms)
            paired[name].append(reference_measured[name].wall_ms)
    return tuple(  # type: ignore[return-value]
        {name: Timing(tuple(ms)) for name, ms in kind.items()} for kind in (wall, cpu, paired)
    )


def _loop_growth(client: Client, pairs: int) -> tuple[int, int]:
    """Growth of the resident set and of the allocated blocks over LOOP_ROUNDS rounds of
    POST + DELETE of one course's session, once the pump delivered them all (after
    LOOP_WARMUP rounds that let the allocator's pools and the caches settle)."""
    user, course = pair(0)
    settled: list[tuple[int, int]] = []
    for rounds in (LOOP_WARMUP, LOOP_ROUNDS):
        for _ in range(rounds):
            client.post_and_delete(user, course)
        _wait_for_count(client, course, sessions_in(0, pairs))
        time.sleep(1)  # the pump's last, empty reads
        gc.collect()
        settled.append((_rss_bytes(), sys.getallocatedblocks()))
    (rss_before, blocks_before), (rss_after, blocks_after) = settled
    return rss_after - rss_before, blocks_after - blocks_before


@contextmanager
def _local_run() -> Iterator[tuple[int, LocalData]]:
    """The local run as ``make run`` serves it (header auth), on a free port; and what seeds
    its tables."""
    # moto and the handlers come with the local run: imported in its process only.
    import boto3  # noqa: PLC0415

    from local_run import emulator  # noqa: PLC0415
    from local_run.auth_modes import AuthSettings  # noqa: PLC0415
    from local_run.server import LocalApiServer  # noqa: PLC0415
    from local_run.start import embedded_api  # noqa: PLC0415

    with (
        LocalApiServer(("127.0.0.1", 0)) as server,
        embedded_api(server, AuthSettings.from_environment({})) as local,
    ):
        region = emulator.REGION
        data = LocalData(
            boto3.client("dynamodb", region_name=region),
            # The stream's regional endpoint, which moto serves (local_run.stream).
            boto3.client(
                "dynamodbstreams",
                region_name=region,
                endpoint_url=f"https://streams.dynamodb.{region}.amazonaws.com",
            ),
            (emulator.TABLE_NAME, emulator.ANALYTICS_TABLE_NAME),
            local.gateway.lock,
            lambda: emulator.forget_shard_iterators(region),
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1], data
        finally:
            server.shutdown()


@contextmanager
def _reference_run() -> Iterator[int]:
    """The reference: a local run holding REFERENCE_SIZE sessions, in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="stats-bench-") as scratch:
        ready = Path(scratch) / "port"
        process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "bench.local_run_scale", "--reference", str(ready)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not ready.exists():
                check(process.poll() is None, "the reference run did not start")
                time.sleep(0.2)
            yield int(ready.read_text())
        finally:
            if process.stdin is not None:
                process.stdin.close()  # it stops when its stdin closes
            process.wait(timeout=60)


def _serve_reference(ready: Path) -> None:
    with _local_run() as (port, data):
        data.seed(0, REFERENCE_SIZE // SESSIONS_PER_COURSE)
        partial = ready.with_suffix(".partial")
        partial.write_text(str(port))
        partial.rename(ready)  # whole, or not there
        sys.stdin.read()  # until the measuring process closes it


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _quiet() -> tuple[IO[str], IO[str]]:
    """This process's own output and progress channels; what the local run writes (the
    functions' logs and metrics, the server's request log), as ``make run`` writes it to a
    terminal, goes to /dev/null here instead of into them."""
    results = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    progress = os.fdopen(os.dup(sys.stderr.fileno()), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
        os.dup2(devnull, stream.fileno())
    return results, progress


def main(arguments: list[str]) -> None:
    results, progress_stream = _quiet()
    if arguments[:1] == ["--reference"]:
        _serve_reference(Path(arguments[1]))
        return

    def progress(message: str) -> None:
        print(f"bench: {message}", file=progress_stream, flush=True)

    measured = _run_here(progress, tuple(int(size) for size in arguments) or SIZES)
    print(RESULT_MARKER + json.dumps(_encode(measured)), file=results, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
