"""IAM's evaluation of identity policies, as AWS documents it, for one request: does a
principal whose policies are these get ``action`` on ``resource``?

The local run's IAM authorizer decides with it, as API Gateway asks IAM, and the tests
evaluate the construct's grants and the docs' policies with it, against concrete request
ARNs. What it implements, and nothing more:

- Statements: ``Effect`` Allow or Deny, ``Action`` or ``NotAction``, ``Resource`` or
  ``NotResource``, each a string or a list. A statement applies when both its action and
  its resource match. An explicit Deny wins; else any Allow allows; else the request is
  implicitly denied.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
- Actions: ``service:Name`` with ``*`` and ``?``, case-insensitive.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resources: ``*`` alone matches any resource; else the ARN's six colon-separated segments
  are matched one by one, case-sensitively, ``*`` any run of characters (``/`` included)
  and ``?`` any one character, and a ``*`` ending a segment may run on past its colons.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html

What it does not evaluate (conditions, policy variables, principals of resource policies,
permissions boundaries, SCPs) it refuses with ``Unsupported`` rather than answer wrongly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

Decision = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]
_SUPPORTED = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"})
_ARN_SEGMENTS = 6  # arn:partition:service:region:account:resource


class Unsupported(ValueError):
    """A policy element this evaluation does not implement."""


def decide(policies: Iterable[Mapping[str, Any]], action: str, resource: str) -> Decision:
    """IAM's decision on ``action`` over ``resource`` for identity ``policies``."""
    allowed = False
    for statement in (s for p in policies for s in _statements(p)):
        if not (_action_applies(statement, action) and _resource_applies(statement, resource)):
            continue
        if statement["Effect"] == "Deny":
            return "ExplicitDeny"
        allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def is_allowed(policies: Iterable[Mapping[str, Any]], action: str, resource: str) -> bool:
    return decide(policies, action, resource) == "Allow"


def action_matches(pattern: str, action: str) -> bool:
    """An ``Action`` entry against a request's action: wildcards, any letter case."""
    return _glob(pattern.lower()).fullmatch(action.lower()) is not None


def resource_matches(pattern: str, arn: str) -> bool:
    """A ``Resource`` entry against a request's ARN, segment by segment, case-sensitively."""
    if pattern == "*":
        return True
    wanted = pattern.split(":", _ARN_SEGMENTS - 1)
    given = arn.split(":", _ARN_SEGMENTS - 1)
    for index, part in enumerate(wanted):
        if part.endswith("*") and index < _ARN_SEGMENTS - 1:
            # "If the * wildcard is the last character of a resource ARN segment, it can
            # expand to match beyond the colon boundaries": the rest, as one text.
            tail, rest = ":".join(wanted[index:]), ":".join(given[index:])
            return _glob(tail).fullmatch(rest) is not None
        if index >= len(given) or _glob(part).fullmatch(given[index]) is None:
            return False
    return len(wanted) == len(given)


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = policy["Statement"]
    statements = [found] if isinstance(found, Mapping) else list(found)
    for statement in statements:
        unknown = sorted(set(statement) - _SUPPORTED)
        if unknown:
            raise Unsupported(f"not evaluated here: {', '.join(unknown)} in {dict(statement)}")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise Unsupported(f"Effect must be Allow or Deny: {dict(statement)}")
        if ("Action" in statement) == ("NotAction" in statement):
            raise Unsupported(f"a statement has Action or NotAction: {dict(statement)}")
        if ("Resource" in statement) == ("NotResource" in statement):
            raise Unsupported(f"a statement has Resource or NotResource: {dict(statement)}")
        if "${" in str(statement.get("Resource", statement.get("NotResource"))):
            raise Unsupported(f"policy variables are not evaluated here: {dict(statement)}")
    return statements


def _action_applies(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(action_matches(p, action) for p in _listed(statement["Action"]))
    return not any(action_matches(p, action) for p in _listed(statement["NotAction"]))


def _resource_applies(statement: Mapping[str, Any], arn: str) -> bool:
    if "Resource" in statement:
        return any(resource_matches(p, arn) for p in _listed(statement["Resource"]))
    return not any(resource_matches(p, arn) for p in _listed(statement["NotResource"]))


def _listed(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.DOTALL,
    )
