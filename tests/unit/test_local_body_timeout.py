"""The local server waits for a request's body only so long: one that never arrives, or
trickles in, is answered 408 and its connection closed, so it holds neither a connection nor
a thread forever. A body that arrives in time is served as usual."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from local_run.messages import HttpRequest, HttpResponse
from local_run.server import BODY_TIMEOUT_S, LocalApiServer

TIMEOUT_S = 0.5  # a short deadline for the test; the local run's is BODY_TIMEOUT_S
HEAD = b"POST /courses/c HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
CHUNKED = b"POST /courses/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.fixture
def served() -> Iterator[tuple[str, list[HttpRequest]]]:
    seen: list[HttpRequest] = []

    def app(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(200, (), request.body)

    server = LocalApiServer(("127.0.0.1", 0), app, body_timeout=TIMEOUT_S)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.url, seen
    server.shutdown()
    server.server_close()


def connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection((address.hostname or "", address.port or 80), 10)


def reply_until_closed(client: socket.socket) -> tuple[int, bytes, float]:
    """(status, body, seconds until the server closed the connection)."""
    started, reply = time.monotonic(), b""
    while chunk := client.recv(65536):
        reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), body, time.monotonic() - started


def test_should_answer_408_and_close_when_the_body_never_arrives(
    served: tuple[str, list[HttpRequest]],
) -> None:
    url, seen = served
    with connect(url) as client:
        client.sendall(HEAD + b"abc")  # 3 of the 10 bytes it declared

        status, body, waited = reply_until_closed(client)

    assert status == 408
    assert json.loads(body) == {"message": "Request Timeout"}
    assert TIMEOUT_S * 0.8 <= waited < TIMEOUT_S + 2
    assert seen == []


def test_should_cut_a_body_that_trickles_in_past_the_deadline(
    served: tuple[str, list[HttpRequest]],
) -> None:
    url, seen = served
    with connect(url) as client:
        client.sendall(HEAD)

        def trickle() -> None:
            # Each byte well inside the deadline, the whole body well past it.
            for _ in range(10):
                time.sleep(TIMEOUT_S / 3)
                try:
                    client.sendall(b"x")
                except OSError:  # the server has answered and closed
                    return

        sender = threading.Thread(target=trickle)
        sender.start()
        status, _, waited = reply_until_closed(client)
        sender.join()

    assert status == 408  # not 200 once the tenth byte came
    assert waited < TIMEOUT_S + 1
    assert seen == []


def test_should_time_out_a_chunked_body_without_its_last_chunk(
    served: tuple[str, list[HttpRequest]],
) -> None:
    url, seen = served
    with connect(url) as client:
        client.sendall(CHUNKED + b"3\r\nabc\r\n")

        status, _, _ = reply_until_closed(client)

    assert status == 408
    assert seen == []


def test_should_serve_a_body_that_arrives_in_time_and_keep_the_connection(
    served: tuple[str, list[HttpRequest]],
) -> None:
    url, seen = served
    with connect(url) as client:
        for _ in range(2):  # the same connection, kept alive, twice
            client.sendall(HEAD + b"01234")
            time.sleep(TIMEOUT_S / 2)
            client.sendall(b"56789")
            reply = b""
            while not reply.endswith(b"0123456789"):  # headers and body come apart
                reply += client.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200")
            time.sleep(TIMEOUT_S * 2)  # idle between requests: no deadline there

    assert [request.body for request in seen] == [b"0123456789"] * 2


def test_should_give_a_body_10_seconds_in_the_local_run() -> None:
    assert BODY_TIMEOUT_S == 10
