"""Blocks of the docs that quote the benchmark's figures, rewritten by each run."""

from __future__ import annotations

from pathlib import Path


def refresh_block(path: Path, name: str, text: str) -> None:
    """Replace what lies between ``<!-- make bench: NAME -->`` and ``<!-- /make bench -->``
    in ``path`` with ``text``: a doc quotes the report's figures, never copies of them."""
    start, end = f"<!-- make bench: {name} -->", "<!-- /make bench -->"
    document = path.read_text()
    before, found, rest = document.partition(start)
    _, closed, after = rest.partition(end)
    if not (found and closed):
        raise ValueError(f"{path} has no {start} ... {end} block")
    path.write_text(f"{before}{start}\n{text}\n{end}{after}")
