"""``python -m bench``: run every benchmark, write docs/benchmarks.md and .png, print a summary;
exit 1 when a goal (``report.Results.goals``: the cold-start budget, the local run's
flatness and memory) is missed, after writing the report that shows it.

Order: the asset is zipped first (the cold starts run from it), then the cold starts, with
moto's server in this process; then, in-process under ``moto.mock_aws``, the write cost and
the course-stats reads; then the local run against N (its own embedded moto); last the
learning events' sizes and their forwarding to a real LRS (Ralph, ``.venv-lrs``). It also
refreshes the figures docs/design.md quotes, between its ``make bench`` markers. Progress
goes to stderr, the summary to stdout.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import boto3
from moto import mock_aws

from bench import (
    analytics_cost,
    cold_start,
    environment,
    events_cost,
    local_run_scale,
    package,
    plot,
    read_path,
    report,
    write_path,
)
from bench.doc_blocks import refresh_block
from local_run.emulator import isolate_from_aws
from stats_devkit.store_probe import StoreProbe, watching_store

DOCS = Path(__file__).resolve().parent.parent / "docs"
TABLE = "stats-bench"


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _isolate_from_aws() -> None:
    # Never reach a real account, whatever the developer's shell holds.
    isolate_from_aws(os.environ, TABLE)
    # In-process, metrics would print one EMF line per POST into the summary; both
    # designs skip the same flush. The cold starts keep metrics on, as deployed.
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"


def main() -> None:
    started = time.perf_counter()
    machine = environment.describe()  # before the benchmark loads the machine itself
    _isolate_from_aws()
    _progress("zipping the Lambda asset")
    asset, layer = package.lambda_asset(), package.layer_packages()
    cold = cold_start.run(asset.data, _progress)
    with mock_aws(), watching_store(StoreProbe()) as probe:
        client = boto3.client("dynamodb")  # created after the probe left the session
        writes = write_path.run(client, TABLE, probe, _progress)
        reads = read_path.run(client, TABLE, probe, _progress)
    local = local_run_scale.run(_progress)
    _progress("learning events: sizes, LRS requests, forwarding to Ralph")
    events = events_cost.measure()
    results = report.Results(
        machine=machine,
        reads=reads,
        writes=writes,
        cold=cold,
        local=local,
        events=events,
        asset=asset,
        layer=layer,
        runtime_s=time.perf_counter() - started,
    )
    plot.write(results, DOCS / "benchmarks.png")
    (DOCS / "benchmarks.md").write_text(report.render(results))
    refresh_block(DOCS / "design.md", "write-cost", report.design_figures(results))
    # Course analytics: arithmetic over the aggregator's items, nothing to measure on moto.
    analytics_cost.refresh_docs(analytics_cost.measure())
    events_cost.refresh_docs(events)
    print(report.summary(results))
    _progress(f"wrote {DOCS / 'benchmarks.md'} and {DOCS / 'benchmarks.png'}")
    missed = [goal for goal in results.goals if not goal.met]
    for goal in missed:
        _progress(f"goal MISSED: {goal.what} (measured {goal.measured})")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
