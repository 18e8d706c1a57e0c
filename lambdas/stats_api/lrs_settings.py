"""Where the forwarder sends statements and how it names learners and courses in them: the
deployment's settings (the function's environment) and the LRS's credentials, read from
Secrets Manager and kept for ``CREDENTIALS_MAX_AGE`` (a rotated secret is picked up within
that), never held in the template or the environment."""

from __future__ import annotations

import os

from aws_lambda_powertools.utilities.parameters import get_secret

from stats_api.lrs_client import CREDENTIAL_FIELDS, LrsEndpoint
from stats_api.shared_names import (
    LRS_ACTOR_HOME_PAGE_ENV,
    LRS_COURSE_IRI_TEMPLATE_ENV,
    LRS_CREDENTIALS_SECRET_ENV,
    LRS_STATEMENTS_URL_ENV,
)
from stats_api.xapi_statements import LrsProfile

CREDENTIALS_MAX_AGE = 300  # seconds


def lrs_endpoint() -> LrsEndpoint:
    """The statements resource and its credentials; a ValueError if the secret does not
    hold them as ``{"username": ..., "password": ...}``."""
    secret = get_secret(
        os.environ[LRS_CREDENTIALS_SECRET_ENV], transform="json", max_age=CREDENTIALS_MAX_AGE
    )
    if not isinstance(secret, dict) or not all(
        isinstance(secret.get(field), str) and secret[field] for field in CREDENTIAL_FIELDS
    ):
        raise ValueError(
            f"the secret {os.environ[LRS_CREDENTIALS_SECRET_ENV]} must hold a JSON object "
            'with the LRS\'s "username" and "password"'
        )
    return LrsEndpoint(
        os.environ[LRS_STATEMENTS_URL_ENV], str(secret["username"]), str(secret["password"])
    )


def lrs_profile() -> LrsProfile:
    return LrsProfile(os.environ[LRS_ACTOR_HOME_PAGE_ENV], os.environ[LRS_COURSE_IRI_TEMPLATE_ENV])
