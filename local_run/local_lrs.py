"""Where ``make run`` forwards learning events as xAPI statements, from its environment:
``LRS_ENDPOINT`` (the LRS's statements resource) with ``LRS_USERNAME`` and ``LRS_PASSWORD``;
optionally ``LRS_ACTOR_HOME_PAGE`` and ``LRS_COURSE_IRI_TEMPLATE`` (by default the local
API's own URL and course paths). Read before the local run cuts itself off from AWS, and
importing nothing heavy (the banner needs it before moto is loaded)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stats_api import shared_names
from stats_api.lrs_client import LrsEndpoint
from stats_api.xapi_statements import LrsProfile

EVENTS_PATH = "/local/events"
LRS_ENDPOINT, LRS_USERNAME, LRS_PASSWORD = "LRS_ENDPOINT", "LRS_USERNAME", "LRS_PASSWORD"


@dataclass(frozen=True)
class LocalLrs:
    """Where ``make run`` forwards statements, and how it names learners and courses."""

    endpoint: LrsEndpoint
    profile: LrsProfile

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], api_url: str) -> LocalLrs | None:
        """The LRS the environment names (None: no ``LRS_ENDPOINT``), or a ValueError."""
        url = environ.get(LRS_ENDPOINT)
        if not url:
            return None
        username, password = environ.get(LRS_USERNAME), environ.get(LRS_PASSWORD)
        if not username or not password:
            raise ValueError(f"{LRS_ENDPOINT} needs {LRS_USERNAME} and {LRS_PASSWORD}")
        # By default the local API names learners and courses: its URL, its course paths.
        home_page = environ.get(shared_names.LRS_ACTOR_HOME_PAGE_ENV) or api_url
        courses = environ.get(shared_names.LRS_COURSE_IRI_TEMPLATE_ENV) or (
            f"{api_url}/courses/{{courseId}}"
        )
        return cls(LrsEndpoint(url, username, password), LrsProfile(home_page, courses))
