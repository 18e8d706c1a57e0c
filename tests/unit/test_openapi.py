"""The OpenAPI document: committed as generated, valid, and saying exactly what the handlers'
validation does: every limit, pattern and decimal rule is read from the document and checked
against the handlers' own validation functions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from stats_api import identifiers
from stats_api import session_body as body_rules
from stats_api.errors import RequestError, TemporarilyUnavailable
from stats_api.routes import ROUTES
from stats_tools import openapi
from tests.support import REPO_ROOT

COMMITTED_DOCUMENT = REPO_ROOT / "docs" / "openapi.json"
DOC = openapi.document()
BODY_SCHEMA: dict[str, Any] = DOC["components"]["schemas"]["SessionInput"]
PARAMETERS: dict[str, Any] = DOC["components"]["parameters"]
# JSON texts of the fields, so that a test controls exactly how each number is spelled.
VALID_BODY = {"totalModulesStudied": "3", "timeStudied": "45.5", "averageScore": "87.25"}
# Derandomised: the same examples on every run and machine, so a failure reproduces and CI
# cannot pass or fail by chance. Widen the search by changing max_examples, not the seed.
PROPERTY_CHECKS = settings(max_examples=300, database=None, deadline=None, derandomize=True)


def accepts_body(fields: dict[str, str]) -> bool:
    """Whether the handlers accept a body whose fields are these JSON texts."""
    raw = "{" + ", ".join(f'"{name}": {text}' for name, text in fields.items()) + "}"
    try:
        body_rules.parse(raw.encode())
    except RequestError:
        return False
    return True


def documented(value: Decimal, schema: dict[str, Any]) -> bool:
    """Whether ``value`` is valid under a numeric schema, read with JSON's exact decimals
    (the kept decimal places round, they never refuse)."""
    if schema["type"] == "integer" and value != value.to_integral_value():
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
    committed = COMMITTED_DOCUMENT.read_text(encoding="utf-8")

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


def test_should_declare_the_auth_modes_and_not_require_the_header_where_a_jwt_decides() -> None:
    schemes = DOC["components"]["securitySchemes"]
    user_header = PARAMETERS[identifiers.USER_ID_HEADER]

    assert schemes["jwt"]["scheme"] == "bearer"
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    # Any one of: no authentication (header-auth stages), a SigV4 signature, a JWT.
    assert DOC["security"] == [{}, {"sigv4": []}, {"jwt": []}]
    assert (user_header["in"], user_header["required"]) == ("header", False)
    for path, methods in DOC["paths"].items():
        for operation in methods.values():
            assert "security" not in operation
            # The analytics routes answer across learners: they name no caller.
            names_caller = {"$ref": "#/components/parameters/userId"} in operation["parameters"]
            assert names_caller != path.startswith("/analytics/"), path


@pytest.mark.parametrize("field", sorted(body_rules.SESSION_BODY_SCHEMA["required"]))
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
    # Integers step by 1; numbers are checked as sent, so any step beyond a bound counts,
    # finer than the kept places too (100.0000001 would be kept as 100).
    steps = [Decimal(1)] if schema["type"] == "integer" else [Decimal("1E-7"), Decimal("1E-40")]
    low, high = Decimal(schema["minimum"]), Decimal(schema["maximum"])

    def accepts(value: Decimal) -> bool:
        return accepts_body({**VALID_BODY, field: str(value)})

    assert accepts(low)
    assert accepts(high)
    with localcontext(prec=100):  # beyond a bound by 1E-40 exactly, not rounded back onto it
        beyond = [bound for step in steps for bound in (low - step, high + step)]
    assert not any(accepts(value) for value in beyond)


def test_should_publish_the_kept_decimal_places_on_every_decimal_field() -> None:
    for name, schema in BODY_SCHEMA["properties"].items():
        if schema.get("type") != "number":
            continue
        places = body_rules.MAX_DECIMAL_PLACES
        assert schema[body_rules.DECIMAL_PLACES_KEYWORD] == places
        assert f"kept to {places} decimal places, rounded half-even" in schema["description"]
        assert "multipleOf" not in schema, name  # it would refuse what is kept by rounding
        assert accepts_body({**VALID_BODY, name: "0.0000001"})


@pytest.mark.parametrize("minutes", [0.1, 1.1, 87.123456, 1440, 0])
def test_should_let_off_the_shelf_validators_accept_what_the_handlers_accept(
    minutes: float,
) -> None:
    # python-jsonschema reads JSON numbers as floats, as most validators do: the published
    # schema must not refuse valid data there (multipleOf 0.000001 made it refuse 0.1).
    body = {"totalModulesStudied": 3, "timeStudied": minutes, "averageScore": 87.123456}
    validator = jsonschema.Draft202012Validator(BODY_SCHEMA)

    assert not list(validator.iter_errors(body))
    assert accepts_body({name: json.dumps(value) for name, value in body.items()})


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
    documented = PARAMETERS[identifiers.USER_ID_HEADER]["schema"]
    assert accepts(identifiers.user_id, value) == matches(documented, value)


@PROPERTY_CHECKS
@given(value=st.text(max_size=70) | st.from_regex(identifiers.COURSE_ID_PATTERN, fullmatch=True))
def test_should_accept_a_course_id_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    assert accepts(identifiers.course_id, value) == matches(PARAMETERS["courseId"]["schema"], value)


@PROPERTY_CHECKS
@given(
    value=st.uuids().map(str)
    | st.uuids().map(lambda u: str(u).upper())
    | st.text(alphabet="0123456789abcdefABCDEFgx-{}", max_size=40)
)
def test_should_accept_a_session_id_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    accepted = accepts(identifiers.session_id, value)

    assert accepted == matches(PARAMETERS["sessionId"]["schema"], value)
    assert accepted == matches(BODY_SCHEMA["properties"]["sessionId"], value)


def test_should_link_a_recorded_session_to_its_reads() -> None:
    created = DOC["paths"]["/courses/{courseId}"]["post"]["responses"]["201"]

    links = created["links"]

    assert {link["operationId"] for link in links.values()} == {"fetchSession", "fetchCourseStats"}
    for link in links.values():
        assert link["parameters"]["path.courseId"] == "$response.body#/courseId"
