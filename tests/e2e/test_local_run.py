"""The local run over HTTP, where it goes beyond the contract suite (tests/e2e): its own
refusals, the payload limit, 405s, chunked bodies, the OpenAPI document, start-up errors."""

from __future__ import annotations

import http.client
import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stats_tools import openapi
from tests.support.local_process import LocalApiProcess, Reply, request, run_local_api

BODY = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}


def new_user() -> str:
    # The server lives for the whole session: each test owns its caller, hence its data.
    return f"user-{uuid.uuid4()}"


def post(api: LocalApiProcess, course: str, user: str | None, body: object = BODY) -> Reply:
    return request("POST", f"{api.url}/courses/{course}", user=user, body=body)


@pytest.mark.parametrize(
    ("method", "path", "headers", "raw_body", "names"),
    [
        ("POST", "/courses/c", {}, json.dumps(BODY).encode(), "userId"),
        ("POST", "/courses/c", {"userId": "   "}, json.dumps(BODY).encode(), "userId"),
        ("POST", "/courses/x%2Fy", {"userId": "u"}, json.dumps(BODY).encode(), "courseId"),
        ("GET", "/courses/c", {}, None, "userId"),
    ],
)
def test_should_answer_400_with_a_json_message_for_each_kind_of_bad_request(
    local_api: LocalApiProcess,
    method: str,
    path: str,
    headers: dict[str, str],
    raw_body: bytes | None,
    names: str,
) -> None:
    response = request(method, local_api.url + path, headers=headers, raw_body=raw_body)

    assert response.status == 400
    assert response.headers["content-type"] == "application/json"
    assert names in response.body["message"]


def test_should_refuse_a_payload_above_10_mb_before_reading_it(local_api: LocalApiProcess) -> None:
    address = urlsplit(local_api.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    connection.putrequest("POST", "/courses/c")
    connection.putheader("userId", "u")
    connection.putheader("content-length", str(10 * 1024 * 1024 + 1))
    connection.endheaders()  # and no body: the server must answer without waiting for it

    response = connection.getresponse()

    assert response.status == 413
    assert json.loads(response.read()) == {"message": "Request Entity Too Large"}
    connection.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/courses/"),
        ("GET", "/courses/c/"),
        ("GET", "/courses/c/sessions/"),
        ("POST", "/courses/c/sessions/x/extra"),
        ("DELETE", "/nowhere"),
    ],
)
def test_should_answer_404_for_a_path_no_route_has(
    local_api: LocalApiProcess, method: str, path: str
) -> None:
    response = request(method, local_api.url + path, user="u")

    assert response.status == 404
    assert response.body == {"message": "Not Found"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/courses/c", "GET, POST"),
        ("DELETE", "/courses/c", "GET, POST"),
        ("POST", f"/courses/c/sessions/{uuid.uuid4()}", "DELETE, GET"),
        ("POST", "/courses", "GET"),
        ("QUERY", "/courses/c", "GET, POST"),
    ],
)
def test_should_answer_405_with_allow_for_a_known_path_and_another_method(
    local_api: LocalApiProcess, method: str, path: str, allowed: str
) -> None:
    response = request(method, local_api.url + path, user="u")

    assert response.status == 405
    assert response.headers["allow"] == allowed
    assert response.body == {"message": "Method Not Allowed"}


def test_should_find_the_user_header_whatever_its_case(local_api: LocalApiProcess) -> None:
    user = new_user()
    assert post(local_api, "c", None, BODY).status == 400

    recorded = request("POST", f"{local_api.url}/courses/c", headers={"USERID": user}, body=BODY)

    assert recorded.status == 201
    assert request("GET", f"{local_api.url}/courses/c", headers={"userid": user}).status == 200


def test_should_tag_each_response_with_its_request_id(local_api: LocalApiProcess) -> None:
    first = request("GET", f"{local_api.url}/courses/c", user="u")
    second = request("GET", f"{local_api.url}/courses/c", user="u")

    ids = {first.headers["apigw-requestid"], second.headers["apigw-requestid"]}
    assert len(ids) == 2
    # The handler logs with the same id as its correlation id.
    assert first.headers["apigw-requestid"] in local_api.stdout()


