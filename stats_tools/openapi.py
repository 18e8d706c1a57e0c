"""The API's OpenAPI 3.1 documents, one per auth mode, built from the declarations the
handlers run on.

Operations come from the route table (``routes``), the request body and the identifiers'
rules from ``identifiers`` and ``session_body``, the response bodies from ``shapes``, each
mode's security from ``auth_modes``; nothing here restates a limit. A stage authenticates
one way, so each mode has its document: every operation of an IAM or JWT document requires
its scheme (a client generated from it cannot call anonymously), and a JWT document names
each operation's scopes. ``make openapi`` writes them to ``docs/openapi/<mode>.json`` (a
test fails while one is stale), the local run serves its mode's at ``/openapi.json``, and
Redocly and Spectral lint them.
Not imported by any handler: it costs the functions nothing.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from stats_api import auth_modes, identifiers, session_body
from stats_api.auth_modes import AuthMode
from stats_api.errors import TemporarilyUnavailable
from stats_api.routes import (
    ANALYTICS_SCOPE,
    FETCH_COURSE_STATS,
    FETCH_SESSION,
    RECORD_SESSION,
    ROUTES,
    Route,
    Success,
)
from stats_api.shapes import SHAPES
from stats_tools.openapi_parts import (
    ANALYTICS_NOTE,
    COMMON_ERRORS,
    DAY_PARAMETER_OF,
    DAY_PARAMETERS,
    ERRORS,
    HISTORY_NOTE,
    PATH_PARAMETERS,
    QUERY_PARAMETERS,
    TAGS,
    USER_ID_PARAMETER,
)

LOCAL_SERVER_URL = "http://127.0.0.1:3000"
SESSION_INPUT = "SessionInput"
DOCUMENTS_FOLDER = Path("docs") / "openapi"  # make openapi: <mode>.json in it


@dataclass(frozen=True)
class Access:
    """Who may call what on the stage a document describes: its auth mode, and for JWT
    its issuer and the scopes each kind of route demands (any one of them; none: any
    valid token)."""

    mode: AuthMode = "header"
    issuer: str = LOCAL_SERVER_URL
    learner_scopes: tuple[str, ...] = ()
    analytics_scopes: tuple[str, ...] = (ANALYTICS_SCOPE,)

    def security(self, route: Route) -> list[dict[str, list[str]]]:
        """The operation's security requirements: any one of them lets the call in."""
        scopes = self.analytics_scopes if route.analytics else self.learner_scopes
        return [
            requirement
            for name, scheme in auth_modes.DOCUMENTED[self.mode].security_schemes.items()
            for requirement in (
                [{name: [scope]} for scope in scopes]
                if scheme["type"] in _SCOPED_SCHEMES and scopes
                else [{name: []}]
            )
        ]

    def security_schemes(self) -> dict[str, dict[str, Any]]:
        return {
            name: {**scheme, "openIdConnectUrl": self.issuer + auth_modes.OIDC_DISCOVERY_PATH}
            if scheme["type"] == "openIdConnect"
            else scheme
            for name, scheme in auth_modes.DOCUMENTED[self.mode].security_schemes.items()
        }


# The scheme types whose requirements list scopes (OpenAPI 3.1, Security Requirement Object).
_SCOPED_SCHEMES = ("oauth2", "openIdConnect")


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def session_input_schema() -> dict[str, Any]:
    """The POST body, as the handlers validate it."""
    return {
        **session_body.SESSION_BODY_SCHEMA,
        "description": f"A JSON object of at most {session_body.MAX_BODY_BYTES} bytes. "
        "Numbers are read as exact decimals; the range is checked on the number as sent, "
        f"then `{session_body.DECIMAL_PLACES_KEYWORD}` says to how many decimal places it "
        "is kept (rounded half-even); the response shows the kept values.",
    }


def _links() -> dict[str, Any]:
    # The reads that follow from a recorded session, as the same caller.
    course = {"path.courseId": "$response.body#/courseId"}
    return {
        FETCH_SESSION.operation_id: {
            "operationId": FETCH_SESSION.operation_id,
            "parameters": {**course, "path.sessionId": "$response.body#/sessionId"},
        },
        FETCH_COURSE_STATS.operation_id: {
            "operationId": FETCH_COURSE_STATS.operation_id,
            "parameters": course,
        },
    }


def _success(route: Route, success: Success) -> dict[str, Any]:
    if success.body is None:
        return {"description": success.description}
    return {
        "description": success.description,
        "content": {"application/json": {"schema": _ref("schemas", success.body)}},
        **({"links": _links()} if route is RECORD_SESSION else {}),
    }


def _error_statuses(route: Route, access: Access) -> list[int]:
    """What the operation may answer besides success: its function's refusals, its
    authorizer's, and every route's."""
    gateway = auth_modes.DOCUMENTED[access.mode].refusals
    return sorted({*route.refusals, *gateway, *COMMON_ERRORS})


