"""How a POST body arrives in the event: as text, or base64 when API Gateway encodes it.
Whatever is wrong with the encoding is the client's 400, never a 500, and nothing is stored."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from local_run.events import api_event
from stats_api.routes import RECORD_SESSION
from tests.support.handler_client import (
    COURSE,
    USER,
    HttpResponse,
    invoke,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")


def post(body: str, *, base64_encoded: bool) -> HttpResponse:
    event = api_event(RECORD_SESSION, {"courseId": COURSE}, headers={"userId": USER})
    event["body"], event["isBase64Encoded"] = body, base64_encoded
    return invoke(RECORD_SESSION, event)


def test_should_refuse_a_text_body_holding_a_lone_surrogate_with_400(dynamodb: Any) -> None:
    # Not UTF-8 once encoded: a JSON string may spell it (\ud800), a body may not carry it.
    body = json.dumps(session_body())[:-1] + ', "note": "\ud800"}'

    response = post(body, base64_encoded=False)

    assert response.status == 400, response.body
    assert table_items(dynamodb) == []


def test_should_refuse_a_base64_body_with_characters_outside_the_alphabet(dynamodb: Any) -> None:
    encoded = base64.b64encode(json.dumps(session_body()).encode()).decode()
    assert post(encoded, base64_encoded=True).status == 201
    tainted = encoded[:8] + "!" + encoded[8:]  # dropped silently by a lenient decoder

    response = post(tainted, base64_encoded=True)

    assert response.status == 400, response.body
    assert "base64" in response.body["message"]
    assert len(table_items(dynamodb)) == 2  # the first session and its course stats
