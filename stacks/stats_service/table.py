"""The sessions table: created with the key schema the runtime addresses items by, or brought
in by the consumer and checked against that schema where CDK can see it."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from stats_api import table_keys

from .props import StatsServiceProps

# Key role -> attribute name, as the runtime addresses items (all keys are strings).
KEY_SCHEMA = {"HASH": table_keys.PARTITION_KEY, "RANGE": table_keys.SORT_KEY}


def sessions_table(scope: Construct, props: StatsServiceProps) -> dynamodb.TableV2:
    return dynamodb.TableV2(
        scope,
        "Table",
        partition_key=_string(table_keys.PARTITION_KEY),
        sort_key=_string(table_keys.SORT_KEY),
        billing=dynamodb.Billing.on_demand(),
        # Learners' history is the product: always restorable to any second of 35 days.
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=props.deletion_protection,
        removal_policy=props.removal_policy,
    )


def check_brought_table(table: dynamodb.ITable) -> None:
    """Refuse a consumer's table whose key schema is not the service's, when CDK can see it.

    A table defined in the same app carries its CloudFormation resource; one imported by
    name or ARN does not, and is taken on trust (a mismatch then fails at run time).
    """
    schema = _visible_key_schema(table)
    if schema is None:
        return
    expected = {role: (name, "S") for role, name in KEY_SCHEMA.items()}
    if schema != expected:
        raise ValueError(
            f"the table {table.node.path} must be keyed {table_keys.PARTITION_KEY} (string, "
            f"partition key) / {table_keys.SORT_KEY} (string, sort key); it is keyed "
            + " / ".join(f"{name} ({kind}, {role})" for role, (name, kind) in schema.items())
        )


def _visible_key_schema(table: dynamodb.ITable) -> dict[str, tuple[str, str]] | None:
    """Key role -> (attribute name, type) of a table whose resource is in this app."""
    resource = table.node.default_child
    if not isinstance(resource, dynamodb.CfnTable | dynamodb.CfnGlobalTable):
        return None
    resolve = Stack.of(table).resolve
    types = {
        definition["attributeName"]: definition["attributeType"]
        for definition in _plain(resolve(resource.attribute_definitions))
    }
    return {
        key["keyType"]: (key["attributeName"], types.get(key["attributeName"], "?"))
        for key in _plain(resolve(resource.key_schema))
    }


def _plain(value: Any) -> list[dict[str, str]]:
    return [dict(item) for item in value or []]


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
