"""Input the service would otherwise misread is refused with a 4xx that says why, and changes
nothing: a JSON key given twice, a query parameter the route does not take, a body declared
as something other than JSON. Every 400 names the field and its rule in the contract's
words (docs/api.md), never a regular expression or the validator's own phrasing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local_run.events import api_event
from stats_api import session_body as body_rules
from stats_api.errors import UnsupportedMediaType
from stats_api.routes import RECORD_SESSION, ROUTES, Route
from tests.support.handler_client import (
    COURSE,
    USER,
    call,
    fetch_course_stats,
    invoke,
    list_sessions,
    record,
    session_body,
    table_items,
)

pytestmark = pytest.mark.usefixtures("dynamodb")

SESSION_ID = "0f6ad1f0-3c1e-4b8e-9a55-7d2f0c6b9e21"
# What a validator or a regular expression would say, and the contract never does.
_NOT_THE_CONTRACT_S_WORDS = re.compile(r"[\^$\\]|\[0-9|\{'|must match|properties|data\.")


def path_parameters(route: Route) -> dict[str, str]:
    return {name: COURSE if name == "courseId" else SESSION_ID for name in route.path_parameters}


def post_raw(dynamodb: Any, raw: str | bytes, **headers: str) -> tuple[int, str]:
    """POST ``raw`` as the body; the refusal's status and message, after checking that
    nothing was stored."""
    response = record(raw_body=raw, headers=headers)
    if response.status < 400:
        return response.status, ""
    assert table_items(dynamodb) == []
    return response.status, response.body["message"]


# Duplicate keys


def test_should_refuse_a_key_given_twice_naming_it_and_store_nothing(dynamodb: Any) -> None:
    # The body: the second averageScore was the one stored.
    raw = (
        '{"averageScore": 87.5, "totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 10}'
    )

    status, message = post_raw(dynamodb, raw)

    assert status == 400
    assert message == '"averageScore" is given twice in the body: send each field once'


def test_should_refuse_a_key_given_twice_even_with_the_same_value(dynamodb: Any) -> None:
    raw = '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": 5, "timeStudied": 4}'

    assert post_raw(dynamodb, raw) == (
        400,
        '"timeStudied" is given twice in the body: send each field once',
    )


def test_should_name_a_long_duplicated_key_in_at_most_40_characters(dynamodb: Any) -> None:
    key = "k" * 500
    raw = json.dumps(session_body())[:-1] + f', "{key}": 1, "{key}": 2}}'

    status, message = post_raw(dynamodb, raw)

    assert status == 400
    assert message.startswith('"' + "k" * 35 + '..." is given twice')


def test_should_still_accept_each_field_once() -> None:
    assert record(body=session_body()).status == 201


# Unknown query parameters


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_should_refuse_a_query_parameter_the_route_does_not_take_naming_those_it_takes(
    route: Route,
) -> None:
    response = call(route, path_parameters(route), query={"sinse": "2026-01-01T00:00:00Z"})

    assert response.status == 400
    takes = (
        f"it takes {', '.join(route.query_parameters)}"
        if route.query_parameters
        else ("it takes none")
    )
    assert response.body["message"] == f'{route.route_key} has no query parameter "sinse": {takes}'


def test_should_answer_a_misspelt_window_with_400_not_lifetime_stats() -> None:
    assert record(body=session_body(completedAt="2020-01-01T00:00:00Z")).status == 201

    misspelt = fetch_course_stats(query={"sinse": "2026-01-01T00:00:00Z"})
    asked = fetch_course_stats(query={"since": "2026-01-01T00:00:00Z"})

    assert misspelt.status == 400
    assert "since, until" in misspelt.body["message"]
    assert asked.status == 404  # the window holds no session; lifetime stats would be 200


def test_should_name_every_unknown_parameter_sorted() -> None:
    response = list_sessions(zeta="1", alpha="2", limit="5")

    assert response.status == 400
    assert '"alpha", "zeta"' in response.body["message"]


def test_should_refuse_nothing_a_route_takes() -> None:
    response = list_sessions(limit="5", since="2020-01-01T00:00:00Z", until="2030-01-01T00:00:00Z")

    assert response.status == 200


def test_should_refuse_a_query_parameter_on_a_post_and_store_nothing(dynamodb: Any) -> None:
    response = record(body=session_body(), query={"dryRun": "true"})

    assert response.status == 400
    assert "it takes none" in response.body["message"]
    assert table_items(dynamodb) == []


# Content types


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
        "application/jsonx",
    ],
)
def test_should_refuse_a_body_declared_as_anything_but_json_with_415(
    dynamodb: Any, content_type: str
) -> None:
    status, message = post_raw(
        dynamodb, json.dumps(session_body()), **{"content-type": content_type}
    )

    assert status == 415
    assert message == "content-type must be application/json (UTF-8): the body is read as JSON only"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
        "application/json; charset=utf-8; foo=bar",
        "",
    ],
)
def test_should_read_json_however_its_media_type_is_spelt(content_type: str) -> None:
    response = record(body=session_body(), headers={"content-type": content_type})

    assert response.status == 201, response.body


def test_should_read_a_body_without_a_content_type_as_json() -> None:
    event = api_event(
        RECORD_SESSION,
        {"courseId": COURSE},
        headers={"userId": USER},
        body=json.dumps(session_body()),
    )
    assert "content-type" not in event["headers"]

    assert invoke(RECORD_SESSION, event).status == 201


def test_check_content_type_should_accept_none_and_refuse_other_types() -> None:
    body_rules.check_content_type(None)
    with pytest.raises(UnsupportedMediaType):
        body_rules.check_content_type("text/json")


# The contract's words


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": 5, "foo": 1}',
            'the body has fields it does not take ("foo"); it takes totalModulesStudied, '
            "timeStudied, averageScore, sessionId, completedAt",
        ),
        (
            '{"totalModulesStudied": 1e400, "timeStudied": 4, "averageScore": 5}',
            "totalModulesStudied must be a whole number from 0 to 1000",
        ),
        (
            '{"totalModulesStudied": 2.5, "timeStudied": 4, "averageScore": 5}',
            "totalModulesStudied must be a whole number from 0 to 1000",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": true, "averageScore": 5}',
            "timeStudied must be a number from 0 to 1440",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": "5"}',
            "averageScore must be a number from 0 to 100",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": 100.000001}',
            "averageScore must be a number from 0 to 100",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": 5, "sessionId": "x"}',
            "sessionId must be a UUID",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": 4, "averageScore": 5, "completedAt": 1}',
            "completedAt must be an RFC 3339 date-time with a time zone, e.g. 2026-11-27T09:40:00Z",
        ),
        ('{"totalModulesStudied": 3}', "timeStudied and averageScore are required"),
        ('{"totalModulesStudied": 3, "timeStudied": 4}', "averageScore is required"),
        ("[1, 2]", "the body must be a JSON object"),
        ('"a string"', "the body must be a JSON object"),
        ("[" * 2000 + "]" * 2000, "the body must be a JSON object"),
        (
            '{"totalModulesStudied": ' + "[" * 2000 + "]" * 2000 + "}",
            "the body's fields take numbers and strings, not arrays or objects nested this deep",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": NaN, "averageScore": 5}',
            "NaN is not a JSON number: numbers must be finite",
        ),
        (
            '{"totalModulesStudied": 3, "timeStudied": -Infinity, "averageScore": 5}',
            "-Infinity is not a JSON number: numbers must be finite",
        ),
        ('{"totalModulesStudied": 3,', "the body is not valid JSON"),
        ("   ", "a JSON body is required"),
    ],
)
def test_should_refuse_in_the_contract_s_words(dynamodb: Any, raw: str, message: str) -> None:
    status, said = post_raw(dynamodb, raw)

    assert (status, said) == (400, message)
    assert not _NOT_THE_CONTRACT_S_WORDS.search(said)


def test_should_refuse_a_body_that_is_not_utf_8(dynamodb: Any) -> None:
    # UTF-16 JSON (json.loads would detect and read it): API Gateway passes it as base64.
    raw = json.dumps(session_body()).encode("utf-16")

    assert post_raw(dynamodb, raw) == (400, "the body must be JSON in UTF-8")


def test_field_rules_should_follow_their_declaration() -> None:
    properties = body_rules.SESSION_BODY_SCHEMA["properties"]

    for name, rule in properties.items():
        said = body_rules.field_rule(name)
        assert said.startswith(f"{name} must be ")
        if "maximum" in rule:
            assert f"from {rule['minimum']} to {rule['maximum']}" in said


def test_should_name_the_route_s_parameters_in_its_own_order() -> None:
    response = list_sessions(sort="asc")

    assert response.body["message"].endswith("it takes limit, cursor, since, until")
