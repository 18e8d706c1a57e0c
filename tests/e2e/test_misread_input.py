"""Input the service would misread, over HTTP in every auth mode: each request gets its
documented 4xx, and the caller's data is as it was (docs/api.md, "Input that would be
misread")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.api_client import Api, Caller

BODY = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}
MISREAD: dict[str, dict[str, Any]] = {
    "a key given twice": {
        "raw_body": b'{"averageScore": 87.5, "totalModulesStudied": 3, "timeStudied": 42.5, '
        b'"averageScore": 10}',
        "expected": (400, '"averageScore" is given twice in the body: send each field once'),
    },
    "a text/plain body": {
        "raw_body": json.dumps(BODY).encode(),
        "headers": {"content-type": "text/plain"},
        "expected": (
            415,
            "content-type must be application/json (UTF-8): the body is read as JSON only",
        ),
    },
    "a query parameter a POST does not take": {
        "query": "?dryRun=true",
        "raw_body": json.dumps(BODY).encode(),
        "expected": (
            400,
            'POST /courses/{courseId} has no query parameter "dryRun": it takes none',
        ),
    },
    "an unknown field": {
        "raw_body": json.dumps({**BODY, "foo": 1}).encode(),
        "expected": (
            400,
            'the body has fields it does not take ("foo"); it takes totalModulesStudied, '
            "timeStudied, averageScore, sessionId, completedAt",
        ),
    },
    "a session id that is not a UUID": {
        "raw_body": json.dumps({**BODY, "sessionId": "not-a-uuid"}).encode(),
        "expected": (400, "sessionId must be a UUID"),
    },
    "1e400 modules": {
        "raw_body": b'{"totalModulesStudied": 1e400, "timeStudied": 42.5, "averageScore": 87.5}',
        "expected": (400, "totalModulesStudied must be a whole number from 0 to 1000"),
    },
    "a 2,000-deep array": {
        "raw_body": b"[" * 2000 + b"]" * 2000,
        "expected": (400, "the body must be a JSON object"),
    },
}


def snapshot(api: Api, caller: Caller, course: str) -> tuple[Any, Any]:
    """What the caller's data looks like through the API: the course stats, its sessions."""
    stats = api.call("GET", f"/courses/{course}", caller)
    sessions = api.call("GET", f"/courses/{course}/sessions?limit=100", caller)
    return (stats.status, stats.body), (sessions.status, sessions.body)


@pytest.mark.parametrize("case", MISREAD, ids=MISREAD.keys())
def test_should_refuse_a_post_it_would_misread_and_change_nothing(
    api: Api, caller: Caller, course: str, case: str
) -> None:
    assert api.session(caller, course, BODY).status == 201
    before = snapshot(api, caller, course)
    given = MISREAD[case]

    response = api.call(
        "POST",
        f"/courses/{course}{given.get('query', '')}",
        caller,
        raw_body=given["raw_body"],
        headers=given.get("headers"),
    )

    assert (response.status, response.body["message"]) == given["expected"]
    assert snapshot(api, caller, course) == before


def test_should_refuse_a_misspelt_window_instead_of_answering_lifetime_stats(
    api: Api, caller: Caller, course: str
) -> None:
    assert api.session(caller, course, BODY).status == 201

    misspelt = api.call("GET", f"/courses/{course}?sinse=2026-01-01T00:00:00Z", caller)

    assert misspelt.status == 400
    assert misspelt.body["message"] == (
        'GET /courses/{courseId} has no query parameter "sinse": it takes since, until'
    )


def test_should_refuse_a_user_header_beyond_ascii_and_change_nothing(
    api: Api, caller: Caller, course: str
) -> None:
    if not api.signing.caller_in_header:
        pytest.skip("a JWT stage takes the caller from the token, never from the header")
    assert api.session(caller, course, BODY).status == 201
    before = snapshot(api, caller, course)

    # Latin-1 on the wire (as a browser sends it): read as another text by another client.
    response = api.call(
        "POST", f"/courses/{course}", caller, body=BODY, headers={"userId": "Jos\u00e9"}
    )

    assert response.status == 400
    assert response.body["message"] == "the userId header must be 1-128 printable ASCII characters"
    assert snapshot(api, caller, course) == before
