"""The bus learning events go to, through one EventBridge client per process."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

from stats_api.shared_names import EVENT_BUS_NAME_ENV

# A stuck call fails well inside the publisher's timeout; the batch is retried from the
# record whose event was not taken (event_publishing), so no retry here goes on for long.
CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
)


@functools.cache
def _events_client() -> Any:
    return boto3.client("events", config=CLIENT_CONFIG)


def bus_name() -> str:
    return os.environ[EVENT_BUS_NAME_ENV]


def put_entries(entries: list[dict[str, Any]]) -> Mapping[str, Any]:
    """PutEvents of ``entries`` (at most 10); its answer, one per entry."""
    answer: Mapping[str, Any] = _events_client().put_events(Entries=entries)
    return answer
