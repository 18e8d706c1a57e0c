"""``make event-schemas``: the JSON Schema of each learning event, written to docs/events/
from ``stats_api.learning_events`` (the construct registers the same schemas in its
EventBridge schema registry); a unit test fails while a committed file is stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stats_api.learning_events import EVENT_KINDS

DIRECTORY = Path(__file__).resolve().parent.parent / "docs" / "events"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2) + "\n"


def files() -> dict[Path, str]:
    """Each event's schema file and its text, as ``make event-schemas`` writes them."""
    return {
        DIRECTORY / f"{name}.json": render(kind.event_schema())
        for name, kind in EVENT_KINDS.items()
    }


def main() -> None:
    DIRECTORY.mkdir(exist_ok=True)
    for path, text in files().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DIRECTORY.parent.parent)}")


if __name__ == "__main__":
    main()
