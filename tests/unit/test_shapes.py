"""Every success body a handler answers is exactly the shape the OpenAPI document publishes
for it: the handlers render with the same declaration the document is built from."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from stats_api import stored_items
from stats_api.analytics_writes import analytics_writes
from stats_api.contributions import Contribution
from stats_api.routes import ROUTES, Route
from stats_tools import openapi
from tests.support.handler_client import USER, call, record, session_body

SCHEMAS = openapi.document()["components"]["schemas"]


@pytest.mark.usefixtures("dynamodb")
@pytest.mark.parametrize("route", ROUTES, ids=[route.operation_id for route in ROUTES])
def test_should_answer_each_success_with_the_documented_shape(route: Route) -> None:
    recorded = record(body=session_body(timeStudied=0.1, averageScore=87.123456))
    parameters = {"courseId": recorded.body["courseId"], "sessionId": recorded.body["sessionId"]}
    body: Any = session_body() if route.takes_session_body else None

    if route.analytics:  # as the aggregator would, from the session's stream record
        session = stored_items.session(recorded.exact_body())
        analytics_writes().apply([Contribution(USER, session, +1, sequence=1)])

    response = call(route, {name: parameters[name] for name in route.path_parameters}, body=body)

    (success,) = [s for s in route.successes if s.status == response.status]
    if success.body is None:
        assert response.body is None
        assert "content-type" not in response.headers
        return
    schema = {**SCHEMAS[success.body], "components": {"schemas": SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(response.body)
    assert set(response.body) == set(schema["required"])
