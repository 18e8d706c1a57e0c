"""``make clients``: the Python and TypeScript clients of each auth mode's OpenAPI document,
generated and type-checked with the example drivers that call every operation.

For each mode (``docs/openapi/<mode>.json``), into ``build/clients/<mode>/``:
- ``python/stats_service_client``: openapi-python-client's package (pinned in
  requirements-dev.txt); ``examples/clients/python/drive_api.py`` is checked against it
  with ``mypy --strict``;
- ``typescript/schema.d.ts``: openapi-typescript's types for openapi-fetch (pinned in
  package-lock.json), with a copy of ``examples/clients/typescript/drive_api.mts`` beside it;
  ``tsc --strict`` compiles every mode's copy into ``build/clients/js/``.
The e2e tier runs the drivers against the local run in each mode. Beside the product: it
generates and checks, and ships nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from stats_api.auth_modes import AUTH_MODES, AuthMode

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "clients"
EXAMPLES = ROOT / "examples" / "clients"
PYTHON_DRIVER = EXAMPLES / "python" / "drive_api.py"
TYPESCRIPT_DRIVER = EXAMPLES / "typescript" / "drive_api.mts"
PACKAGE = "stats_service_client"
_NODE_TOOLS = ROOT / "node_modules" / ".bin"


def python_client(mode: AuthMode) -> Path:
    """Where the mode's Python package is (its parent goes on PYTHONPATH or MYPYPATH)."""
    return BUILD / mode / "python"


def typescript_driver(mode: AuthMode) -> Path:
    """The mode's compiled TypeScript driver, for ``node``."""
    return BUILD / "js" / mode / "typescript" / "drive_api.mjs"


def _run(*command: str | Path, **env: str) -> None:
    result = subprocess.run(  # noqa: S603 - this checkout's pinned tools, on its own files
        [str(part) for part in command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")


def _generate(mode: AuthMode) -> None:
    document = ROOT / "docs" / "openapi" / f"{mode}.json"
    typescript = BUILD / mode / "typescript"
    typescript.mkdir(parents=True, exist_ok=True)
    _run(
        Path(sys.executable).parent / "openapi-python-client",
        "generate",
        "--path",
        document,
        "--meta",
        "none",
        "--overwrite",
        "--config",
        EXAMPLES / "python" / "generator.yaml",
        "--output-path",
        python_client(mode) / PACKAGE,
    )
    _run(_NODE_TOOLS / "openapi-typescript", document, "--output", typescript / "schema.d.ts")
    shutil.copy2(TYPESCRIPT_DRIVER, typescript / TYPESCRIPT_DRIVER.name)


def _check_python(mode: AuthMode) -> None:
    _run(
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        EXAMPLES / "python" / "mypy.ini",
        # One cache for every mode: the third-party modules are checked once, each mode's
        # package again (its files differ), which the cache notices.
        "--cache-dir",
        BUILD / ".mypy_cache",
        PYTHON_DRIVER,
        MYPYPATH=str(python_client(mode)),
    )


def main() -> None:
    shutil.rmtree(BUILD, ignore_errors=True)
    with ThreadPoolExecutor() as pool:  # the generators are processes of their own
        list(pool.map(_generate, AUTH_MODES))
    for mode in AUTH_MODES:
        _check_python(mode)
    _run(_NODE_TOOLS / "tsc", "--project", EXAMPLES / "typescript" / "tsconfig.json")
    for mode in AUTH_MODES:
        print(f"{mode}: {python_client(mode) / PACKAGE}, {typescript_driver(mode)}")


if __name__ == "__main__":
    main()
