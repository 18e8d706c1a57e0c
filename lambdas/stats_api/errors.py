"""Outcomes other than success and faults, each mapped to one status and a safe message."""

from __future__ import annotations


class RequestError(Exception):
    """A client-side problem; ``message`` is shown to the caller as is."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(RequestError):
    status = 400


class NotFound(RequestError):
    status = 404


class PayloadTooLarge(RequestError):
    status = 413


class Conflict(RequestError):
    status = 409


class TemporarilyUnavailable(Exception):
    """The database is throttling, contending or slow: the same request may succeed later.

    Safe to retry, POSTs included: a replayed session is recognised, never counted twice.
    """

    status = 503
    message = "the service is busy; retry the request shortly"
