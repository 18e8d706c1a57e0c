"""Cold starts: fresh Python processes that import a handler and serve its first invocation,
timed inside the process (``bench/cold_child.py``: what Lambda pays, no interpreter start-up
or shutdown).

moto's server runs in this process, on 127.0.0.1 and a free port; every child reaches it
through ``AWS_ENDPOINT_URL_DYNAMODB``, one at a time (moto is not concurrency safe). Each
child imports the handler from the Lambda asset unpacked into a temporary directory, whose
``__pycache__`` is deleted before every run: the deployed asset ships no bytecode, so Lambda
compiles the service's modules on each cold start (boto3's and Powertools' bytecode, in the
runtime and the layer, is precompiled, as it is in the virtualenv here).

The targets (``bench.cold_targets``): every function, the floor, the freezing floor and the
peer. The budget is CPU time (the child's own, from its first import to the end of its
first invocation), which other work on the machine disturbs less than wall time, and which
leaves out moto's time answering the request. Targets run round-robin, so a noisy moment
hits all of them alike; ratios pair each run with the reference's run of the same round.
Metrics stay enabled, as deployed. Children run with ``-S``: the virtualenv's .pth hooks are
not part of any Lambda runtime. A few last runs of each target under ``python -X
importtime`` attribute its import time to packages.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from bench import cold_targets, import_profile
from bench.checks import Goal, check
from bench.cold_child import FLOORS, RESULT_MARKER
from bench.cold_targets import PEER, Document
from bench.timing import Timing
from stats_api.shared_names import (
    ANALYTICS_TABLE_ENV,
    EVENT_BUS_NAME_ENV,
    HISTORY_ENV,
    LRS_ACTOR_HOME_PAGE_ENV,
    LRS_COURSE_IRI_TEMPLATE_ENV,
    LRS_CREDENTIALS_SECRET_ENV,
    LRS_STATEMENTS_URL_ENV,
    TABLE_NAME_ENV,
)
from stats_devkit.fake_lrs import fake_lrs

CHILD = Path(__file__).with_name("cold_child.py")
PEER_SOURCE = Path(__file__).with_name("peer_handler.py")
TABLE = "stats-bench-cold"
ANALYTICS_TABLE = "stats-bench-cold-analytics"
EVENT_BUS = "stats-bench-cold-events"
REGION = "us-east-1"
FLOOR = FLOORS[0]
WARMUP_ROUNDS = 2
ROUNDS = 20
IMPORT_PROFILE_RUNS = 5
BUDGET = 1.2  # the goal: each function within 1.2x the floor (CPU time, paired)
MEASURES = ("cpu", "wall", "import_cpu", "import")


@dataclass(frozen=True)
class ColdStart:
    target: str
    # Samples in round order, so that rounds can be paired across targets; all in-process.
    cpu: Timing  # CPU time of import + first invocation
    wall: Timing  # wall time of the same
    import_cpu: Timing  # CPU time of the import alone
    imports: Timing  # wall time of the import alone
    import_groups: dict[str, float]  # ms of import time per group, from -X importtime

    def measure(self, name: str) -> Timing:
        timing: Timing = getattr(self, "imports" if name == "import" else name)
        return timing


@dataclass(frozen=True)
class ColdStartRun:
    results: list[ColdStart]

    def get(self, target: str) -> ColdStart:
        return next(r for r in self.results if r.target == target)

    @property
    def functions(self) -> list[ColdStart]:
        """The service's functions, in ``cold_targets.functions()`` order."""
        return [r for r in self.results if r.target not in (*FLOORS, PEER)]

    @property
    def references(self) -> list[ColdStart]:
        return [r for r in self.results if r.target in (*FLOORS, PEER)]

    def paired(self, target: str, reference: str = FLOOR, measure: str = "cpu") -> Timing:
        """The target's time over the reference's, round by round: a slow moment on a busy
        machine hits both runs of a round alike."""
        mine = self.get(target).measure(measure).samples_ms
        theirs = self.get(reference).measure(measure).samples_ms
        return Timing(tuple(a / b for a, b in zip(mine, theirs, strict=True)))

    def ratio(self, target: str, reference: str = FLOOR, measure: str = "cpu") -> float:
        """The median of the paired ratios."""
        return self.paired(target, reference, measure).median

    def goals(self) -> list[Goal]:
        """Each function within ``BUDGET`` x the floor (median of the paired CPU ratios)."""
        labels = cold_targets.labels()
        return [
            Goal(
                f"cold start of {labels[r.target]} within {BUDGET}x the floor",
                f"{self.ratio(r.target):.2f}x",
                self.ratio(r.target) <= BUDGET,
            )
            for r in self.functions
        ]


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
            aws: dict[str, Any] = {
                "endpoint_url": f"http://{host}:{port}",
                "region_name": REGION,
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",  # moto's dummy credentials
            }
            client = boto3.client("dynamodb", **aws)
            documents = cold_targets.documents(client, TABLE, ANALYTICS_TABLE)
            with fake_lrs() as lrs:
                env.update(_learning_events_environment(aws, lrs.url))
                return ColdStartRun(_measure(documents, env, workdir, asset_dir, progress))
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
        # As deployed with the history and analytics routes on.
        TABLE_NAME_ENV: TABLE,
        HISTORY_ENV: "on",
        ANALYTICS_TABLE_ENV: ANALYTICS_TABLE,
    }


