"""The OpenAPI document: committed as generated, valid, and saying exactly what the handlers'
validation does: every limit, pattern and decimal rule is read from the document and checked
against the handlers' own validation functions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from local_run import openapi
from stats_api import session_rules
from stats_api.errors import RequestError, TemporarilyUnavailable
from stats_api.routes import ROUTES

DOC = openapi.document()
BODY_SCHEMA: dict[str, Any] = DOC["components"]["schemas"]["SessionInput"]
PARAMETERS: dict[str, Any] = DOC["components"]["parameters"]
# JSON texts of the fields, so that a test controls exactly how each number is spelled.
VALID_BODY = {"totalModulesStudied": "3", "timeStudied": "45.5", "averageScore": "87.25"}
PROPERTY_CHECKS = settings(max_examples=300, database=None, deadline=None)


def accepts_body(fields: dict[str, str]) -> bool:
    """Whether the handlers accept a body whose fields are these JSON texts."""
    raw = "{" + ", ".join(f'"{name}": {text}' for name, text in fields.items()) + "}"
    try:
        session_rules.session_body(raw.encode())
    except RequestError:
        return False
    return True


def documented(value: Decimal, schema: dict[str, Any]) -> bool:
    """Whether ``value`` is valid under a numeric schema, read with JSON's exact decimals."""
    if schema["type"] == "integer" and value != value.to_integral_value():
        return False
    if "multipleOf" in schema and Fraction(value) % Fraction(str(schema["multipleOf"])) != 0:
        return False
    return Decimal(schema["minimum"]) <= value <= Decimal(schema["maximum"])


def accepts(rule: Callable[[str], object], value: str) -> bool:
    """Whether a handler's validation ``rule`` lets ``value`` through."""
    try:
        rule(value)
    except RequestError:
        return False
    return True


def matches(schema: dict[str, Any], value: str) -> bool:
    return re.search(schema["pattern"], value) is not None  # JSON Schema's pattern semantics


def test_should_commit_the_document_as_generated() -> None:
    committed = openapi.COMMITTED_DOCUMENT.read_text(encoding="utf-8")

    assert committed == openapi.render(DOC), "docs/openapi.json is stale: run `make openapi`"


def test_should_be_a_valid_openapi_3_1_document() -> None:
    validate(json.loads(openapi.render(DOC)))

    assert DOC["openapi"].startswith("3.1")


def test_should_document_exactly_the_route_table() -> None:
    operations = {
        (method.upper(), path, operation["operationId"])
        for path, methods in DOC["paths"].items()
        for method, operation in methods.items()
    }

    assert operations == {(r.method, r.path, r.operation_id) for r in ROUTES}


def test_should_document_every_status_the_handlers_answer() -> None:
    statuses = {
        int(status)
        for methods in DOC["paths"].values()
        for operation in methods.values()
        for status in operation["responses"]
    }
    refusals = {error.status for error in RequestError.__subclasses__()}

    assert refusals | {200, 201, 500, TemporarilyUnavailable.status} <= statuses
    for methods in DOC["paths"].values():
        for operation in methods.values():
            assert {"400", "500", "503"} <= operation["responses"].keys()


def test_should_require_the_user_header_on_every_operation() -> None:
    for methods in DOC["paths"].values():
        for operation in methods.values():
            assert {"$ref": "#/components/parameters/userId"} in operation["parameters"]
    assert PARAMETERS["userId"]["required"] is True
    assert PARAMETERS["userId"]["name"] == session_rules.USER_ID_HEADER


@pytest.mark.parametrize("field", sorted(session_rules.SESSION_BODY_SCHEMA["required"]))
def test_should_refuse_a_body_without_a_documented_required_field(field: str) -> None:
    assert field in BODY_SCHEMA["required"]
    body = {name: text for name, text in VALID_BODY.items() if name != field}

    assert not accepts_body(body)
    assert accepts_body(VALID_BODY)


def test_should_refuse_a_field_the_document_does_not_declare() -> None:
    assert BODY_SCHEMA["additionalProperties"] is False

    assert not accepts_body({**VALID_BODY, "userId": '"someone-else"'})


@pytest.mark.parametrize("field", ["totalModulesStudied", "timeStudied", "averageScore"])
def test_should_accept_the_documented_bounds_and_refuse_one_step_beyond(field: str) -> None:
    schema = BODY_SCHEMA["properties"][field]
    step = Decimal(str(schema.get("multipleOf", 1)))
    low, high = Decimal(schema["minimum"]), Decimal(schema["maximum"])

    def accepts(value: Decimal) -> bool:
        return accepts_body({**VALID_BODY, field: str(value)})

    assert accepts(low)
    assert accepts(high)
    assert not accepts(low - step)
    assert not accepts(high + step)
    # Finer than the documented step: refused whatever the number's size.
    assert not accepts(high - step / 10)


def test_should_publish_the_decimal_places_rule_on_every_decimal_field() -> None:
    for name, schema in BODY_SCHEMA["properties"].items():
        if schema.get("type") != "number":
            continue
        assert Fraction(str(schema["multipleOf"])) == Fraction(
            1, 10**session_rules.MAX_DECIMAL_PLACES
        ), name
        assert accepts_body({**VALID_BODY, name: "0.000001"})
        assert not accepts_body({**VALID_BODY, name: "0.0000001"})


@PROPERTY_CHECKS
@given(
    field=st.sampled_from(["totalModulesStudied", "timeStudied", "averageScore"]),
    digits=st.integers(min_value=-3_000_000_000, max_value=3_000_000_000),
    places=st.integers(min_value=0, max_value=9),
)
def test_should_accept_a_number_exactly_when_the_document_says_it_is_valid(
    field: str, digits: int, places: int
) -> None:
    value = Decimal(digits).scaleb(-places)  # spelled many ways: 12.50, 1.25E+3, 0E-7
    schema = BODY_SCHEMA["properties"][field]

    assert accepts_body({**VALID_BODY, field: str(value)}) == documented(value, schema)


@PROPERTY_CHECKS
@given(
    value=st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=140).filter(
        lambda v: v == v.strip()
    )
)
def test_should_accept_a_user_header_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    # The values a header can carry on the wire: ASCII, no surrounding white space.
    assert accepts(session_rules.user_id, value) == matches(PARAMETERS["userId"]["schema"], value)


@PROPERTY_CHECKS
@given(value=st.text(max_size=70) | st.from_regex(session_rules.COURSE_ID_PATTERN, fullmatch=True))
def test_should_accept_a_course_id_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    assert accepts(session_rules.course_id, value) == matches(
        PARAMETERS["courseId"]["schema"], value
    )


@PROPERTY_CHECKS
@given(
    value=st.uuids().map(str)
    | st.uuids().map(lambda u: str(u).upper())
    | st.text(alphabet="0123456789abcdefABCDEFgx-{}", max_size=40)
)
def test_should_accept_a_session_id_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    accepted = accepts(session_rules.session_id, value)

    assert accepted == matches(PARAMETERS["sessionId"]["schema"], value)
    assert accepted == matches(BODY_SCHEMA["properties"]["sessionId"], value)


def test_should_link_a_recorded_session_to_its_reads_as_the_same_caller() -> None:
    created = DOC["paths"]["/courses/{courseId}"]["post"]["responses"]["201"]

    links = created["links"]

    assert {link["operationId"] for link in links.values()} == {"fetchSession", "fetchCourseStats"}
    for link in links.values():
        assert link["parameters"]["header.userId"] == "$request.header.userId"