def test_should_accept_a_chunked_body(local_api: LocalApiProcess) -> None:
    user = new_user()
    address = urlsplit(local_api.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    chunks = iter([b'{"totalModulesStudied": 1, ', b'"timeStudied": 2, "averageScore": 3}'])

    connection.request(
        "POST", "/courses/c", body=chunks, headers={"userId": user}, encode_chunked=True
    )
    response = connection.getresponse()

    assert response.status == 201
    assert json.loads(response.read())["timeStudied"] == 2
    connection.close()


def test_should_answer_head_without_a_body(local_api: LocalApiProcess) -> None:
    response = request("HEAD", f"{local_api.url}/openapi.json")

    assert response.status == 200
    assert response.raw == b""
    assert int(response.headers["content-length"]) > 0


def test_should_serve_the_openapi_document_of_its_own_url(local_api: LocalApiProcess) -> None:
    response = request("GET", f"{local_api.url}/openapi.json")

    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.body == openapi.document(local_api.url)
    assert request("POST", f"{local_api.url}/openapi.json").headers["allow"] == "GET"


def test_should_refuse_in_one_line_to_start_on_a_port_in_use(local_api: LocalApiProcess) -> None:
    port = urlsplit(local_api.url).port
    assert port is not None

    run = run_local_api(port)

    assert run.returncode != 0
    assert run.stderr == f"error: port {port} is in use; set PORT to another port\n"
    assert run.stdout == ""


@pytest.mark.parametrize("port", ["http", "70000", "-1"])
def test_should_refuse_a_port_that_is_not_one(port: str) -> None:
    run = run_local_api(port)

    assert run.returncode == 2
    assert run.stderr.startswith("error: PORT must be a number")
    assert run.stderr.count("\n") == 1


def test_should_refuse_an_unknown_auth_mode_in_one_line() -> None:
    run = run_local_api(0, AUTH="magic")

    assert run.returncode == 2
    assert run.stderr == "error: AUTH must be one of header, iam, jwt, not 'magic'\n"


def test_should_stop_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    with LocalApiProcess(tmp_path, auth="header") as server:  # killed whatever happens
        assert request("GET", f"{server.url}/courses/c", user="u").status == 404

        exit_code = server.interrupt()

    assert exit_code == 0
    assert server.stderr().rstrip().endswith("stopped")
    assert "Traceback" not in server.stderr()
    assert "http://127.0.0.1:" in server.stdout()
    assert "curl -s -X POST" in server.stdout()


def test_should_leave_no_server_behind_when_a_check_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError), LocalApiProcess(tmp_path, auth="header") as server:
        raise AssertionError("a check failed before Ctrl-C")

    assert server.process.poll() is not None  # killed and reaped


def test_should_answer_browsers_at_the_origins_cors_origins_names(tmp_path: Path) -> None:
    origin = "http://localhost:5173"
    env = {"CORS_ORIGINS": f"https://learn.example.com,{origin}"}
    with LocalApiProcess(tmp_path, auth="iam", env=env) as server:
        preflight = request(
            "OPTIONS",
            f"{server.url}/courses/c",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        refused = request("GET", f"{server.url}/courses/c", headers={"Origin": origin})
        assert server.interrupt() == 0

    assert preflight.status == 204  # before the IAM authorizer, which would refuse it
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "x-amz-date" in preflight.headers["access-control-allow-headers"].split(",")
    assert refused.status == 403  # unsigned, and the page may read why
    assert refused.headers["access-control-allow-origin"] == origin
    assert f"CORS: browsers at https://learn.example.com, {origin}" in server.stdout()


def test_should_refuse_a_cors_origin_a_stage_would_refuse_in_one_line() -> None:
    run = run_local_api(0, CORS_ORIGINS="http://learn.example.com")

    assert run.returncode == 2
    assert run.stderr == (
        "error: cors origin 'http://learn.example.com' must be https://host or "
        "http://localhost[:port]\n"
    )
