"""The OpenAPI documents, one per auth mode: committed as generated, valid, typing each
mode's auth per operation, and saying exactly what the handlers' validation does: every
limit, pattern and decimal rule is read from the document and checked against the handlers'
own validation functions."""

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
from stats_api.auth_modes import AUTH_MODES, AuthMode
from stats_api.errors import RequestError, TemporarilyUnavailable
from stats_api.routes import ROUTES
from stats_tools import openapi
from tests.support import REPO_ROOT

DOCS: dict[AuthMode, dict[str, Any]] = {
    mode: openapi.document(access=openapi.Access(mode)) for mode in AUTH_MODES
}
DOC = DOCS["header"]
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
    """JSON Schema's pattern semantics: a search, in ECMA-262's dialect, where ``$`` is the
    end of the text (Python's ``\\Z``; its ``$`` also matches before a final newline)."""
    pattern = re.sub(r"\$$", r"\\Z", schema["pattern"])
    return re.search(pattern, value) is not None


def operations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(path, operation)`` for every operation of ``doc``."""
    return [
        (path, operation)
        for path, methods in doc["paths"].items()
        for operation in methods.values()
    ]


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_should_commit_each_mode_s_document_as_generated(mode: AuthMode) -> None:
    committed = (REPO_ROOT / "docs" / "openapi" / f"{mode}.json").read_text(encoding="utf-8")

    assert committed == openapi.render(DOCS[mode]), "docs/openapi is stale: run `make openapi`"


def test_should_commit_exactly_one_document_per_mode() -> None:
    committed = sorted(path.name for path in (REPO_ROOT / "docs" / "openapi").iterdir())

    assert committed == ["header.json", "iam.json", "jwt.json"]
    assert sorted(openapi.committed_documents()) == [
        openapi.DOCUMENTS_FOLDER / name for name in committed
    ]


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_should_be_a_valid_openapi_3_1_document(mode: AuthMode) -> None:
    validate(json.loads(openapi.render(DOCS[mode])))

    assert DOCS[mode]["openapi"].startswith("3.1")


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_should_document_exactly_the_route_table(mode: AuthMode) -> None:
    documented = {
        (method.upper(), path, operation["operationId"])
        for path, methods in DOCS[mode]["paths"].items()
        for method, operation in methods.items()
    }

    assert documented == {(r.method, r.path, r.operation_id) for r in ROUTES}


def test_should_document_every_status_the_handlers_answer() -> None:
    statuses = {
        int(status) for _, operation in operations(DOC) for status in operation["responses"]
    }
    refusals = {error.status for error in RequestError.__subclasses__()}

    assert refusals | {200, 201, 500, TemporarilyUnavailable.status} <= statuses
    for _, operation in operations(DOC):
        assert {"400", "500", "503"} <= operation["responses"].keys()
    assert "415" in DOC["paths"]["/courses/{courseId}"]["post"]["responses"]


def test_should_describe_every_cause_of_a_conflict_and_a_refused_media_type() -> None:
    responses = DOC["components"]["responses"]

    assert "completedAt" in responses["Conflict"]["description"]
    assert "application/json" in responses["UnsupportedMediaType"]["description"]
    assert "twice" in responses["BadRequest"]["description"]


def test_header_auth_should_authenticate_no_one_and_take_the_caller_from_the_header() -> None:
    assert "securitySchemes" not in DOC["components"]
    assert "security" not in DOC
    user_header = DOC["components"]["parameters"]["userId"]
    assert (user_header["in"], user_header["required"]) == ("header", True)
    for path, operation in operations(DOC):
        assert operation["security"] == []
        # The analytics routes answer across learners: they name no caller.
        names_caller = {"$ref": "#/components/parameters/userId"} in operation["parameters"]
        assert names_caller != path.startswith("/analytics/"), path
        assert not {"401", "403"} & operation["responses"].keys()


def test_iam_auth_should_require_a_sigv4_signature_on_every_operation() -> None:
    doc = DOCS["iam"]

    assert doc["components"]["securitySchemes"] == {
        "sigv4": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": doc["components"]["securitySchemes"]["sigv4"]["description"],
            "x-amazon-apigateway-authtype": "awsSigv4",
        }
    }
    assert "security" not in doc
    for path, operation in operations(doc):
        assert operation["security"] == [{"sigv4": []}], path
        assert "403" in operation["responses"]
        names_caller = {"$ref": "#/components/parameters/userId"} in operation["parameters"]
        assert names_caller != path.startswith("/analytics/"), path


def test_jwt_auth_should_require_a_token_and_name_the_analytics_scope_per_operation() -> None:
    doc = DOCS["jwt"]

    assert doc["components"]["securitySchemes"]["jwt"]["type"] == "openIdConnect"
    assert (
        doc["components"]["securitySchemes"]["jwt"]["openIdConnectUrl"]
        == "http://127.0.0.1:3000/.well-known/openid-configuration"
    )
    assert "security" not in doc
    assert "userId" not in doc["components"]["parameters"]  # the token's sub is the caller
    for path, operation in operations(doc):
        expected = (
            [{"jwt": ["stats/analytics.read"]}] if path.startswith("/analytics/") else [{"jwt": []}]
        )
        assert operation["security"] == expected, path
        assert {"401", "403"} <= operation["responses"].keys()


def test_jwt_auth_should_let_any_one_of_a_stage_s_scopes_in() -> None:
    access = openapi.Access("jwt", "https://issuer.example", ("stats/read", "stats/write"), ("a",))
    doc = openapi.document("https://api.example", access)

    learner = doc["paths"]["/courses"]["get"]["security"]
    analytics = doc["paths"]["/analytics/courses/{courseId}"]["get"]["security"]

    assert learner == [{"jwt": ["stats/read"]}, {"jwt": ["stats/write"]}]
    assert analytics == [{"jwt": ["a"]}]
    assert doc["components"]["securitySchemes"]["jwt"]["openIdConnectUrl"] == (
        "https://issuer.example/.well-known/openid-configuration"
    )


@pytest.mark.parametrize("mode", AUTH_MODES)
def test_every_requirement_should_name_a_declared_scheme_and_never_be_anonymous(
    mode: AuthMode,
) -> None:
    schemes = DOCS[mode]["components"].get("securitySchemes", {})
    for _, operation in operations(DOCS[mode]):
        for requirement in operation["security"]:
            assert requirement  # {} would make auth optional in every generated client
            assert requirement.keys() <= schemes.keys()


def test_should_type_path_session_ids_as_uuids() -> None:
    assert DOC["components"]["parameters"]["sessionId"]["schema"]["format"] == "uuid"


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
    value=(st.text(max_size=140) | st.text(st.characters(max_codepoint=127), max_size=140)).filter(
        lambda v: v == v.strip(" \t")
    )
)
def test_should_accept_a_user_header_exactly_when_it_matches_the_documented_pattern(
    value: str,
) -> None:
    # Any text a header could be decoded to; HTTP strips the white space around a value.
    documented = PARAMETERS[identifiers.USER_ID_HEADER]["schema"]
    assert accepts(identifiers.user_id, value) == matches(documented, value)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("a", True), ("a" * 128, True), ("a" * 129, False), ("Jos\u00e9", False), ("a\nb", False)],
)
def test_should_document_the_user_header_s_ends_and_its_ascii_rule(
    value: str, accepted: bool
) -> None:
    documented = PARAMETERS[identifiers.USER_ID_HEADER]["schema"]

    assert matches(documented, value) == accepted
    assert accepts(identifiers.user_id, value) == accepted


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
