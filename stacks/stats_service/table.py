"""The sessions table: created with the key schema and the history index the runtime uses,
or brought in by the consumer and checked for them where CDK can see it."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from stats_api import analytics_keys, table_keys
from stats_api.analytics_keys import STREAM_VIEW_TYPE

from .props import StatsServiceProps

# Key role -> attribute name, as the runtime addresses items (all keys are strings).
KEY_SCHEMA = {"HASH": table_keys.PARTITION_KEY, "RANGE": table_keys.SORT_KEY}
HISTORY_INDEX_DESCRIPTION = (
    f"a local secondary index {table_keys.HISTORY_INDEX} with sort key "
    f"{table_keys.HISTORY_SORT_KEY} (string) and projection ALL"
)


def sessions_table(scope: Construct, props: StatsServiceProps) -> dynamodb.TableV2:
    return dynamodb.TableV2(
        scope,
        "Table",
        partition_key=_string(table_keys.PARTITION_KEY),
        sort_key=_string(table_keys.SORT_KEY),
        # Always, history routes on or off: a local secondary index exists only if the
        # table is created with it, and it is what lets the history read strongly
        # consistently (a global one can be added later, but reads it eventually only).
        local_secondary_indexes=[
            dynamodb.LocalSecondaryIndexProps(
                index_name=table_keys.HISTORY_INDEX,
                sort_key=_string(table_keys.HISTORY_SORT_KEY),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        ],
        billing=dynamodb.Billing.on_demand(),
        # Learners' history is the product: always restorable to any second of 35 days.
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=props.deletion_protection,
        removal_policy=props.removal_policy,
        # What the analytics aggregator reads: a withdrawal's record must carry the session.
        dynamo_stream=dynamodb.StreamViewType(STREAM_VIEW_TYPE) if props.analytics else None,
    )


def analytics_table(scope: Construct, props: StatsServiceProps) -> dynamodb.TableV2:
    """The course analytics, apart from the sessions: the aggregator's writes reach no
    stream (they cannot feed back into it) and never share a key with a learner's items."""
    return dynamodb.TableV2(
        scope,
        "AnalyticsTable",
        partition_key=_string(analytics_keys.PARTITION_KEY),
        sort_key=_string(analytics_keys.SORT_KEY),
        billing=dynamodb.Billing.on_demand(),
        # Rebuildable from the sessions (make analytics-backfill), but restorable is cheaper.
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=props.deletion_protection,
        removal_policy=props.removal_policy,
    )


def check_brought_table(table: dynamodb.ITable, props: StatsServiceProps) -> None:
    """Refuse a consumer's table without what the routes need, when CDK can see it.

    A table defined in the same app carries its CloudFormation resource; one imported by
    name or ARN does not: its key schema is taken on trust, and with history on its index
    must be confirmed (``table_has_history_index``).
    """
    if props.analytics and table.table_stream_arn is None:
        raise ValueError(
            f"analytics need the table {table.node.path} to have a stream of new and old "
            "images (StreamViewType NEW_AND_OLD_IMAGES); import it with its "
            "table_stream_arn"
        )
    resource = table.node.default_child
    if not isinstance(resource, dynamodb.CfnTable | dynamodb.CfnGlobalTable):
        if props.history and not props.table_has_history_index:
            raise ValueError(
                f"the history routes need the table to have {HISTORY_INDEX_DESCRIPTION}; CDK "
                f"cannot see whether the imported table {table.node.path} has it: check it "
                "(aws dynamodb describe-table) and set table_has_history_index=True"
            )
        return
    resolve = Stack.of(table).resolve
    types = {
        definition["attributeName"]: definition["attributeType"]
        for definition in _plain(resolve(resource.attribute_definitions))
    }
    keys = _key_schema(resolve(resource.key_schema), types)
    expected = {role: (name, "S") for role, name in KEY_SCHEMA.items()}
    if keys != expected:
        raise ValueError(
            f"the table {table.node.path} must be keyed {table_keys.PARTITION_KEY} (string, "
            f"partition key) / {table_keys.SORT_KEY} (string, sort key); it is keyed "
            + " / ".join(f"{name} ({kind}, {role})" for role, (name, kind) in keys.items())
        )
    if props.history and not _has_history_index(resolve(resource.local_secondary_indexes), types):
        raise ValueError(
            f"the history routes need the table {table.node.path} to have "
            f"{HISTORY_INDEX_DESCRIPTION}"
        )


def _has_history_index(indexes: Any, types: dict[str, str]) -> bool:
    return any(
        index["indexName"] == table_keys.HISTORY_INDEX
        and _key_schema(index["keySchema"], types).get("RANGE")
        == (table_keys.HISTORY_SORT_KEY, "S")
        and index["projection"].get("projectionType") == "ALL"
        for index in _plain(indexes)
    )


def _key_schema(schema: Any, types: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Key role -> (attribute name, type)."""
    return {
        key["keyType"]: (key["attributeName"], types.get(key["attributeName"], "?"))
        for key in _plain(schema)
    }


def _plain(value: Any) -> list[dict[str, Any]]:
    return [dict(item) for item in value or []]


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
