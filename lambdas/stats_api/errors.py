"""Outcomes other than success and faults, each mapped to one status and a safe message."""

from __future__ import annotations

import json


class RequestError(Exception):
    """A client-side problem; ``message`` is shown to the caller as is."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def quoted(name: str) -> str:
    """A name the client sent (a field, a parameter), quoted for a message as JSON spells
    it, and cut at 40 characters: the message names it without echoing a whole payload."""
    text = json.dumps(name)
    return text if len(text) <= 40 else text[:36] + '..."'


class InvalidRequest(RequestError):
    status = 400


class NotFound(RequestError):
    status = 404


class PayloadTooLarge(RequestError):
    status = 413


class Conflict(RequestError):
    status = 409


class UnsupportedMediaType(RequestError):
    """A body declared as something other than JSON: never guessed at."""

    status = 415


class TemporarilyUnavailable(Exception):
    """The database is throttling, contending or slow: the same request may succeed later.

    Safe to retry, POSTs included: a replayed session is recognised, never counted twice.
    """

    status = 503
    message = "the service is busy; retry the request shortly"
