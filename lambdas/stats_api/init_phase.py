"""A function's init as the garbage collector sees it.

Init (the handler's imports, then its DynamoDB client) allocates what lives as long as the
process: the collector's passes over it free nothing, yet took ~7% of each cold start.
``begin`` (run by ``stats_api.handlers`` before any handler's import) puts them off; ``end``
(run once the client exists, ``dynamodb_calls.new_client``) freezes what init left, out of
the collector's sight so that no full pass walks it again, and gives back the thresholds
Python had. A process that never creates a client still collects, every
``INIT_THRESHOLD`` allocations. Only the functions' handlers begin it: the CDK construct
and the tools, which import the declarations, keep their collector as it was.
"""

from __future__ import annotations

import gc

INIT_THRESHOLD = 200_000  # allocations between two collections: more than init makes (~90,000)
_RUNTIME_THRESHOLDS = gc.get_threshold()


def begin() -> None:
    gc.set_threshold(INIT_THRESHOLD, *_RUNTIME_THRESHOLDS[1:])


def end() -> None:
    gc.freeze()
    gc.set_threshold(*_RUNTIME_THRESHOLDS)
