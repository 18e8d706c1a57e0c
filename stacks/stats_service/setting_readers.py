"""How a stage setting's value is read from a stage's context and checked: each reader
takes the context and the key, and gives the value or refuses it with a ValueError that
names the key (``stage_settings.SETTINGS`` says which key each reads)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_cdk import aws_codedeploy as codedeploy

from stats_api import auth_modes, cors

from .auth import AUTH_CLASSES, Auth, Context
from .lrs_props import LrsProps
from .releases import DEPLOYMENT_CONFIGS

# Reads a key's value from a stage's context (the committed value, or -c's, or the stage's
# default), or refuses it with a ValueError naming the key.
Reader = Callable[[Context, str], Any]


def auth(context: Context, key: str) -> Auth:
    mode = context(key)
    if mode not in AUTH_CLASSES:
        raise ValueError(f"unknown auth {mode!r}: choose {auth_modes.listed()} with -c auth=MODE")
    return AUTH_CLASSES[mode].from_context(context)


def flag(context: Context, key: str) -> bool:
    """A yes/no setting: ``true`` or ``false`` (``-c`` gives text, cdk.json may give a JSON
    boolean); unset is false. Anything else is refused: ``-c history=yes`` once synthesised
    without history, saying nothing."""
    value = context(key)
    if value is None or value is False or value == "false":
        return False
    if value is True or value == "true":
        return True
    raise ValueError(f"-c {key} must be true or false, got {value!r}")


def positive_count(context: Context, key: str) -> int | None:
    """A number of executions for each function (reserved or provisioned), or None."""
    value = context(key)
    if value is None:
        return None
    if isinstance(value, bool) or not re.fullmatch(r"[1-9][0-9]*", str(value).strip()):
        raise ValueError(
            f"-c {key} must be a positive whole number (executions for each function), "
            f"got {value!r}"
        )
    return int(str(value))


def text(context: Context, key: str) -> str | None:
    value = context(key)
    return None if value is None else str(value)


def matching(pattern: str, meaning: str) -> Reader:
    def read(context: Context, key: str) -> str | None:
        value = context(key)
        if value is None:
            return None
        if not re.fullmatch(pattern, str(value)):
            raise ValueError(f"-c {key} must be {meaning}, got {value!r}")
        return str(value)

    return read


def deployment_config(context: Context, key: str) -> codedeploy.ILambdaDeploymentConfig | None:
    value = context(key)
    if value is None:
        return None
    if value not in DEPLOYMENT_CONFIGS:
        raise ValueError(
            f"unknown -c {key} {value!r}: choose one of {', '.join(DEPLOYMENT_CONFIGS)}"
        )
    return DEPLOYMENT_CONFIGS[str(value)]


def cors_origins(context: Context, key: str) -> tuple[str, ...] | None:
    """Browser origins: a JSON list (cdk.json) or comma-separated text (-c), each checked."""
    value = context(key)
    if value is None:
        return None
    listed = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    try:
        return cors.origins(listed)
    except ValueError as error:
        raise ValueError(f"-c {key}: {error}") from None


# The keys of an LRS's settings: all four or none (the first is the setting's own).
LRS_KEYS = ("lrsEndpoint", "lrsSecretArn", "lrsActorHomePage", "lrsCourseIri")


def lrs(context: Context, key: str) -> LrsProps | None:
    """An LRS to forward learning events to, from the four ``LRS_KEYS`` together."""
    given = {name: context(name) for name in LRS_KEYS}
    if all(value is None for value in given.values()):
        return None
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise ValueError(
            f"an LRS needs all of -c {', '.join(LRS_KEYS)}; missing: {', '.join(missing)}"
        )
    endpoint, secret_arn, home_page, course_iri = (str(given[name]) for name in LRS_KEYS)
    try:
        return LrsProps(endpoint, secret_arn, home_page, course_iri)
    except ValueError as error:
        raise ValueError(f"-c {', '.join(LRS_KEYS)}: {error}") from None
