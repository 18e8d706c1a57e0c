"""The report's local-run part: each request against the table's size, the process's memory,
the stream pump, the verdicts, and how it was measured."""

from __future__ import annotations

from bench import local_run_scale
from bench.local_data import COURSES_PER_USER, SESSIONS_PER_COURSE
from bench.local_requests import NAMES, OPERATIONS, PAGE
from bench.local_run_scale import (
    FLAT_LIMIT,
    LOOP_BLOCKS_LIMIT,
    LOOP_ROUNDS,
    LOOP_WARMUP,
    PUMP_BURST,
    REFERENCE_SIZE,
    ScaleRun,
)
from bench.report_format import kb, mb, ms, table


def requests_table(local: ScaleRun) -> str:
    headers = ["request", *(f"N = {point.sessions:,}" for point in local.points)]
    headers += [f"size effect (goal: within {FLAT_LIMIT}x)", "CPU ms, smallest -> largest N"]
    first, last = local.points[0], local.points[-1]
    rows: list[list[object]] = [
        [
            f"{name}: `{method} {path.format(course='{courseId}', session='{sessionId}')}`",
            *(
                f"{ms(point.latency[name].median)} ({local.paired(name, point).median:.2f})"
                for point in local.points
            ),
            f"{local.size_effect(name):.2f}x",
            f"{ms(first.cpu[name].median)} -> {ms(last.cpu[name].median)}",
        ]
        for name, method, path, _ in OPERATIONS
    ]
    return (
        f"{table(headers, rows)}\n\nEach cell: the median wall time in ms over HTTP, and in "
        "brackets the median of each round over the same round against the reference run, "
        f"which holds {REFERENCE_SIZE:,} sessions throughout. *Size effect*: that paired "
        f"ratio at N = {last.sessions:,} over the one at N = {first.sessions:,}, which "
        "takes out the machine's drift between checkpoints and the two runs' own difference."
    )


def memory_table(local: ScaleRun) -> str:
    headers = ["N sessions", "items", "process memory (RSS)"]
    headers += [f"per session since N = {local.points[0].sessions:,}"]
    rows: list[list[object]] = [
        [
            f"{point.sessions:,}",
            f"{point.items:,}",
            mb(point.rss_bytes),
            "" if point is local.points[0] else kb(local.bytes_per_session(point)),
        ]
        for point in local.points
    ]
    return (
        f"{table(headers, rows)}\n\nThe stream pump delivered {PUMP_BURST:,} fresh sessions' "
        f"records to the aggregator at {local.pump_records_per_s:,.0f} a second (from their "
        "BatchWriteItem to every course's analytics counting them). A loop of "
        f"{LOOP_ROUNDS:,} rounds of POST + DELETE at "
        f"N = {local.points[-1].sessions:,} (after {LOOP_WARMUP} untimed rounds) grew the "
        f"process by {kb(local.loop_growth_bytes)} ({local.loop_growth_per_round:,.0f} bytes a "
        f"round; the resident set grows in whole arenas) and kept "
        f"{local.loop_blocks_per_round:,.2f} allocated blocks a round (goal: at most "
        f"{LOOP_BLOCKS_LIMIT}). The empty run's process held "
        f"{mb(local.baseline_rss_bytes)}; seeding took {local.seed_seconds:.0f} s."
    )


def conclusions(local: ScaleRun) -> list[str]:
    first, last = local.points[0], local.points[-1]
    effects = {name: local.size_effect(name) for name in NAMES}
    flat = all(effect <= FLAT_LIMIT for effect in effects.values())
    effect_text = ", ".join(f"{name} {effect:.2f}x" for name, effect in effects.items())
    return [
        f"The local run's requests are {'flat' if flat else 'NOT flat'} from N = "
        f"{first.sessions:,} to {last.sessions:,} sessions (goal: within {FLAT_LIMIT}x): "
        f"paired round by round with a run that holds {REFERENCE_SIZE:,}, the size adds "
        f"{effect_text}.",
        f"Its memory follows its data: {mb(last.rss_bytes)} resident with "
        f"{last.sessions:,} sessions, {kb(local.bytes_per_session(last))} per session; a "
        f"loop of {LOOP_ROUNDS:,} POST + DELETE rounds, which leaves the data as it found "
        f"it, kept {local.loop_blocks_per_round:,.2f} allocated blocks a round "
        f"({local.loop_growth_per_round:,.0f} bytes of resident memory). The stream pump "
        f"delivered {local.pump_records_per_s:,.0f} fresh records a second to the aggregator.",
    ]


def method(local: ScaleRun) -> str:
    sizes = ", ".join(f"{point.sessions:,}" for point in local.points)
    return (
        "The local run as `make run` serves it (`local_run.start.embedded_api`: its HTTP "
        "server, gateway and handlers, moto as `local_run/emulator.py` adapts it, the stream "
        "pumped to the aggregator; header auth) in a fresh process of the benchmark's (so "
        "that its memory is theirs alone), on a free port. At N = "
        f"{sizes} sessions, {SESSIONS_PER_COURSE} per (learner, course), "
        f"{COURSES_PER_USER} courses shared by every learner, "
        f"{local_run_scale.REQUESTS} rounds (after {local_run_scale.WARMUP} untimed) each "
        "make a learner's visit over HTTP, by a keep-alive client in the same process: POST a "
        f"session, read the course's stats, the learner's courses and a page of the course's "
        f"sessions (limit {PAGE}), the course's analytics and its days, then DELETE the "
        "session. Each request is timed from request to last byte, in wall time and in the "
        "process's CPU time (server and client both). Each round is paired with one, in "
        "alternating order, against a second fresh local run that holds "
        f"{REFERENCE_SIZE:,} sessions throughout. Between checkpoints the table is seeded "
        "through the same in-process moto with BatchWriteItem, holding the gateway's lock "
        "(each course's sessions and their aggregate, as `stats_devkit/dataset.py` builds "
        "them), and their analytics by the aggregator's own store as sessions recorded over "
        "time would leave them, every course's totals and days spread over all its shares "
        "at every N (`bench/local_data.py`); the stream then delivers the seeded records, "
        "which the aggregator finds counted, before any request is timed. The pump's "
        f"throughput: {PUMP_BURST:,} fresh sessions written at once, until the analytics "
        "count them all. Memory is the process's resident set after each checkpoint; per "
        "session, its growth from the "
        "smallest N over the sessions added. `make bench` fails when a request's size effect "
        f"is over {FLAT_LIMIT}x or the POST + DELETE loop keeps more than "
        f"{LOOP_BLOCKS_LIMIT} of the interpreter's allocated memory blocks a round "
        "(`sys.getallocatedblocks`: a kept item adds dozens, while the resident set only "
        "moves in whole arenas)."
    )
