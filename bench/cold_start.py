"""Cold starts: fresh Python processes that import a handler and serve its first request.

moto's server runs in this process, on 127.0.0.1 and a free port; every child reaches it
through ``AWS_ENDPOINT_URL_DYNAMODB``, one at a time (moto is not concurrency safe). Each
child imports the handler from the Lambda asset unpacked into a temporary directory, whose
``__pycache__`` is deleted before every run: the deployed asset ships no bytecode, so Lambda
compiles the service's modules on each cold start (boto3's and Powertools' bytecode, in the
runtime and the layer, is precompiled, as it is in the virtualenv here).

Targets: the issue's floor (a fresh process that imports boto3 and creates a DynamoDB
client with the store's settings); ``floor+getitem`` (one GetItem more, the least any
handler does); ``floor+freeze`` (the floor with ``gc.freeze()`` first, as the functions
do: how much of their gain is the collector alone); the peer, ``GET /courses/{courseId}``
written cookbook-style (``bench/peer_handler.py``: resolver with validation, pydantic,
Tracer); and all six functions, each answering its route's first request (the DELETE a
session seeded for that run). The budget is CPU time (user + system of the child, from the
kernel's accounting), which other work on the machine disturbs less than wall time. Targets
run round-robin, so a noisy moment hits all of them alike; ratios pair each run with the
floor's run of the same round. Metrics stay enabled, as deployed. Children run with ``-S``:
the virtualenv's .pth hooks are not part of any Lambda runtime. A few last runs of each
target under ``python -X importtime`` attribute its import time to packages, and a warm
client in this process times the two kinds of request, to show how much of a first request
is moto's.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from moto.server import ThreadedMotoServer

from bench import import_profile
from bench.checks import check
from bench.cold_child import FLOORS, RESULT_MARKER
from bench.timing import Timing, elapsed_ms
from local_run.events import api_event
from stats_api.learner_store import LearnerStore
from stats_api.routes import (
    FETCH_COURSE_STATS,
    RECORD_SESSION,
    ROUTES,
    WITHDRAW_SESSION,
    Route,
)
from stats_api.shared_names import HISTORY_ENV, TABLE_NAME_ENV
from stats_api.table_access import TableAccess
from stats_devkit import dataset
from stats_devkit.tables import create_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CHILD = Path(__file__).with_name("cold_child.py")
PEER_SOURCE = Path(__file__).with_name("peer_handler.py")
PEER = "peer_handler.handler"
TABLE = "stats-bench-cold"
USER = "bench-user"
COURSE = "algebra-1"
REGION = "us-east-1"
WARMUP_ROUNDS = 2
ROUNDS = 20
IMPORT_PROFILE_RUNS = 5
WARM_REQUESTS = 10
BUDGET = 1.2  # the goal: each function within 1.2x the floor (CPU time)
MEASURES = ("cpu", "wall", "inside")


@dataclass(frozen=True)
class ColdStart:
    target: str
    # Samples in round order, so that rounds can be paired across targets.
    cpu: Timing  # user + system CPU time of the child process, from the kernel
    wall: Timing  # spawn to exit, measured by this process
    inside: Timing  # import + first request, measured by the child
    imports: Timing  # the import alone, measured by the child
    import_groups: dict[str, float]  # ms of import time per group, from -X importtime

    def measure(self, name: str) -> Timing:
        timing: Timing = getattr(self, name)
        return timing


@dataclass(frozen=True)
class ColdStartRun:
    results: list[ColdStart]
    warm_request_ms: dict[str, float]  # operation -> median ms against the same moto server

    def get(self, target: str) -> ColdStart:
        return next(r for r in self.results if r.target == target)

    @property
    def handlers(self) -> list[ColdStart]:
        """The service's six functions, in the route table's order."""
        return [r for r in self.results if r.target not in (*FLOORS, PEER)]

    @property
    def references(self) -> list[ColdStart]:
        return [r for r in self.results if r.target in (*FLOORS, PEER)]

    def paired(self, target: str, reference: str = "floor", measure: str = "cpu") -> Timing:
        """The target's time over the reference's, round by round: a slow moment on a busy
        machine hits both runs of a round alike."""
        mine = self.get(target).measure(measure).samples_ms
        theirs = self.get(reference).measure(measure).samples_ms
        return Timing(tuple(a / b for a, b in zip(mine, theirs, strict=True)))

    def ratio(self, target: str, reference: str = "floor", measure: str = "cpu") -> float:
        """The median of the paired ratios."""
        return self.paired(target, reference, measure).median


def run(asset_zip: bytes, progress: Callable[[str], None]) -> ColdStartRun:
    # Its request log would bury the progress lines; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        with tempfile.TemporaryDirectory(prefix="stats-bench-") as scratch:
            workdir = Path(scratch)
            asset_dir, peer_dir = workdir / "asset", workdir / "peer"
            with zipfile.ZipFile(io.BytesIO(asset_zip)) as archive:
                archive.extractall(asset_dir)
            peer_dir.mkdir()
            shutil.copy(PEER_SOURCE, peer_dir / PEER_SOURCE.name)
            env = _child_environment(f"http://{host}:{port}", [asset_dir, peer_dir], workdir)
            client = boto3.client(
                "dynamodb",
                endpoint_url=env["AWS_ENDPOINT_URL_DYNAMODB"],
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
            )
            documents = _documents(client)
            results = _measure(documents, env, workdir, asset_dir, progress)
            return ColdStartRun(results, _warm_requests(client))
    finally:
        server.stop()


def _child_environment(endpoint: str, code_dirs: list[Path], workdir: Path) -> dict[str, str]:
    # A clean environment: nothing from the developer's shell (profiles, real credentials)
    # reaches the children, and no AWS config file is read.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        # The code first, then the installed packages, as Lambda puts /var/task first.
        "PYTHONPATH": os.pathsep.join([*map(str, code_dirs), *_site_packages()]),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        TABLE_NAME_ENV: TABLE,
        HISTORY_ENV: "on",  # as deployed with the history routes
    }


def _site_packages() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


Document = Callable[[], dict[str, Any]]


def _documents(client: DynamoDBClient) -> dict[str, Document]:
    """Create and seed the table on the server; for each target, what makes its stdin
    document for one run."""
    create_table(client, TABLE)
    course = dataset.seed(client, TABLE, USER, dataset.make_sessions(3, COURSE, seed=7))
    store = LearnerStore(TableAccess(client, TABLE))
    extra_sessions = iter(dataset.make_sessions(1_000, COURSE, seed=8))

    def event(route: Route, session_id: str = "") -> dict[str, Any]:
        body = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}
        parameters = {"courseId": COURSE, "sessionId": session_id}
        return api_event(
            route,
            {name: parameters[name] for name in route.path_parameters},
            headers={"userId": USER, "content-type": "application/json"},
            body=json.dumps(body) if route is RECORD_SESSION else None,
        )

    def withdrawal() -> dict[str, Any]:
        session = next(extra_sessions)  # a session of its own for each run to withdraw
        store.add_session(USER, session)
        return event(WITHDRAW_SESSION, session.session_id)

    first = course.sessions[0].session_id
    documents: dict[str, Document] = {
        "floor": dict,
        "floor+getitem": lambda: {"key": _aggregate_key(course)},
        "floor+freeze": dict,
        PEER: partial(event, FETCH_COURSE_STATS),
    }
    for route in ROUTES:
        documents[route.handler] = (
            withdrawal if route is WITHDRAW_SESSION else partial(event, route, first)
        )
    return documents


def _aggregate_key(course: dataset.SeededCourse) -> dict[str, Any]:
    aggregate = course.items[-1]
    return {name: aggregate[name] for name in ("userId", "sessionId")}


def _warm_requests(client: DynamoDBClient) -> dict[str, float]:
    """Median ms of the handlers' two kinds of request against the same server, from a warm
    client in this process: how much of a first request is moto's own time."""
    store = LearnerStore(TableAccess(client, TABLE))
    timings: dict[str, list[float]] = {"GetItem": [], "TransactWriteItems": []}
    for session in dataset.make_sessions(WARM_REQUESTS, COURSE, seed=11):
        timings["GetItem"].append(elapsed_ms(partial(store.fetch_course_stats, USER, COURSE)))
        timings["TransactWriteItems"].append(elapsed_ms(partial(store.add_session, USER, session)))
    return {operation: statistics.median(ms) for operation, ms in timings.items()}


