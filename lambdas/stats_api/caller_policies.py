"""Who may call which routes of an IAM-auth stage: the ``execute-api:Invoke`` grants each kind
of caller gets, derived from the route table and declared once.

Read by the construct (``StatsService.grant_analytics_read``), the local run (its IAM
authorizer evaluates these policies for each local principal), the docs' policies (a
test compares them with these) and the tests that evaluate them as IAM does. Pure data,
imported by no handler.

A request is authorised against ``arn:<partition>:execute-api:<region>:<account>:<api-id>/
<stage>/<METHOD>/<path>`` with the path's real values, where IAM's ``*`` matches any run of
characters, ``/`` included, and ``{courseId}`` would be literal text that no request
matches. So each route is granted as its method and its path with every path parameter
made ``*``, the method always named: ``GET/courses/*`` cannot reach ``GET/analytics/...``.
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stats_api.routes import ANALYTICS_ROUTES, LEARNER_ROUTES, Route

INVOKE = "execute-api:Invoke"
STAGE = "$default"  # the only stage the construct deploys
# The docs' placeholders for what only a deployed stage knows.
REGION, ACCOUNT, API_ID = "<region>", "<account>", "<api-id>"


@dataclass(frozen=True)
class Grant:
    """One route's grant: its method and its path, each path parameter ``*``."""

    method: str
    path: str

    @property
    def resource(self) -> str:
        """The part of the ARN after the stage, e.g. ``GET/courses/*``."""
        return f"{self.method}{self.path}"


def grant(route: Route) -> Grant:
    return Grant(route.method, re.sub(r"\{\w+\}", "*", route.path))


def grants(routes: Iterable[Route]) -> tuple[Grant, ...]:
    return tuple(dict.fromkeys(grant(route) for route in routes))


# A learner's backend (the trusted signer naming the learner) and CI's end-to-end suite call
# every learner route; the dashboards' role only the analytics ones.
LEARNER_GRANTS = grants(LEARNER_ROUTES)
ANALYTICS_GRANTS = grants(ANALYTICS_ROUTES)
# The statements' ids, as the docs' policies name them.
LEARNERS_SID = "CallTheApi"
ANALYTICS_SID = "ReadCourseAnalytics"


def execute_api_arn(
    resource: str,
    *,
    region: str = REGION,
    account: str = ACCOUNT,
    api_id: str = API_ID,
    partition: str = "aws",
) -> str:
    """The ARN of ``resource`` (``<METHOD>/<path>``: a request's, or a grant's pattern)."""
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{STAGE}/{resource}"


def invoke_statement(sid: str, granted: Iterable[Grant], **arn_parts: str) -> dict[str, Any]:
    """The identity-policy statement allowing ``granted``; ``arn_parts`` fill in the ARNs
    (``region``, ``account``, ``api_id``, ``partition``; the docs' placeholders else)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": INVOKE,
        "Resource": [execute_api_arn(g.resource, **arn_parts) for g in granted],
    }


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def learners_policy(**arn_parts: str) -> dict[str, Any]:
    """What a learners' backend (and CI's end-to-end suite) is granted: every learner route."""
    return policy(invoke_statement(LEARNERS_SID, LEARNER_GRANTS, **arn_parts))


def analytics_policy(**arn_parts: str) -> dict[str, Any]:
    """What ``StatsService.grant_analytics_read`` grants: the analytics routes, no other."""
    return policy(invoke_statement(ANALYTICS_SID, ANALYTICS_GRANTS, **arn_parts))
