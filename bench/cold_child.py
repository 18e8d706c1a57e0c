"""One cold start, timed from inside a fresh interpreter; spawned by ``bench.cold_start``.

Usage: ``python -P cold_child.py TARGET`` with a JSON document on stdin. TARGET is either
a handler's dotted path (stdin: the API Gateway event; the service's functions and the
cookbook-style peer), ``floor`` (import boto3 and create a DynamoDB client), ``floor+getitem``
(the same, then one strongly consistent GetItem; stdin: ``{"key": ...}``) or
``floor+freeze`` (the floor with ``gc.freeze()`` before creating the client, as the
service's functions do). Prints one line: ``BENCH-RESULT`` and a JSON object of timings.

Standalone on purpose: it imports nothing from the service or the benchmark before its
timer starts, so the only imports timed are those the target itself makes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import import_module
from typing import Any

RESULT_MARKER = "BENCH-RESULT "
FLOORS = ("floor", "floor+getitem", "floor+freeze")


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


def _floor(target: str, document: dict[str, Any]) -> tuple[float, int]:
    # Imported here, inside the timed region: this import is what the floor measures.
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    imported = time.perf_counter()
    # The same settings as dynamodb_calls.CLIENT_CONFIG (standard retries load their module).
    config = Config(
        connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 3}
    )
    if target == "floor+freeze":
        import gc  # noqa: PLC0415

        gc.freeze()
    client = boto3.client("dynamodb", config=config)
    if target == "floor+getitem":
        reply = client.get_item(
            TableName=os.environ["TABLE_NAME"], Key=document["key"], ConsistentRead=True
        )
        return imported, reply["ResponseMetadata"]["HTTPStatusCode"]
    return imported, 0


def main() -> None:
    target = sys.argv[1]
    document = json.loads(sys.stdin.read())
    start = time.perf_counter()
    if target in FLOORS:
        imported, status = _floor(target, document)
        origin = ""
    else:
        module_name, _, function_name = target.rpartition(".")
        handler = getattr(import_module(module_name), function_name)
        imported = time.perf_counter()
        status = handler(document, LambdaContext())["statusCode"]
        # Where the service's package was loaded from: it must be the unpacked asset.
        service = sys.modules.get("stats_api")
        origin = str(service.__file__) if service else ""
    done = time.perf_counter()
    result = {
        "import_ms": (imported - start) * 1000,
        "first_request_ms": (done - imported) * 1000,
        "status": status,
        "stats_api_file": origin,
    }
    print(RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