def _measure(
    documents: dict[str, Document],
    env: dict[str, str],
    workdir: Path,
    asset_dir: Path,
    progress: Callable[[str], None],
) -> list[ColdStart]:
    targets = list(documents)
    samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for round_number in range(WARMUP_ROUNDS + ROUNDS):
        progress(f"cold start round {round_number + 1}/{WARMUP_ROUNDS + ROUNDS}")
        # Rotate the order each round so that no target always runs first or last.
        shift = round_number % len(targets)
        for target in targets[shift:] + targets[:shift]:
            result = _spawn(target, documents[target](), env, workdir, asset_dir)
            if round_number < WARMUP_ROUNDS:
                continue  # compiles the virtualenv's bytecode, fills the page cache
            for measure in ("cpu", "wall", "inside", "import"):
                samples[target][measure].append(result[f"{measure}_ms"])
    progress("import profiles")
    profiles = _import_groups(documents, env, workdir, asset_dir)
    return [
        ColdStart(
            target,
            cpu=Timing(tuple(samples[target]["cpu"])),
            wall=Timing(tuple(samples[target]["wall"])),
            inside=Timing(tuple(samples[target]["inside"])),
            imports=Timing(tuple(samples[target]["import"])),
            import_groups=profiles[target],
        )
        for target in targets
    ]


