"""The local run's HTTP server: a stdlib threading HTTP server reads each request, hands it
to the local API Gateway (``gateway``), which runs the deployed handler, and writes the
response back. It also serves local-only routes: its auth mode's OpenAPI document at
``/openapi.json`` and the JWT mode's issuer. ``local_run.start`` sets it up and runs it.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from local_run.auth_modes import LocalRoute
from local_run.gateway import MAX_PAYLOAD_BYTES, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, Gateway
from local_run.messages import HttpRequest, HttpResponse, error_response, json_response

HOST = "127.0.0.1"  # never beyond this machine
DEFAULT_PORT = 3000
OPENAPI_PATH = "/openapi.json"
# From the end of a request's headers to the last byte of its body: a body that never
# arrives no longer holds its connection (and a thread) forever. 408, then the connection
# is closed.
BODY_TIMEOUT_S = 10.0
REQUEST_TIMEOUT = "Request Timeout"

App = Callable[[HttpRequest], HttpResponse]

# Framing headers are the server's to write, whatever the function returned.
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})


class LocalApi:
    """The API as the local server answers it: its local-only routes (the OpenAPI document,
    the JWT mode's issuer), or else the gateway."""

    def __init__(
        self,
        gateway: Gateway,
        document: dict[str, Any],
        local_routes: Mapping[str, LocalRoute] | None = None,
    ) -> None:
        self._gateway = gateway
        openapi_document = json_response(200, document)
        self._local_routes = {OPENAPI_PATH: lambda _: openapi_document, **(local_routes or {})}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        local_route = self._local_routes.get(request.path)
        if local_route is None:
            return self._gateway.handle(request)
        if request.method not in ("GET", "HEAD"):
            return error_response(405, METHOD_NOT_ALLOWED, extra_headers=(("allow", "GET"),))
        return local_route(request)


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True  # an open keep-alive connection must not hold up Ctrl-C
    request_queue_size = 128  # bursts of concurrent clients queue instead of being refused

    def __init__(
        self, address: tuple[str, int], app: App | None = None, body_timeout: float = BODY_TIMEOUT_S
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.app: App = app or _starting
        self.body_timeout = body_timeout

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is its business, not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway offers
    # A response is written as headers, then body: with Nagle's algorithm the body waited
    # for the client's delayed ACK of the headers, ~40 ms on every keep-alive request.
    disable_nagle_algorithm = True
    # Assumed when the request line names no version: answers to garbage keep their status
    # line (HTTP/0.9 responses have none).
    default_request_version = "HTTP/1.0"
    server: LocalApiServer

    def _serve(self) -> None:
        self._deadline = time.monotonic() + self.server.body_timeout
        try:
            body = self._read_body()
        except TimeoutError:
            self.close_connection = True  # what is left of the body may still come
            self._send(error_response(408, REQUEST_TIMEOUT))
            return
        except ValueError:
            self.send_error(400, "malformed body: bad content-length or chunk size")
            return
        finally:
            self.connection.settimeout(None)  # writes and the next request: no limit
        if body is None:
            self._reject_too_large()
            return
        target = urlsplit(self.path)
        request = HttpRequest(
            method=self.command,
            path=target.path,
            query=target.query,
            headers=tuple((name, _header_text(value)) for name, value in self.headers.items()),
            body=body,
        )
        self._send(self.server.app(request))

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up ``do_<METHOD>``; every method, QUERY or PROPFIND included,
        # reaches the router, which answers 405 or 404 for those no route has.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def handle_expect_100(self) -> bool:
        # Refuse an oversized body before the client sends it.
        try:
            too_large = self._declared_length() > MAX_PAYLOAD_BYTES
        except ValueError:  # refused as malformed when the body is read
            too_large = False
        if too_large:
            self._reject_too_large()
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The server's own refusals (bad request line, oversized headers) are JSON too.
        self.close_connection = True
        self._send(error_response(code, message or HTTPStatus(code).phrase))

    def _read_body(self) -> bytes | None:
        """The request body, or ``None`` when it is above API Gateway's payload limit; a
        ``TimeoutError`` when it has not all arrived by the deadline."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = self._declared_length()
        if length > MAX_PAYLOAD_BYTES:
            return None
        return self._read_exactly(length)

    def _declared_length(self) -> int:
        value = self.headers.get("content-length", "0").strip()
        if not value.isdigit():  # a body of unknown length cannot be told from the next request
            raise ValueError(f"invalid content-length {value!r}")
        return int(value)

    def _read_chunked(self) -> bytes | None:
        body = bytearray()
        while True:
            size_line = self._before_deadline(self.rfile.readline, 1024)
            if not size_line:
                raise ValueError("the body ended before its last chunk")
            size_field = size_line.split(b";")[0].strip()
            # Hex digits only: int() would also take "-1", and read(-1) waits for hang-up.
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_field):
                raise ValueError(f"invalid chunk size {size_field!r}")
            size = int(size_field, 16)
            if size == 0:
                # Trailer fields, ignored.
                while self._before_deadline(self.rfile.readline, 65536).strip():
                    pass
                return bytes(body)
            if len(body) + size > MAX_PAYLOAD_BYTES:
                return None
            body += self._read_exactly(size)
            self._before_deadline(self.rfile.readline, 65536)  # the CRLF closing the chunk

    def _read_exactly(self, length: int) -> bytes:
        """``length`` bytes of body, in pieces, each awaited only until the deadline: a
        body trickling in byte by byte cannot outlast it either."""
        received = bytearray()
        while len(received) < length:
            piece = self._before_deadline(self.rfile.read1, length - len(received))
            if not piece:
                raise ValueError("the body ended before its declared length")
            received += piece
        return bytes(received)

    def _before_deadline(self, read: Callable[[int], bytes], size: int) -> bytes:
        """``read(size)`` from the connection, waiting at most until the body's deadline."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.connection.settimeout(remaining)
        return read(size)

    def _reject_too_large(self) -> None:
        # The unread body is still on the connection: answer, then close it.
        self.close_connection = True
        self._send(error_response(413, PAYLOAD_TOO_LARGE))

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


def _starting(request: HttpRequest) -> HttpResponse:
    return error_response(503, "starting")


def _header_text(value: str) -> str:
    # http.server decodes header bytes as Latin-1; clients send UTF-8 where they send more
    # than ASCII. Surrounding white space is not part of a field value (RFC 9110).
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip(" \t")
