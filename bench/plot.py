"""The report's figure, what a reader looks for first: read units against N (course stats,
both designs, and a history page), write units per POST, each function's cold start against
the floor and the peer, and the local run's latency against N."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on CI or a server

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from bench.cold_start import BUDGET
from bench.cold_targets import PEER
from bench.local_requests import NAMES
from bench.local_run_scale import FLAT_LIMIT, REFERENCE_SIZE
from bench.read_path import AGGREGATE, PAGE, QUERY
from bench.report import Results

READ_STYLES = {AGGREGATE: ("tab:blue", "o"), QUERY: ("tab:orange", "s"), PAGE: ("tab:green", "^")}


def write(results: Results, path: Path) -> None:
    figure, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    _read_units(axes[0][0], results)
    _write_units(axes[0][1], results)
    _cold_starts(axes[1][0], results)
    _local_run(axes[1][1], results)
    figure.tight_layout()
    # No metadata: the PNG changes only when the numbers do.
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)


def _read_units(axes: Axes, results: Results) -> None:
    for design, (color, marker) in READ_STYLES.items():
        runs = [run for run in results.reads if run.design == design]
        sessions = [run.sessions for run in runs]
        units = [run.read_units for run in runs]
        axes.plot(sessions, units, marker=marker, color=color, label=design)
        for n, value in zip(sessions, units, strict=True):
            axes.annotate(
                f"{value:,}",
                (n, value),
                textcoords="offset points",
                xytext=(0, 8 if design == QUERY else -14),
                ha="center",
                color=color,
                fontsize="small",
            )
    top = max(run.read_units for run in results.reads)
    axes.set(
        title="Read units per request against N (strongly consistent)",
        xlabel="sessions in the course (N)",
        ylabel="read units (log)",
        xscale="log",
        yscale="log",
        ylim=(0.4, top * 3),
    )
    sizes = sorted({run.sessions for run in results.reads})
    _log_ticks(axes, sizes)
    axes.legend(fontsize="small", loc="upper left")


def _write_units(axes: Axes, results: Results) -> None:
    costs = results.writes.costs
    labels = [cost.design.replace(": ", ":\n").replace(" (", "\n(") for cost in costs]
    bars = axes.barh(labels, [cost.write_units for cost in costs], color="tab:purple")
    axes.bar_label(bars, fmt="%d", padding=3)
    axes.invert_yaxis()
    axes.set(title="Write units per POST", xlabel="write units")
    axes.tick_params(axis="y", labelsize="small")
    axes.grid(True, axis="x", alpha=0.3)


def _cold_starts(axes: Axes, results: Results) -> None:
    cold = results.cold
    targets = [*(result.target for result in cold.functions), PEER]
    labels = [
        "peer (cookbook style)" if target == PEER else target.split(".")[-2].replace("_", " ")
        for target in targets
    ]
    medians: list[float] = []
    errors: list[list[float]] = [[], []]
    for target in targets:
        paired = cold.paired(target)
        low, high = paired.quartiles
        medians.append(paired.median)
        errors[0].append(paired.median - low)
        errors[1].append(high - paired.median)
    colors = ["tab:blue"] * len(cold.functions) + ["tab:gray"]
    bars = axes.barh(labels, medians, xerr=errors, color=colors, capsize=3)
    axes.bar_label(bars, fmt="%.2fx", padding=28, fontsize="small")
    axes.axvline(1.0, color="black", linewidth=1)
    axes.axvline(BUDGET, color="tab:red", linestyle="--")
    axes.invert_yaxis()
    axes.set(
        title=f"Cold start in-process, CPU time (black: the floor, red: the {BUDGET}x budget)",
        xlabel="x the floor's (median of paired rounds, bar: 25th-75th percentile)",
        xlim=(0, max(medians) * 1.4),
    )
    axes.grid(True, axis="x", alpha=0.3)


def _local_run(axes: Axes, results: Results) -> None:
    local = results.local
    sessions = [point.sessions for point in local.points]
    colors = plt.get_cmap("tab10")
    for number, name in enumerate(NAMES):
        paired = [local.paired(name, point) for point in local.points]
        medians = [timing.median for timing in paired]
        low = [timing.median - timing.quartiles[0] for timing in paired]
        high = [timing.quartiles[1] - timing.median for timing in paired]
        axes.errorbar(
            sessions,
            medians,
            yerr=[low, high],
            marker="o",
            color=colors(number),
            capsize=3,
            label=name,
        )
    top = max(local.paired(name, point).quartiles[1] for name in NAMES for point in local.points)
    axes.axhline(FLAT_LIMIT, color="tab:red", linestyle="--")
    axes.set(
        title=f"make run against N (red: the {FLAT_LIMIT}x goal)",
        xlabel="sessions in the table (N)",
        ylabel=f"x a run holding {REFERENCE_SIZE:,}, same rounds (median, p25-p75)",
        xscale="log",
        ylim=(0, max(FLAT_LIMIT * 1.3, top * 1.1)),
    )
    _log_ticks(axes, sessions)
    axes.legend(fontsize="small", loc="lower right", ncols=2)


def _log_ticks(axes: Axes, sizes: list[int]) -> None:
    axes.set_xticks(sizes, [f"{n:,}" for n in sizes])
    axes.minorticks_off()
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    axes.grid(True, which="major", alpha=0.3)
