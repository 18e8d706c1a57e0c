"""End to end over HTTP: ``python -m local_run`` answers every route as the contract says."""

from __future__ import annotations

import http.client
import json
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from local_api import LocalApiProcess, Reply, request, run_local_api

from local_run import openapi
from stats_api.session_rules import MAX_BODY_BYTES

BODY = {"totalModulesStudied": 3, "timeStudied": 42.5, "averageScore": 87.5}


def new_user() -> str:
    # The server lives for the whole session: each test owns its caller, hence its data.
    return f"user-{uuid.uuid4()}"


def post(api: LocalApiProcess, course: str, user: str | None, body: object = BODY) -> Reply:
    return request("POST", f"{api.url}/courses/{course}", user=user, body=body)


def test_should_record_a_session_and_serve_it_back_over_http(local_api: LocalApiProcess) -> None:
    user = new_user()

    recorded = post(local_api, "algebra-1", user)
    session = request(
        "GET", f"{local_api.url}/courses/algebra-1/sessions/{recorded.body['sessionId']}", user=user
    )

    assert recorded.status == 201
    assert recorded.headers["content-type"] == "application/json"
    assert recorded.body == {
        "sessionId": recorded.body["sessionId"],
        "courseId": "algebra-1",
        **BODY,
    }
    assert uuid.UUID(recorded.body["sessionId"]).version == 4
    assert (session.status, session.body) == (200, recorded.body)


def test_should_serve_exact_course_stats_over_http(local_api: LocalApiProcess) -> None:
    user = new_user()
    for modules, minutes, score in [(1, 0.1, 90), (2, 0.2, 80), (0, 0.000001, 70.5)]:
        body = {"totalModulesStudied": modules, "timeStudied": minutes, "averageScore": score}
        assert post(local_api, "course-1", user, body).status == 201

    stats = request("GET", f"{local_api.url}/courses/course-1", user=user)

    assert stats.status == 200
    assert stats.exact_body == {
        "courseId": "course-1",
        "totalModulesStudied": 3,
        "timeStudied": Decimal("0.300001"),
        "averageScore": Decimal("80.166667"),
        "sessionCount": 3,
    }


def test_should_count_a_replay_once_and_refuse_a_reused_id_with_409(
    local_api: LocalApiProcess,
) -> None:
    user, session_id = new_user(), str(uuid.uuid4())

    first = post(local_api, "c", user, {**BODY, "sessionId": session_id})
    replay = post(local_api, "c", user, {**BODY, "sessionId": session_id.upper()})
    conflict = post(local_api, "c", user, {**BODY, "sessionId": session_id, "averageScore": 1})

    assert (first.status, replay.status, conflict.status) == (201, 200, 409)
    assert replay.body == first.body
    assert session_id in conflict.body["message"]
    stats = request("GET", f"{local_api.url}/courses/c", user=user).body
    assert (stats["sessionCount"], stats["averageScore"]) == (1, 87.5)


@pytest.mark.parametrize(
    ("method", "path", "headers", "raw_body", "names"),
    [
        ("POST", "/courses/c", {}, json.dumps(BODY).encode(), "userId"),
        ("POST", "/courses/c", {"userId": "   "}, json.dumps(BODY).encode(), "userId"),
        ("POST", "/courses/bad%20course", {"userId": "u"}, json.dumps(BODY).encode(), "courseId"),
        ("POST", "/courses/x%2Fy", {"userId": "u"}, json.dumps(BODY).encode(), "courseId"),
        ("POST", "/courses/c", {"userId": "u"}, b'{"totalModulesStudied": 1', "JSON"),
        ("POST", "/courses/c", {"userId": "u"}, b"", "body"),
        ("POST", "/courses/c", {"userId": "u"}, b'{"totalModulesStudied": 1.5}', "body"),
        ("POST", "/courses/c", {"userId": "u"}, b'{"x": "\xff"}', "JSON"),
        ("GET", "/courses/c", {}, None, "userId"),
        ("GET", "/courses/c/sessions/not-a-uuid", {"userId": "u"}, None, "sessionId"),
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


def test_should_store_nothing_on_a_refused_post(local_api: LocalApiProcess) -> None:
    user = new_user()

    assert post(local_api, "c", user, {**BODY, "timeStudied": 0.1234567}).status == 400
    assert request("GET", f"{local_api.url}/courses/c", user=user).status == 404


def test_should_answer_413_for_a_body_above_the_handler_limit(local_api: LocalApiProcess) -> None:
    padded = json.dumps(BODY).encode() + b" " * MAX_BODY_BYTES

    response = request("POST", f"{local_api.url}/courses/c", user=new_user(), raw_body=padded)

    assert response.status == 413
    assert str(MAX_BODY_BYTES) in response.body["message"]


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
    "path",
    ["/courses/nothing-yet", f"/courses/c/sessions/{uuid.uuid4()}"],
)
def test_should_answer_404_when_the_caller_has_no_such_resource(
    local_api: LocalApiProcess, path: str
) -> None:
    response = request("GET", local_api.url + path, user=new_user())

    assert response.status == 404
    assert response.body["message"]


def test_should_answer_404_for_another_users_session(local_api: LocalApiProcess) -> None:
    session_id = post(local_api, "c", new_user()).body["sessionId"]

    response = request("GET", f"{local_api.url}/courses/c/sessions/{session_id}", user=new_user())

    assert response.status == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/courses"),
        ("GET", "/courses/"),
        ("GET", "/courses/c/"),
        ("GET", "/courses/c/sessions"),
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
        ("POST", f"/courses/c/sessions/{uuid.uuid4()}", "GET"),
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


def test_should_url_decode_path_parameters(local_api: LocalApiProcess) -> None:
    user = new_user()

    recorded = request("POST", f"{local_api.url}/courses/a%2Eb%2Dc", user=user, body=BODY)

    assert recorded.status == 201
    assert recorded.body["courseId"] == "a.b-c"
    assert request("GET", f"{local_api.url}/courses/a.b-c", user=user).status == 200


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
