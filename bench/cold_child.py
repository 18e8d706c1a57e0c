"""One cold start, timed from inside a fresh interpreter; spawned by ``bench.cold_start``.

Usage: ``python -P cold_child.py TARGET`` with a JSON document on stdin. TARGET is either
a handler's dotted path (stdin: the event its first invocation gets), ``floor`` (import
boto3 and create a DynamoDB client) or ``floor+freeze`` (the same with ``gc.freeze()``
before creating the client, as the service's functions do). Prints one line:
``BENCH-RESULT`` and a JSON object: the timings and what the invocation returned.

What is timed is what Lambda's init and first invocation pay: the handler's import and its
first invocation, in this process's CPU time and in wall time. The interpreter's start-up
(Lambda's runtime is up before the handler's import) and its shutdown (Lambda freezes a
finished environment; it never tears one down while a caller waits) are outside the timer.

Standalone on purpose: it imports nothing from the service or the benchmark before its
timer starts, so the only imports timed are those the target itself makes.
"""

from __future__ import annotations

import json
import sys
import time
from importlib import import_module
from typing import Any

RESULT_MARKER = "BENCH-RESULT "
FLOORS = ("floor", "floor+freeze")


class LambdaContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name = "stats-service-bench"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _floor_client(target: str) -> None:
    import boto3  # noqa: PLC0415 - imported (and timed) by main already
    from botocore.config import Config  # noqa: PLC0415

    # The same settings as dynamodb_calls.CLIENT_CONFIG (standard retries load their module).
    config = Config(
        connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 3}
    )
    if target == "floor+freeze":
        import gc  # noqa: PLC0415

        gc.freeze()
    boto3.client("dynamodb", config=config)


def main() -> None:
    target = sys.argv[1]
    document = json.loads(sys.stdin.read())
    start_cpu, start = time.process_time(), time.perf_counter()
    if target in FLOORS:
        # Inside the timed region: this import is what the floor measures.
        import boto3  # noqa: F401, PLC0415
        import botocore.config  # noqa: F401, PLC0415

        imported_cpu, imported = time.process_time(), time.perf_counter()
        _floor_client(target)
        answer: Any = None
    else:
        module_name, _, function_name = target.rpartition(".")
        handler = getattr(import_module(module_name), function_name)
        imported_cpu, imported = time.process_time(), time.perf_counter()
        answer = handler(document, LambdaContext())
    done_cpu, done = time.process_time(), time.perf_counter()
    # Where the service's package was loaded from: it must be the unpacked asset.
    service = sys.modules.get("stats_api")
    result = {
        "cpu_ms": (done_cpu - start_cpu) * 1000,
        "wall_ms": (done - start) * 1000,
        "import_cpu_ms": (imported_cpu - start_cpu) * 1000,
        "import_ms": (imported - start) * 1000,
        "answer": answer,
        "stats_api_file": str(service.__file__) if service else "",
    }
    print(RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
