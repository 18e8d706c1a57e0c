"""The report's cold-start part: the table of every function against the floors and the
peer, where the import time goes, the verdicts, and how it was measured."""

from __future__ import annotations

from bench import cold_targets, import_profile
from bench.cold_start import (
    BUDGET,
    FLOOR,
    IMPORT_PROFILE_RUNS,
    ROUNDS,
    WARMUP_ROUNDS,
    ColdStart,
    ColdStartRun,
)
from bench.cold_targets import FREEZING_FLOOR, PEER
from bench.report_format import ms, spread, table, value_range


def cold_table(cold: ColdStartRun) -> str:
    labels = cold_targets.labels()
    headers = ["process", "CPU median ms", "x floor, CPU (p25-p75)"]
    headers += ["x freezing floor, CPU", "x peer, CPU", "wall median ms", "x floor, wall"]
    headers += [f"budget: CPU within {BUDGET}x the floor"]
    rows: list[list[object]] = [
        [
            labels[result.target],
            ms(result.cpu.median),
            spread(cold.paired(result.target)),
            f"{cold.ratio(result.target, FREEZING_FLOOR):.2f}",
            f"{cold.ratio(result.target, PEER):.2f}",
            ms(result.wall.median),
            f"{cold.ratio(result.target, measure='wall'):.2f}",
            _verdict(cold, result) if result in cold.functions else "",
        ]
        for result in [*cold.references, *cold.functions]
    ]
    return table(headers, rows, align="lrrrrrrl")


def _verdict(cold: ColdStartRun, result: ColdStart) -> str:
    ratio = cold.ratio(result.target)
    if ratio <= BUDGET:
        return "met"
    return f"MISSED by {(ratio / BUDGET - 1) * 100:.1f}%"


def imports_table(cold: ColdStartRun) -> str:
    labels = cold_targets.labels()
    headers = ["process", *import_profile.COLUMNS, "all imports"]
    headers += ["rest: client + first invocation (CPU, median)"]
    rows: list[list[object]] = [
        [
            labels[result.target],
            *(f"{result.import_groups[column]:.0f}" for column in import_profile.COLUMNS),
            f"{result.import_groups['total']:.0f}",
            ms(result.cpu.median - result.import_cpu.median),
        ]
        for result in cold.results
    ]
    return table(headers, rows)


def conclusions(cold: ColdStartRun) -> list[str]:
    labels = cold_targets.labels()
    ratios = {result.target: cold.ratio(result.target) for result in cold.functions}
    over = [labels[target] for target, ratio in ratios.items() if ratio > BUDGET]
    verdict = (
        f"all {len(ratios)} within the {BUDGET}x budget"
        if not over
        else f"{len(over)} of {len(ratios)} over the {BUDGET}x budget: {', '.join(over)}"
    )
    peer = [cold.ratio(result.target, PEER) for result in cold.functions]
    frozen = [cold.ratio(result.target, FREEZING_FLOOR) for result in cold.functions]
    return [
        f"Cold start as Lambda pays it (import + first invocation, CPU time inside the "
        f"process, median of paired rounds): the {len(ratios)} functions at "
        f"{value_range(ratios.values())}x the floor, {verdict}; {value_range(peer)}x the "
        f"cookbook-style peer, which itself runs at {cold.ratio(PEER):.2f}x the floor.",
        f"Against the freezing floor (itself {cold.ratio(FREEZING_FLOOR):.2f}x the floor), "
        f"the functions run at {value_range(frozen)}x: the collector's share of their lead "
        "is what separates the two columns.",
    ]


def xray_ms(cold: ColdStartRun) -> str:
    return f"{cold.get(PEER).import_groups['X-Ray SDK']:.0f}"


def method(cold: ColdStartRun) -> str:
    return f"""**Cold start.** moto's server runs in the benchmark process on 127.0.0.1; each
measured process is a fresh `python` (this virtualenv's) with a clean environment: dummy
credentials, DynamoDB's, EventBridge's and Secrets Manager's endpoints pointing at the
server, the table names, the history and analytics routes on, the learning events' bus and
LRS settings, and `PYTHONPATH` = the Lambda asset unpacked from the zip below (and the
peer's module). The functions are every route's, every function the sessions table's stream
invokes and every function a queue invokes, taken from their declarations
(`bench/cold_targets.py`),
so a new one is timed without being listed. The asset's `__pycache__` is deleted before
every run, since the deployed asset ships no bytecode; boto3's and Powertools' bytecode is
cached, as in the runtime and the layer. Metrics stay on, as deployed. Each of the
{len(cold.results)} processes runs {ROUNDS} times, round-robin, after {WARMUP_ROUNDS}
unmeasured rounds. A route's first invocation answers its route's first success status from
seeded data (the `DELETE` withdraws a session seeded for its run); a stream function's is a
batch of one new session's INSERT record, as DynamoDB Streams delivers it; the LRS
forwarder's a batch of one `SessionRecorded` message, as SQS delivers it, which it posts to
a scripted LRS on 127.0.0.1 after reading its secret. A stream or queue function must
report no failed record.

What is timed is what Lambda bills for a cold start: the handler's import and its first
invocation, timed inside the process (`bench/cold_child.py`): *CPU* is that process's CPU
time over it (the budget's measure: other work on the machine disturbs it least, and
moto's time answering the request is not in it), *wall* its wall time. The interpreter's
start-up (Lambda's runtime is up before it imports the handler) and its shutdown (Lambda
freezes a finished environment; no caller waits for its teardown) are outside the timer
for every process alike. Ratios pair each run with the reference's run of the same round
and take the median of those ratios (in brackets: their 25th to 75th percentile). The
references: the floor (`import boto3` + create a DynamoDB client with the functions'
settings); the freezing floor, the same with `gc.freeze()` before the client, as the
functions do; and the peer, `bench/peer_handler.py`, `GET /courses/{{courseId}}` as the
Powertools cookbook writes it: `APIGatewayHttpResolver(enable_validation=True)`, a
pydantic response model, Tracer, Logger, Metrics and a boto3 resource. `make bench` fails
when a function's median paired ratio to the {FLOOR} is over {BUDGET}."""


def imports_intro() -> str:
    return f"""Import time in ms under `python -X importtime` (which slows imports a little; the
tables above are without it), from {IMPORT_PROFILE_RUNS} extra runs of each process: each module at
the least time it took, since other work on the machine only ever adds time.
`stdlib` is every standard-library module, whoever imports it, the interpreter's start-up
included; every other module is charged to the package of interest that pulled it in
(urllib3 to boto3, typing_extensions to Powertools or boto3, whichever imports it first);
`handler code` is the service's package (compiled from source on every cold start, as the
deployed asset ships no bytecode) or the peer's module.
The last column is the rest of the cold start in CPU time: creating the client (botocore
reads its JSON service model and endpoint rules), then serving the first invocation."""
