"""``LrsProps``: where a ``StatsService`` with learning events sends them as xAPI statements,
and how it names learners and courses there; refused at synth with a message naming what
is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aws_cdk import Token
from aws_cdk import aws_secretsmanager as secretsmanager

from stats_api.lrs_client import CREDENTIAL_FIELDS
from stats_api.xapi_statements import LrsProfile

# A secret's complete ARN: its name, a hyphen, the 6 characters Secrets Manager adds.
_CREDENTIALS_ARN = (
    r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}"
)
# The event source mapping's maximum concurrency takes 2-1000.
MIN_CONCURRENCY, MAX_CONCURRENCY = 2, 1000


@dataclass(frozen=True)
class LrsProps:
    """A Learning Record Store the learning events go to, each as xAPI 1.0.3 statements.

    Attributes:
        statements_endpoint: The LRS's statements resource, ``https://`` (e.g.
            ``https://lrs.example.com/xAPI/statements``).
        credentials: The Secrets Manager secret holding the LRS's HTTP basic credentials as
            ``{"username": ..., "password": ...}``: an ``ISecret``, or its complete ARN
            (with the 6 characters Secrets Manager appends to the name). Read by the
            forwarder at run time, never put in the template; a rotation reaches it within
            5 minutes. A secret encrypted with a customer-managed key also needs that key's
            ``kms:Decrypt`` granted to ``StatsService.lrs_forwarder``'s role.
        actor_home_page: The platform whose accounts the user ids are: each statement's
            actor is the account ``{"homePage": this, "name": <userId>}``.
        course_iri_template: The course activity's IRI, ``{courseId}`` where the course id
            goes (e.g. ``https://learn.example.com/courses/{courseId}``).
        max_concurrency: At most this many batches of up to 10 events in flight to the LRS
            at a time (2-1000): the rate limit. Default 2.
    """

    statements_endpoint: str
    credentials: secretsmanager.ISecret | str
    actor_home_page: str
    course_iri_template: str
    max_concurrency: int = MIN_CONCURRENCY

    def __post_init__(self) -> None:
        problems = []
        endpoint = urlsplit(self.statements_endpoint)
        if not Token.is_unresolved(self.statements_endpoint) and (
            endpoint.scheme != "https" or not endpoint.netloc
        ):
            problems.append(
                "statements_endpoint must be the LRS's https:// statements resource, not "
                f"{self.statements_endpoint!r}"
            )
        if isinstance(self.credentials, str) and not (
            Token.is_unresolved(self.credentials)
            or re.fullmatch(_CREDENTIALS_ARN, self.credentials)
        ):
            problems.append(
                "credentials must be an ISecret or a secret's complete ARN "
                "(arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 chars>) "
                f"holding {' and '.join(CREDENTIAL_FIELDS)}"
            )
        try:
            LrsProfile(self.actor_home_page, self.course_iri_template)
        except ValueError as error:
            problems.append(str(error))
        if not MIN_CONCURRENCY <= self.max_concurrency <= MAX_CONCURRENCY:
            problems.append(f"max_concurrency must be {MIN_CONCURRENCY}-{MAX_CONCURRENCY}")
        if problems:
            raise ValueError("invalid LrsProps: " + "; ".join(problems))
