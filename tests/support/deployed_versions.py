"""A function's new version as the pre-traffic check (``stats_api.release_check``) invokes
it: a Lambda client whose ``invoke`` runs the real handler in-process, or answers as told."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from botocore.response import StreamingBody

from local_run.events import LambdaContext
from local_run.gateway import load_handler
from stats_api.routes import Route

TARGET = "arn:aws:lambda:eu-west-1:123456789012:function:Stats-FetchSession:7"


def payload_of(body: object) -> StreamingBody:
    raw = json.dumps(body).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


class DeployedVersion:
    """A Lambda client whose ``invoke`` runs the real handler (a route's, or the aggregator)
    in-process on moto, as the new version would; ``answer`` replaces its answer if given."""

    def __init__(
        self, handler: Callable[..., Any], answer: Callable[[], dict[str, Any]] | None = None
    ) -> None:
        self.handler, self.answer = handler, answer
        self.events: list[dict[str, Any]] = []

    @classmethod
    def of(cls, route: Route, answer: Callable[[], dict[str, Any]] | None = None) -> Any:
        return cls(load_handler(route), answer)

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert (FunctionName, InvocationType) == (TARGET, "RequestResponse")
        event = json.loads(Payload)
        self.events.append(event)
        if self.answer is not None:
            return self.answer()
        return {"StatusCode": 200, "Payload": payload_of(self.handler(event, LambdaContext()))}


def function_error(error_type: str) -> Callable[[], dict[str, Any]]:
    """Lambda's answer when the handler never answered: 200, FunctionError, the error."""
    return lambda: {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "Payload": payload_of({"errorType": error_type}),
    }
