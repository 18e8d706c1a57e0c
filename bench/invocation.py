"""The Lambda context handed to handlers called in-process."""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.utilities.typing import LambdaContext

from local_run import events


def context() -> LambdaContext:
    # local_run's dataclass has every attribute Powertools reads; the cast says so to mypy.
    return cast("LambdaContext", events.LambdaContext())
