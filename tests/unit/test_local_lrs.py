"""What ``make run`` takes from its environment to forward statements to an LRS: nothing
without ``LRS_ENDPOINT``; with it, the credentials it needs, and the xAPI names by default
the local API's own."""

from __future__ import annotations

import pytest

from local_run.local_lrs import LocalLrs

API = "http://127.0.0.1:3000"
ENDPOINT = "http://127.0.0.1:8100/xAPI/statements"


def test_should_forward_nothing_without_an_endpoint() -> None:
    assert LocalLrs.from_environment({"LRS_USERNAME": "u", "LRS_PASSWORD": "p"}, API) is None


@pytest.mark.parametrize("missing", ["LRS_USERNAME", "LRS_PASSWORD"])
def test_should_refuse_an_endpoint_without_its_credentials(missing: str) -> None:
    settings = {"LRS_ENDPOINT": ENDPOINT, "LRS_USERNAME": "u", "LRS_PASSWORD": "p"}
    del settings[missing]
    with pytest.raises(ValueError, match="LRS_ENDPOINT needs LRS_USERNAME and LRS_PASSWORD"):
        LocalLrs.from_environment(settings, API)


def test_should_name_learners_and_courses_after_the_local_api_by_default() -> None:
    lrs = LocalLrs.from_environment(
        {"LRS_ENDPOINT": ENDPOINT, "LRS_USERNAME": "u", "LRS_PASSWORD": "p"}, API
    )
    assert lrs is not None
    assert (lrs.endpoint.statements_url, lrs.endpoint.username, lrs.endpoint.password) == (
        ENDPOINT,
        "u",
        "p",
    )
    assert lrs.profile.actor_home_page == API
    assert lrs.profile.course_iri("algebra-1") == f"{API}/courses/algebra-1"


def test_should_take_the_xapi_names_the_environment_gives() -> None:
    lrs = LocalLrs.from_environment(
        {
            "LRS_ENDPOINT": ENDPOINT,
            "LRS_USERNAME": "u",
            "LRS_PASSWORD": "p",
            "LRS_ACTOR_HOME_PAGE": "https://learn.example.com",
            "LRS_COURSE_IRI_TEMPLATE": "https://learn.example.com/c/{courseId}",
        },
        API,
    )
    assert lrs is not None
    assert lrs.profile.course_iri("algebra-1") == "https://learn.example.com/c/algebra-1"
    assert lrs.profile.actor_home_page == "https://learn.example.com"
