"""What CloudFormation does with a synthesised template, done offline: the order it creates
or updates resources in, and the concrete values its intrinsic functions resolve to.

- Ordering: a resource waits for everything it names (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``)
  and everything in its ``DependsOn``, transitively, and for nothing else; a reference in
  an ``UpdatePolicy`` orders nothing.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
- Values: ``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``
  and the pseudo parameters,
  resolved for one account and region, with physical ids made up per resource type, so
  that a synthesised policy can be evaluated against concrete request ARNs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")


def referenced(value: Any) -> Iterator[str]:
    """The logical ids (and pseudo parameters) ``value`` names through its intrinsics."""
    if isinstance(value, Mapping):
        if "Ref" in value and len(value) == 1:
            yield str(value["Ref"])
            return
        if "Fn::GetAtt" in value and len(value) == 1:
            target = value["Fn::GetAtt"]
            yield str(target[0] if isinstance(target, list) else target.split(".")[0])
            return
        if "Fn::Sub" in value and len(value) == 1:
            text, names = value["Fn::Sub"] if isinstance(value["Fn::Sub"], list) else (
                value["Fn::Sub"], {})  # fmt: skip
            yield from (n.split(".")[0] for n in _SUB_NAME.findall(text) if n not in names)
            yield from referenced(names)
            return
        for inner in value.values():
            yield from referenced(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from referenced(inner)


def direct_dependencies(resources: Mapping[str, Any], logical_id: str) -> set[str]:
    """What CloudFormation finishes before ``logical_id``: its DependsOn and the resources
    its properties (and other attributes, but ``UpdatePolicy``) name."""
    resource = resources[logical_id]
    depends_on = resource.get("DependsOn", [])
    named = set([depends_on] if isinstance(depends_on, str) else depends_on)
    for key, value in resource.items():
        if key not in ("UpdatePolicy", "DependsOn"):
            named.update(referenced(value))
    return {name for name in named if name in resources}


def dependency_closure(template: Mapping[str, Any], logical_id: str) -> set[str]:
    """Everything CloudFormation creates or updates before ``logical_id``, transitively."""
    resources = template["Resources"]
    done: set[str] = set()
    pending = [logical_id]
    while pending:
        for found in direct_dependencies(resources, pending.pop()):
            if found not in done:
                done.add(found)
                pending.append(found)
    return done


@dataclass(frozen=True)
class Deployed:
    """A template as deployed in one account and region; ``api_id`` is the HTTP API's id."""

    template: Mapping[str, Any]
    region: str = "eu-west-1"
    account: str = "123456789012"
    api_id: str = "a1b2c3d4e5"
    partition: str = "aws"

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by the text it stands for."""
        if isinstance(value, list):
            return [self.resolve(inner) for inner in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            intrinsic = {
                "Ref": lambda name: self.ref(str(name)),
                "Fn::GetAtt": self._get_att,
                "Fn::Join": self._join,
                "Fn::Sub": self._sub,
                "Fn::Split": self._split,
                "Fn::Select": self._select,
            }.get(key)
            if intrinsic is not None:
                return intrinsic(argument)
        return {key: self.resolve(inner) for key, inner in value.items()}

    def _get_att(self, argument: Any) -> str:
        name, attribute = argument if isinstance(argument, list) else argument.split(".")
        return self.get_att(name, attribute)

    def _join(self, argument: Any) -> str:
        separator, parts = argument
        return str(separator).join(str(self.resolve(part)) for part in parts)

    def _split(self, argument: Any) -> list[str]:
        separator, text = argument
        return str(self.resolve(text)).split(separator)

    def _select(self, argument: Any) -> Any:
        index, items = argument
        return self.resolve(items)[int(index)]

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        kind = self._type(name)
        if kind == "AWS::ApiGatewayV2::Api":
            return self.api_id
        if kind == "AWS::Lambda::Version":  # a version's Ref is its qualified ARN
            function = self.resolve(self._properties(name)["FunctionName"])
            return f"{self._function_arn(function)}:1"
        if kind == "AWS::Lambda::Alias":  # an alias's too
            function = self.resolve(self._properties(name)["FunctionName"])
            return f"{self._function_arn(function)}:{self._properties(name)['Name']}"
        return name  # a name: functions, roles, deployment groups...

    def get_att(self, name: str, attribute: str) -> str:
        kind = self._type(name)
        arns: dict[tuple[str, str], Callable[[], str]] = {
            ("AWS::Lambda::Function", "Arn"): lambda: self._function_arn(name),
            ("AWS::IAM::Role", "Arn"): lambda: (
                f"arn:{self.partition}:iam::{self.account}:role/{name}"
            ),
            ("AWS::Lambda::Version", "Version"): lambda: "1",
            ("AWS::Logs::LogGroup", "Arn"): lambda: self.region_arn("logs", f"log-group:{name}:*"),
            ("AWS::Events::EventBus", "Arn"): lambda: self.region_arn(
                "events", f"event-bus/{name}"
            ),
            ("AWS::SQS::Queue", "Arn"): lambda: self.region_arn("sqs", name),
            ("AWS::DynamoDB::GlobalTable", "Arn"): lambda: self.region_arn(
                "dynamodb", f"table/{name}"
            ),
            ("AWS::DynamoDB::GlobalTable", "StreamArn"): lambda: self.region_arn(
                "dynamodb", f"table/{name}/stream/2026-01-01T00:00:00.000"
            ),
        }
        if (kind, attribute) in arns:
            return arns[(kind, attribute)]()
        raise KeyError(f"{kind}.{attribute} of {name} is not resolved here")

    def region_arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def _function_arn(self, function_name: str) -> str:
        if function_name.startswith("arn:"):
            return function_name
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{function_name}"

    def _sub(self, argument: Any) -> str:
        text, names = argument if isinstance(argument, list) else (argument, {})

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in names:
                return str(self.resolve(names[name]))
            if "." in name:
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return _SUB_NAME.sub(value, str(text))

    def _type(self, name: str) -> str:
        return str(self.template["Resources"][name]["Type"])

    def _properties(self, name: str) -> Mapping[str, Any]:
        return dict(self.template["Resources"][name]["Properties"])

    def policies_of_role(self, role: str) -> list[dict[str, Any]]:
        """The policy documents attached to ``role`` (inline AWS::IAM::Policy resources),
        resolved."""
        return [
            self.resolve(resource["Properties"]["PolicyDocument"])
            for resource in self.template["Resources"].values()
            if resource["Type"] == "AWS::IAM::Policy"
            and {"Ref": role} in resource["Properties"].get("Roles", [])
        ]
