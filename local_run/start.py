"""``make run`` (``python -m local_run``): the API on http://127.0.0.1:$PORT, over the
embedded DynamoDB, in the auth mode ``AUTH`` names, with CORS for ``CORS_ORIGINS``. It
stays in the foreground until Ctrl-C (or SIGTERM) and then exits 0.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType

from local_run.auth_modes import AuthSettings, AuthSetup, auth_setup
from local_run.cors import CorsPolicy
from local_run.gateway import Gateway
from local_run.local_lrs import EVENTS_PATH, LocalLrs
from local_run.server import DEFAULT_PORT, HOST, OPENAPI_PATH, App, LocalApi, LocalApiServer
from stats_api import cors
from stats_api.routes import ROUTES
from stats_tools import openapi


def _port(value: str | None) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or int(value) > 65535:
        raise ValueError(f"PORT must be a number from 0 to 65535, not {value!r}")
    return int(value)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def _banner(
    url: str,
    table: str,
    auth: AuthSetup,
    cors_origins: tuple[str, ...] = (),
    lrs: LocalLrs | None = None,
) -> str:
    forwarding = (
        f"LRS: statements to {lrs.endpoint.statements_url} as {lrs.endpoint.username}"
        if lrs
        else "LRS: off (LRS_ENDPOINT, LRS_USERNAME, LRS_PASSWORD turn it on; make lrs serves one)"
    )
    return "\n".join(
        [
            f"stats-service local API on {url} (embedded DynamoDB, table {table})",
            auth.description,
            *([f"CORS: browsers at {', '.join(cors_origins)}"] if cors_origins else []),
            f"OpenAPI document: {url}{OPENAPI_PATH}",
            f"Learning events: {url}{EVENTS_PATH}",
            forwarding,
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
        cors_origins = cors.origins(os.environ.get("CORS_ORIGINS", ""))
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
    try:
        lrs = LocalLrs.from_environment(os.environ, server.url)  # before the AWS isolation
    except ValueError as error:
        server.server_close()
        print(f"error: {error}", file=sys.stderr)
        return 2
    # Even when started where SIGINT is ignored (a background job), Ctrl-C and kill -INT stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop)
    try:
        with server:
            _serve_forever(server, auth, cors_origins, lrs)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def _serve_forever(
    server: LocalApiServer,
    settings: AuthSettings,
    cors_origins: tuple[str, ...],
    lrs: LocalLrs | None,
) -> None:
    with embedded_api(server, settings, cors_origins, lrs) as local:
        print(_banner(server.url, local.table_name, local.auth, cors_origins, lrs), flush=True)
        server.serve_forever()


@dataclass(frozen=True)
class LocalRun:
    table_name: str
    auth: AuthSetup
    gateway: Gateway  # its lock serializes every call into the embedded table


@contextlib.contextmanager
def embedded_api(
    server: LocalApiServer,
    settings: AuthSettings,
    cors_origins: tuple[str, ...] = (),
    lrs: LocalLrs | None = None,
) -> Iterator[LocalRun]:
    """What ``make run`` serves on ``server``, for as long as the block runs: the embedded
    table, every route's deployed handler on it behind the auth mode of ``settings``, the
    table's stream pumped to the aggregator and the learning events' publisher, the bus's
    events kept for ``GET /local/events``, and with ``lrs`` its queue handed to the
    forwarder (``local_run.learning_events``). The gateway's lock serializes every call
    into the table (moto is not thread-safe): hold it to reach the table from outside, as
    ``make bench`` does."""
    # moto and boto3 take most of a second to import: only once the port is ours.
    from local_run.emulator import REGION, TABLE_NAME, embedded_dynamodb  # noqa: PLC0415
    from local_run.learning_events import LocalBus, start_consumers  # noqa: PLC0415

    auth = auth_setup(settings, server.url)
    with embedded_dynamodb(), LocalBus(REGION, lrs).running(os.environ) as bus:
        # The handlers are imported once the environment points at the embedded AWS.
        gateway = Gateway.for_routes(ROUTES, auth.authorizer, auth.analytics_authorizer)
        access = openapi.Access(
            settings.mode,
            issuer=server.url,
            learner_scopes=settings.required_scopes,
            analytics_scopes=settings.analytics_scopes,
        )
        local_routes = {**auth.local_routes, EVENTS_PATH: bus.events_route()}
        app: App = LocalApi(gateway, openapi.document(server.url, access), local_routes)
        if cors_origins:
            app = CorsPolicy.for_routes(cors_origins, ROUTES).wrap(app)
        server.app = app
        # The table's stream to its deployed consumers, the bus's events, the LRS's queue.
        stop = threading.Event()
        start_consumers(gateway.lock, stop, TABLE_NAME, bus)
        try:
            yield LocalRun(TABLE_NAME, auth, gateway)
        finally:
            stop.set()
