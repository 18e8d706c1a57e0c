"""Request outcomes that are not faults: each maps to one 4xx status and a safe message."""

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
