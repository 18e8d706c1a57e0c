"""``make run``: the API on http://127.0.0.1:$PORT, over the embedded DynamoDB.

A stdlib threading HTTP server reads each request, hands it to the local API Gateway
(``gateway``), which runs the deployed handler, and writes the response back. It also
serves the OpenAPI document at ``/openapi.json``. It stays in the foreground until Ctrl-C
(or SIGTERM) and then exits 0.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from local_run.auth_modes import AuthSettings, AuthSetup, LocalRoute, auth_setup
from local_run.gateway import (
    MAX_PAYLOAD_BYTES,
    METHOD_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    Gateway,
    load_handler_path,
)
from local_run.messages import HttpRequest, HttpResponse, error_response, json_response
from stats_api.routes import ROUTES
from stats_api.shared_names import AGGREGATOR_HANDLER
from stats_tools import openapi

HOST = "127.0.0.1"  # never beyond this machine
DEFAULT_PORT = 3000
OPENAPI_PATH = "/openapi.json"

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

    def __init__(self, address: tuple[str, int], app: App | None = None) -> None:
        super().__init__(address, _RequestHandler)
        self.app: App = app or _starting

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
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "malformed body: bad content-length or chunk size")
            return
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
        """The request body, or ``None`` when it is above API Gateway's payload limit."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = self._declared_length()
        if length > MAX_PAYLOAD_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _declared_length(self) -> int:
        value = self.headers.get("content-length", "0").strip()
        if not value.isdigit():  # a body of unknown length cannot be told from the next request
            raise ValueError(f"invalid content-length {value!r}")
        return int(value)

    def _read_chunked(self) -> bytes | None:
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024)
            if not size_line:
                raise ValueError("the body ended before its last chunk")
            size_field = size_line.split(b";")[0].strip()
            # Hex digits only: int() would also take "-1", and read(-1) waits for hang-up.
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_field):
                raise ValueError(f"invalid chunk size {size_field!r}")
            size = int(size_field, 16)
            if size == 0:
                while self.rfile.readline(65536).strip():  # trailer fields, ignored
                    pass
                return bytes(body)
            if len(body) + size > MAX_PAYLOAD_BYTES:
                return None
            body += self.rfile.read(size)
            self.rfile.readline()  # the CRLF closing the chunk

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


def _port(value: str | None) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or int(value) > 65535:
        raise ValueError(f"PORT must be a number from 0 to 65535, not {value!r}")
    return int(value)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def _banner(url: str, table: str, auth: AuthSetup) -> str:
    return "\n".join(
        [
            f"stats-service local API on {url} (embedded DynamoDB, table {table})",
            auth.description,
            f"OpenAPI document: {url}{OPENAPI_PATH}",
            "Try:",
            *(f"  {line}" for line in auth.curl_lines),
            "Ctrl-C stops it.",
        ]
    )


def main() -> int:
    """Serve until Ctrl-C (exit 0); 1 when the port cannot be had, 2 for a bad setting."""
    try:
        port = _port(os.environ.get("PORT"))
        auth = AuthSettings.from_environment(os.environ)  # before the AWS isolation
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        server = LocalApiServer((HOST, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"error: port {port} is in use; set PORT to another port", file=sys.stderr)
        else:
            print(f"error: cannot listen on {HOST}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    # Even when started where SIGINT is ignored (a background job), Ctrl-C and kill -INT stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop)
    try:
        with server:
            _serve_forever(server, auth)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def _serve_forever(server: LocalApiServer, settings: AuthSettings) -> None:
    # moto and boto3 take most of a second to import: only once the port is ours.
    from local_run.emulator import TABLE_NAME  # noqa: PLC0415

    auth = auth_setup(settings, server.url)
    with embedded_api(server, auth):
        print(_banner(server.url, TABLE_NAME, auth), flush=True)
        server.serve_forever()


@contextlib.contextmanager
def embedded_api(server: LocalApiServer, auth: AuthSetup) -> Iterator[Gateway]:
    """What ``make run`` serves, for as long as the block runs: the embedded table, every
    route's deployed handler on it behind ``auth``, and the table's stream pumped to the
    aggregator. The gateway's lock serializes every call into the table (moto is not
    thread-safe): hold it to reach the table from outside (``make bench`` does)."""
    from local_run.emulator import REGION, TABLE_NAME, embedded_dynamodb  # noqa: PLC0415
    from local_run.stream import StreamPump  # noqa: PLC0415

    with embedded_dynamodb(TABLE_NAME):
        # The handlers are imported once the environment points at the embedded table.
        gateway = Gateway.for_routes(ROUTES, auth.authorizer, auth.analytics_authorizer)
        server.app = LocalApi(gateway, openapi.document(server.url), auth.local_routes)
        # The table's stream to the deployed aggregator, as the event source mapping does.
        stop = threading.Event()
        StreamPump(TABLE_NAME, load_handler_path(AGGREGATOR_HANDLER), REGION).run_in_background(
            gateway.lock, stop
        )
        try:
            yield gateway
        finally:
            stop.set()
