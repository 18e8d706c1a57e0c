"""The local server and gateway in-process, with stand-in handlers: what each handler is
given, how its result becomes HTTP, and that invocations never overlap."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest

from local_run.gateway import Gateway, Integration
from local_run.messages import HttpRequest
from local_run.server import LocalApi, LocalApiServer
from stats_api.routes import FETCH_COURSE_STATS, FETCH_SESSION, RECORD_SESSION, ROUTES
from tests.support.local_process import request

Handler = Callable[[dict[str, Any], Any], Any]


class StubHandlers:
    """Stands in for every route's function: records the events, answers ``answer``."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer: Handler = lambda event, context: {"statusCode": 204, "body": ""}

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        return self.answer(event, context)


@pytest.fixture
def stub() -> StubHandlers:
    return StubHandlers()


@pytest.fixture
def server_url(stub: StubHandlers) -> Iterator[str]:
    gateway = Gateway(Integration(route, stub) for route in ROUTES)
    server = LocalApiServer(("127.0.0.1", 0), LocalApi(gateway, {"openapi": "3.1.0"}))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


def test_should_hand_the_handler_a_payload_2_event(server_url: str, stub: StubHandlers) -> None:
    response = request(
        "GET",
        f"{server_url}/courses/c%2Ed/sessions/S-1?b=1&a=2&b=3",
        headers={"X-Twice": "one", "User-Agent": "probe/1"},
        user="Alice",
    )

    event = stub.events[0]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /courses/{courseId}/sessions/{sessionId}"
    assert event["rawPath"] == "/courses/c%2Ed/sessions/S-1"
    assert event["rawQueryString"] == "b=1&a=2&b=3"
    assert event["queryStringParameters"] == {"b": "1,3", "a": "2"}
    assert event["pathParameters"] == {"courseId": "c.d", "sessionId": "S-1"}
    assert event["headers"]["userid"] == "Alice"
    assert event["headers"]["x-twice"] == "one"
    assert all(name == name.lower() for name in event["headers"])
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["http"]["userAgent"] == "probe/1"
    assert event["requestContext"]["requestId"] == response.headers["apigw-requestid"]
    assert event["isBase64Encoded"] is False
    assert "body" not in event


def test_should_join_repeated_headers_with_commas(server_url: str, stub: StubHandlers) -> None:
    address = urlsplit(server_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    connection.putrequest("GET", "/courses/c")
    connection.putheader("X-Many", "a")
    connection.putheader("x-many", "b")
    connection.endheaders()
    connection.getresponse().read()
    connection.close()

    assert stub.events[0]["headers"]["x-many"] == "a,b"


@pytest.mark.parametrize(
    ("body", "sent", "encoded"),
    [
        (b'{"a": "\xc3\xa9"}', '{"a": "\xe9"}', False),
        (b"\xff\xfe binary", base64.b64encode(b"\xff\xfe binary").decode(), True),
    ],
)
def test_should_pass_utf8_bodies_as_text_and_others_base64_encoded(
    server_url: str, stub: StubHandlers, body: bytes, sent: str, encoded: bool
) -> None:
    request("POST", f"{server_url}/courses/c", raw_body=body)

    assert stub.events[0]["body"] == sent
    assert stub.events[0]["isBase64Encoded"] is encoded
    assert stub.events[0]["requestContext"]["http"]["method"] == "POST"


def test_should_map_the_handler_result_back_to_http(server_url: str, stub: StubHandlers) -> None:
    stub.answer = lambda event, context: {
        "statusCode": 202,
        "headers": {"Content-Type": "application/octet-stream", "X-Extra": "yes"},
        "cookies": ["a=1", "b=2"],
        "body": base64.b64encode(b"\x00\x01").decode(),
        "isBase64Encoded": True,
    }

    response = request("GET", f"{server_url}/courses/c")

    assert response.status == 202
    assert response.raw == b"\x00\x01"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-extra"] == "yes"
    assert response.headers["content-length"] == "2"


def test_should_read_a_result_without_status_code_as_a_200_json_body(
    server_url: str, stub: StubHandlers
) -> None:
    stub.answer = lambda event, context: {"just": "data"}

    response = request("GET", f"{server_url}/courses/c")

    assert (response.status, response.body) == (200, {"just": "data"})


def test_should_answer_a_generic_500_when_the_function_crashes(
    server_url: str, stub: StubHandlers
) -> None:
    def crash(event: dict[str, Any], context: Any) -> Any:
        raise RuntimeError("secret detail")

    stub.answer = crash

    response = request("POST", f"{server_url}/courses/c", body={})

    assert response.status == 500
    assert response.body == {"message": "Internal Server Error"}
    assert b"secret" not in response.raw


def test_should_run_one_invocation_at_a_time(server_url: str, stub: StubHandlers) -> None:
    running, overlaps = [0], []
    guard = threading.Lock()

    def slow(event: dict[str, Any], context: Any) -> Any:
        with guard:
            running[0] += 1
            overlaps.append(running[0])
        time.sleep(0.02)
        with guard:
            running[0] -= 1
        return {"statusCode": 200, "body": "{}"}

    stub.answer = slow
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: request("GET", f"{server_url}/courses/c").status, range(8))
        )

    assert statuses == [200] * 8
    assert max(overlaps) == 1


def test_should_not_invoke_any_function_for_unknown_routes(
    server_url: str, stub: StubHandlers
) -> None:
    assert request("GET", f"{server_url}/nowhere").status == 404
    assert request("PATCH", f"{server_url}/courses/c/sessions/x").status == 405
    assert stub.events == []


def test_should_route_each_path_to_its_own_function() -> None:
    seen: list[str] = []

    def recorder(name: str) -> Handler:
        def handler(event: dict[str, Any], context: Any) -> Any:
            seen.append(name)
            return {"statusCode": 200, "body": "{}"}

        return handler

    gateway = Gateway(Integration(route, recorder(route.function_id)) for route in ROUTES)
    api = LocalApi(gateway, {})

    api(HttpRequest("POST", "/courses/c"))
    api(HttpRequest("GET", "/courses/c/sessions/s"))
    api(HttpRequest("GET", "/courses/c"))

    assert seen == [r.function_id for r in (RECORD_SESSION, FETCH_SESSION, FETCH_COURSE_STATS)]


def exchange(url: str, raw_request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are, read until the server closes: (status, body)."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname or "", address.port or 80), 10) as client:
        client.sendall(raw_request)
        reply = b""
        while chunk := client.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "raw_request",
    [
        b"NONSENSE\r\n\r\n",
        b"POST /courses/c HTTP/1.1\r\nContent-Length: abc\r\n\r\n{}",
        b"POST /courses/c HTTP/1.1\r\nContent-Length: -2\r\n\r\n{}",
        b"POST /courses/c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        # int("-1", 16) is -1, and rfile.read(-1) would wait for the client to hang up.
        b"POST /courses/c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        b"POST /courses/c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n",
        b"POST /courses/c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n",
    ],
)
def test_should_refuse_malformed_http_with_a_json_400_and_close(
    server_url: str, stub: StubHandlers, raw_request: bytes
) -> None:
    status, body = exchange(server_url, raw_request)

    assert status == 400
    assert json.loads(body)["message"]
    assert stub.events == []