def _operation(route: Route, access: Access) -> dict[str, Any]:
    responses = {str(success.status): _success(route, success) for success in route.successes}
    for status in _error_statuses(route, access):
        responses[str(status)] = _ref("responses", ERRORS[status][0])
    names_caller = auth_modes.DOCUMENTED[access.mode].caller_in_header and not route.analytics
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "tags": [route.tag],
        "summary": route.summary,
        "description": route.description
        + (HISTORY_NOTE if route.history else "")
        + (ANALYTICS_NOTE if route.analytics else ""),
        "security": access.security(route),
        "parameters": [_ref("parameters", name) for name in route.path_parameters]
        + [
            _ref("parameters", DAY_PARAMETER_OF.get(name, name) if route.analytics else name)
            for name in route.query_parameters
        ]
        + ([_ref("parameters", identifiers.USER_ID_HEADER)] if names_caller else []),
    }
    if route.takes_session_body:
        operation["requestBody"] = {
            "required": True,
            "content": {session_body.JSON_MEDIA_TYPE: {"schema": _ref("schemas", SESSION_INPUT)}},
        }
    operation["responses"] = responses
    return operation


def _components(access: Access) -> dict[str, Any]:
    error_body = {"application/json": {"schema": _ref("schemas", "Error")}}
    descriptions = {
        name: auth_modes.DOCUMENTED[access.mode].refusals.get(status, description)
        for status, (name, description) in ERRORS.items()
    }
    used = {status for route in ROUTES for status in _error_statuses(route, access)}
    responses: dict[str, Any] = {
        name: {"description": descriptions[name], "content": error_body}
        for status, (name, _) in ERRORS.items()
        if status in used
    }
    responses[ERRORS[TemporarilyUnavailable.status][0]]["headers"] = {
        "Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    }
    parameters: dict[str, Any] = {
        **{
            name: {"name": name, "in": "path", "required": True, **rule}
            for name, rule in PATH_PARAMETERS.items()
        },
        **{
            name: {"name": name, "in": "query", "required": False, **rule}
            for name, rule in QUERY_PARAMETERS.items()
        },
        **{key: {"in": "query", "required": False, **p} for key, p in DAY_PARAMETERS.items()},
    }
    if auth_modes.DOCUMENTED[access.mode].caller_in_header:
        parameters[identifiers.USER_ID_HEADER] = USER_ID_PARAMETER
    return {
        **({"securitySchemes": schemes} if (schemes := access.security_schemes()) else {}),
        "parameters": parameters,
        "schemas": {
            SESSION_INPUT: session_input_schema(),
            **{name: shape.json_schema() for name, shape in SHAPES.items()},
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
        },
        "responses": responses,
    }


def _version() -> str:
    try:
        return version("stats-service")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0.0.0"


MODE_SUMMARIES: dict[AuthMode, str] = {
    "header": "This document describes a stage with header auth (dev stages, `make run`): "
    "no authorizer, the caller is the `userId` header, and anyone may call the analytics "
    "operations.",
    "iam": "This document describes a stage with IAM auth: every request is signed with "
    "SigV4 (see the `sigv4` scheme), and the signer names the caller in `userId`.",
    "jwt": "This document describes a stage with JWT auth: every request carries a bearer "
    "token of the stage's OpenID Connect issuer, whose `sub` is the caller; the analytics "
    "operations demand their scope.",
}


def document(server_url: str = LOCAL_SERVER_URL, access: Access | None = None) -> dict[str, Any]:
    """The OpenAPI document of a stage served at ``server_url`` with ``access``."""
    access = access or Access(issuer=server_url)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, access)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"stats-service ({access.mode} auth)",
            "version": _version(),
            "description": "Records learners' completed study sessions and serves their "
            f"per-course stats. {MODE_SUMMARIES[access.mode]} Every error is JSON "
            '`{"message": ...}`. A path no route has answers 404; the local run answers 405 '
            "(with `Allow`) for a known path with another method, where API Gateway answers "
            "404.",
            "contact": {"name": "stats-service maintainers"},
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": _components(access),
    }


def committed_documents() -> dict[Path, dict[str, Any]]:
    """What ``make openapi`` writes: each mode's document, for the local run's defaults."""
    return {
        DOCUMENTS_FOLDER / f"{mode}.json": document(access=Access(mode=mode))
        for mode in auth_modes.AUTH_MODES
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"


def main(argv: list[str]) -> None:
    """``make openapi``: ``python -m stats_tools.openapi`` (from the repository's root)."""
    if argv:
        raise SystemExit("usage: python -m stats_tools.openapi")
    for target, doc in committed_documents().items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(doc), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
