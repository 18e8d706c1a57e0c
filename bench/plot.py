"""The report's figure: GET course latency and read units against N, both designs."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on CI or a server

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from bench.read_path import AGGREGATE, QUERY, ReadRun

STYLES = {AGGREGATE: ("tab:blue", "o"), QUERY: ("tab:orange", "s")}


def write(runs: list[ReadRun], path: Path) -> None:
    figure, (latency_axes, units_axes) = plt.subplots(1, 2, figsize=(12, 4.8))
    for design, (color, marker) in STYLES.items():
        mine = [run for run in runs if run.design == design]
        sessions = [run.sessions for run in mine]
        medians = [run.latency.median for run in mine]
        p95s = [run.latency.p95 for run in mine]
        latency_axes.plot(sessions, medians, marker=marker, color=color, label=f"{design}, median")
        latency_axes.plot(
            sessions, p95s, color=color, linestyle=":", alpha=0.7, label=f"{design}, p95"
        )
        units = [run.read_units for run in mine]
        units_axes.plot(sessions, units, marker=marker, color=color, label=design)
        # Ours below its line, the alternative above: where they meet, both stay legible.
        offset = (0, -15) if design == AGGREGATE else (0, 8)
        for n, value in zip(sessions, units, strict=True):
            units_axes.annotate(
                f"{value:,}",
                (n, value),
                textcoords="offset points",
                xytext=offset,
                ha="center",
                color=color,
                fontsize="small",
            )
    latency_axes.set(
        title="GET /courses/{courseId}: local latency (moto, in-process)",
        xlabel="sessions in the course (N)",
        ylabel="ms per GET (log)",
        xscale="log",
        yscale="log",
    )
    units_axes.set(
        title="Read units per GET (DynamoDB's formulas, strongly consistent)",
        xlabel="sessions in the course (N)",
        ylabel="read units (log)",
        xscale="log",
        yscale="log",
    )
    units_axes.set_ylim(bottom=0.4, top=max(run.read_units for run in runs) * 3)
    sizes = sorted({run.sessions for run in runs})
    for axes in (latency_axes, units_axes):
        axes.set_xticks(sizes, [f"{n:,}" for n in sizes])
        axes.minorticks_off()
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
        axes.grid(True, which="major", alpha=0.3)
        axes.legend(fontsize="small", loc="upper left")
    figure.tight_layout()
    # No metadata: the PNG changes only when the numbers do.
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)