def _spawn(
    target: str,
    document: dict[str, Any],
    env: dict[str, str],
    workdir: Path,
    asset_dir: Path,
    *,
    options: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run one child; its own timings, with its CPU and wall time in ms added."""
    for cache in workdir.rglob("__pycache__"):
        shutil.rmtree(cache)
    # -P: the child's directory (bench/) must not shadow a module the target imports.
    # -S: no site processing, so the virtualenv's .pth hooks (the editable install's
    # import finder costs ~35 ms) stay out; the packages come from PYTHONPATH instead.
    command = [sys.executable, *options, "-S", "-P", str(CHILD), target]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and script
        command,
        input=json.dumps(document),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    check(
        completed.returncode == 0 and len(lines) == 1,
        f"cold start of {target} failed ({completed.returncode}):\n{completed.stderr[-2000:]}",
    )
    result: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_MARKER))
    expected_status = {"floor": 0, "floor+freeze": 0, "floor+getitem": 200}
    expected_status[RECORD_SESSION.handler] = 201
    expected_status[WITHDRAW_SESSION.handler] = 204
    check(
        result["status"] == expected_status.get(target, 200),
        f"cold start of {target} answered {result['status']}",
    )
    if target not in (*FLOORS, PEER):
        check(
            Path(result["stats_api_file"]).is_relative_to(asset_dir),
            f"{target} imported stats_api from {result['stats_api_file']}, not the asset",
        )
    result.update(
        cpu_ms=cpu,
        wall_ms=wall,
        inside_ms=result["import_ms"] + result["first_request_ms"],
        stderr=completed.stderr,
    )
    return result


def _import_groups(
    documents: dict[str, Document], env: dict[str, str], workdir: Path, asset_dir: Path
) -> dict[str, dict[str, float]]:
    """Where each target's import time goes (``bench.import_profile``), from a few extra
    runs, round-robin, each module at the least time it took: one run on a busy machine
    can be far off."""
    outputs: dict[str, list[str]] = defaultdict(list)
    for _ in range(IMPORT_PROFILE_RUNS):
        for target, document in documents.items():
            result = _spawn(
                target, document(), env, workdir, asset_dir, options=("-X", "importtime")
            )
            outputs[target].append(result["stderr"])
    return {target: import_profile.group_times(*runs) for target, runs in outputs.items()}
