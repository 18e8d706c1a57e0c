"""Reads ``python -X importtime`` output and says which package each import's time belongs to.

Python prints one line per module, after the module's own imports (post-order), indented
two spaces per nesting level, with the module's *self* time. A standard-library module is
charged to ``stdlib``, whoever imports it (most are needed by boto3 anyway, and charging
them to their first importer would make the split depend on import order). Any other module
is charged to the nearest package of interest on its import chain, itself included: urllib3
counts as boto3's, typing_extensions as Powertools' when Powertools imports it first. The
groups add up to the process's total import time; nothing is counted twice.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field

# Top-level package -> the group its imports are charged to.
GROUPS = {
    "boto3": "boto3 + botocore",
    "botocore": "boto3 + botocore",
    "aws_lambda_powertools": "Powertools",
    "aws_xray_sdk": "X-Ray SDK",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "stats_api": "handler code",
    "peer_handler": "handler code",
}
STDLIB = "stdlib"
OTHER = "other"  # third-party modules imported by none of the packages above
COLUMNS = (
    "boto3 + botocore",
    "Powertools",
    "pydantic",
    "X-Ray SDK",
    "handler code",
    STDLIB,
    OTHER,
)


@dataclass
class _Module:
    name: str
    self_us: int
    children: list[_Module] = field(default_factory=list)


def parse(stderr: str) -> list[_Module]:
    """The import tree: the modules imported at top level, each with what it imported."""
    pending: dict[int, list[_Module]] = defaultdict(list)
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        if not self_us.strip().isdigit():
            continue  # the header
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        module = _Module(name.strip(), int(self_us), pending.pop(depth + 1, []))
        pending[depth].append(module)
    return pending[0]


def group_times(*outputs: str) -> dict[str, float]:
    """Milliseconds of import time per group (``COLUMNS``), plus ``total``.

    Given the outputs of several runs of the same process (which import the same modules in
    the same order), each module counts with the least self time it took in any of them:
    other work on the machine only ever adds time, and one module's bad luck should not
    move its group.
    """
    runs = [parse(output) for output in outputs]
    least: dict[str, int] = {}
    for tree in runs:
        for module in _walk(tree):
            least[module.name] = min(least.get(module.name, module.self_us), module.self_us)
    totals: dict[str, float] = dict.fromkeys(COLUMNS, 0.0)

    def charge(module: _Module, importer: str) -> None:
        top = module.name.split(".", maxsplit=1)[0]
        group = GROUPS.get(top, importer)
        totals[STDLIB if top in sys.stdlib_module_names else group] += least[module.name] / 1000
        for child in module.children:
            charge(child, group)

    for module in runs[0]:
        charge(module, OTHER)
    totals["total"] = sum(totals.values())
    return totals


def _walk(modules: list[_Module]) -> list[_Module]:
    return [m for module in modules for m in (module, *_walk(module.children))]