def _learning_events_environment(aws: dict[str, Any], lrs_url: str) -> dict[str, str]:
    """The bus and the LRS's secret on the moto server, and the settings of the publisher and
    the forwarder naming them (and the scripted LRS at ``lrs_url``), as deployed."""
    boto3.client("events", **aws).create_event_bus(Name=EVENT_BUS)
    secret = boto3.client("secretsmanager", **aws).create_secret(
        Name="lrs-credentials", SecretString=json.dumps({"username": "u", "password": "p"})
    )
    return {
        "AWS_ENDPOINT_URL_EVENTBRIDGE": aws["endpoint_url"],
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": aws["endpoint_url"],
        EVENT_BUS_NAME_ENV: EVENT_BUS,
        LRS_STATEMENTS_URL_ENV: lrs_url,
        LRS_CREDENTIALS_SECRET_ENV: secret["ARN"],
        LRS_ACTOR_HOME_PAGE_ENV: "https://learn.example.com",
        LRS_COURSE_IRI_TEMPLATE_ENV: "https://learn.example.com/courses/{courseId}",
    }


def _site_packages() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


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
            for measure in MEASURES:
                samples[target][measure].append(result[f"{measure}_ms"])
    progress("import profiles")
    profiles = _import_groups(documents, env, workdir, asset_dir)
    return [
        ColdStart(
            target,
            cpu=Timing(tuple(samples[target]["cpu"])),
            wall=Timing(tuple(samples[target]["wall"])),
            import_cpu=Timing(tuple(samples[target]["import_cpu"])),
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
    """Run one child; its own timings and answer (and its stderr)."""
    for cache in workdir.rglob("__pycache__"):
        shutil.rmtree(cache)
    # -P: the child's directory (bench/) must not shadow a module the target imports.
    # -S: no site processing, so the virtualenv's .pth hooks (the editable install's
    # import finder costs ~35 ms) stay out; the packages come from PYTHONPATH instead.
    command = [sys.executable, *options, "-S", "-P", str(CHILD), target]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and script
        command,
        input=json.dumps(document),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    check(
        completed.returncode == 0 and len(lines) == 1,
        f"cold start of {target} failed ({completed.returncode}):\n{completed.stderr[-2000:]}",
    )
    result: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_MARKER))
    status = cold_targets.expected_status(target)
    if status is not None:
        answered = (result["answer"] or {}).get("statusCode")
        check(answered == status, f"cold start of {target} answered {answered}, not {status}")
    elif isinstance(result["answer"], dict):
        # A stream or queue function returns; the records it failed must be none.
        failed = result["answer"].get("batchItemFailures")
        check(not failed, f"cold start of {target} failed records {failed}")
    if target not in (*FLOORS, PEER):
        check(
            Path(result["stats_api_file"]).is_relative_to(asset_dir),
            f"{target} imported stats_api from {result['stats_api_file']}, not the asset",
        )
    result["stderr"] = completed.stderr
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
