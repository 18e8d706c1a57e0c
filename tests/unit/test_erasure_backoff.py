"""Erasure retries what DynamoDB leaves unprocessed with exponential backoff (docs/design.md):
each wait doubles the one before, from a fraction of a second, up to a ceiling of seconds,
and after ``BATCH_WRITE_ATTEMPTS`` tries the store gives up with 503's "not now"."""

from __future__ import annotations

from typing import Any

import pytest

from stats_api.errors import TemporarilyUnavailable
from stats_api.table_access import default_table
from stats_devkit.store_probe import StoreProbe
from stats_tools.erasure import BATCH_WRITE_ATTEMPTS, delete_items, learner_keys
from tests.support.handler_client import TABLE, USER, record, session_body

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_should_wait_twice_as_long_before_each_retry_up_to_a_ceiling_then_give_up(
    store_probe: StoreProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert record(body=session_body()).status == 201
    keys = list(learner_keys(default_table(), USER))
    unprocessed = {
        "UnprocessedItems": {
            TABLE: [{"DeleteRequest": {"Key": {n: {"S": v} for n, v in k.items()}}} for k in keys]
        },
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    store_probe.answer_next("BatchWriteItem", *[unprocessed] * BATCH_WRITE_ATTEMPTS)
    waits: list[float] = []
    monkeypatch.setattr("stats_tools.erasure.time.sleep", waits.append)

    with pytest.raises(TemporarilyUnavailable):
        delete_items(default_table(), keys)

    assert len(waits) == BATCH_WRITE_ATTEMPTS - 1  # none before the first try
    assert 0 < waits[0] < 1
    ceiling = max(waits)
    assert 1 <= ceiling <= 5
    doubled = [min(2 * wait, ceiling) for wait in waits[:-1]]
    assert waits[1:] == pytest.approx(doubled)
    assert waits[-1] == ceiling > waits[-2]
    assert store_probe.operations.count("BatchWriteItem") == BATCH_WRITE_ATTEMPTS


def test_should_not_wait_when_the_first_try_takes_every_item(
    store_probe: StoreProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert record(body=session_body()).status == 201
    waits: list[Any] = []
    monkeypatch.setattr("stats_tools.erasure.time.sleep", waits.append)

    delete_items(default_table(), list(learner_keys(default_table(), USER)))

    assert waits == []
    assert store_probe.operations.count("BatchWriteItem") == 1
