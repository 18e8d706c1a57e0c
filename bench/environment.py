"""The machine and the versions a benchmark ran with, for the report."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "boto3",
    "botocore",
    "moto",
    "aws-lambda-powertools",
    "pydantic",
    "fastjsonschema",
    "matplotlib",
)


@dataclass(frozen=True)
class Machine:
    date: str
    cpu: str
    cores: int
    system: str
    python: str
    packages: dict[str, str]
    load_average: float  # 1-minute load when the benchmark started: other work competing


def describe() -> Machine:
    return Machine(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        system=f"{platform.system()} {platform.release()} ({platform.machine()})",
        python=platform.python_version(),
        packages={name: metadata.version(name) for name in PACKAGES},
        load_average=os.getloadavg()[0],
    )


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()
