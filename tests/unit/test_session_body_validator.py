"""The POST body's validator is generated at build time from the one schema: the committed
module is exactly what the schema gives now, needs no third-party package, and decides as
fastjsonschema's own compiled validator decides."""

from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

import fastjsonschema
import pytest

from stats_api import session_body, session_body_validator
from stats_tools import validator_build

VALIDATION_SCHEMA = validator_build.validation_schema(session_body.SESSION_BODY_SCHEMA)
REFERENCE = fastjsonschema.compile(VALIDATION_SCHEMA, **validator_build.COMPILE_OPTIONS)
SESSION_ID = "6f1c1ae6-4a55-4a6a-9d43-1d1f0e4d2b7e"


def test_committed_validator_is_generated_from_the_schema_as_declared_now() -> None:
    committed = validator_build.TARGET.read_text()
    assert committed == validator_build.generate(), (
        "stats_api/session_body_validator.py is stale: run `make validator`"
    )


def test_validator_imports_only_the_standard_library() -> None:
    tree = ast.parse(validator_build.TARGET.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"decimal", "re"}


def test_generation_keeps_every_validation_keyword_and_drops_only_wording() -> None:
    for name, rule in session_body.SESSION_BODY_SCHEMA["properties"].items():
        kept = VALIDATION_SCHEMA["properties"][name]
        assert kept == {
            k: v for k, v in rule.items() if k != "description" and not k.startswith("x-")
        }
    assert VALIDATION_SCHEMA["required"] == session_body.SESSION_BODY_SCHEMA["required"]
    assert VALIDATION_SCHEMA["additionalProperties"] is False


BODIES: list[Any] = [
    {"totalModulesStudied": 3, "timeStudied": Decimal("42.5"), "averageScore": Decimal("87.5")},
    {"totalModulesStudied": 3, "timeStudied": 0, "averageScore": 100, "sessionId": SESSION_ID},
    {
        "totalModulesStudied": 3,
        "timeStudied": 1,
        "averageScore": 1,
        "completedAt": "2026-11-27T09:40:00Z",
    },
    {"totalModulesStudied": 3, "timeStudied": 1, "averageScore": 1, "completedAt": "yesterday"},
    {"totalModulesStudied": 3, "timeStudied": 1, "averageScore": 1, "sessionId": "not-a-uuid"},
    {"totalModulesStudied": -1, "timeStudied": 1, "averageScore": 1},
    {"totalModulesStudied": 1001, "timeStudied": 1, "averageScore": 1},
    {"totalModulesStudied": Decimal("1.5"), "timeStudied": 1, "averageScore": 1},
    {"totalModulesStudied": True, "timeStudied": 1, "averageScore": 1},
    {"totalModulesStudied": 1, "timeStudied": Decimal("1440.000001"), "averageScore": 1},
    {"totalModulesStudied": 1, "timeStudied": "1", "averageScore": 1},
    {"totalModulesStudied": 1, "timeStudied": 1, "averageScore": Decimal("100.1")},
    {"totalModulesStudied": 1, "timeStudied": 1},
    {"totalModulesStudied": 1, "timeStudied": 1, "averageScore": 1, "userId": "someone"},
    [],
    "body",
    None,
]


@pytest.mark.parametrize("body", BODIES)
def test_generated_validator_decides_as_fastjsonschema_does(body: Any) -> None:
    try:
        REFERENCE(body)
        expected = None
    except fastjsonschema.JsonSchemaValueException as error:
        expected = error.message
    try:
        session_body_validator.check(body)
        actual = None
    except session_body_validator.JsonSchemaValueException as error:
        actual = error.message
    assert actual == expected
