"""The service's tables, rendered from the schemas the runtime declares (``table_keys.SCHEMA``,
``analytics_keys.SCHEMA``); a sessions table brought in by the consumer is checked against
its schema where CDK can see it."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from stats_api import analytics_keys, table_keys
from stats_api.table_schema import TableSchema

from .props import StatsServiceProps

_HISTORY_INDEX = table_keys.HISTORY_INDEX_SCHEMA
HISTORY_INDEX_DESCRIPTION = (
    f"a local secondary index {_HISTORY_INDEX.name} with sort key "
    f"{_HISTORY_INDEX.sort_key} (string) and projection {_HISTORY_INDEX.projection}"
)


def sessions_table(scope: Construct, props: StatsServiceProps) -> dynamodb.TableV2:
    """The learners' sessions, with the history index; streamed where the analytics'
    aggregator or the learning events' publisher reads it."""
    return _table(scope, "Table", table_keys.SCHEMA, props, stream=_streamed(props))


def _streamed(props: StatsServiceProps) -> bool:
    return props.analytics or props.events


def analytics_table(scope: Construct, props: StatsServiceProps) -> dynamodb.TableV2:
    """The course analytics, apart from the sessions: the aggregator's writes reach no
    stream (they cannot feed back into it) and never share a key with a learner's items."""
    return _table(scope, "AnalyticsTable", analytics_keys.SCHEMA, props, stream=False)


def _table(
    scope: Construct,
    construct_id: str,
    schema: TableSchema,
    props: StatsServiceProps,
    *,
    stream: bool,
) -> dynamodb.TableV2:
    """``schema`` as a table, on demand. Point-in-time recovery always: learners' history is
    the product, and analytics, though rebuildable (make analytics-backfill), are cheaper
    restored."""
    return dynamodb.TableV2(
        scope,
        construct_id,
        partition_key=_string(schema.partition_key),
        sort_key=_string(schema.sort_key),
        local_secondary_indexes=[
            dynamodb.LocalSecondaryIndexProps(
                index_name=index.name,
                sort_key=_string(index.sort_key),
                projection_type=dynamodb.ProjectionType(index.projection),
            )
            for index in schema.local_indexes
        ]
        or None,
        billing=dynamodb.Billing.on_demand(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=props.deletion_protection,
        removal_policy=props.removal_policy,
        dynamo_stream=dynamodb.StreamViewType(schema.stream_view_type) if stream else None,
    )


def check_brought_table(table: dynamodb.ITable, props: StatsServiceProps) -> None:
    """Refuse a consumer's table without what the routes need, when CDK can see it.

    A table defined in the same app carries its CloudFormation resource; one imported by
    name or ARN does not: its key schema is taken on trust, and with history on its index
    must be confirmed (``table_has_history_index``).
    """
    if _streamed(props) and table.table_stream_arn is None:
        raise ValueError(
            f"{'analytics' if props.analytics else 'learning events'} need the table "
            f"{table.node.path} to have a stream of new and old images (StreamViewType "
            "NEW_AND_OLD_IMAGES); import it with its table_stream_arn"
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
    schema = table_keys.SCHEMA
    expected = {"HASH": (schema.partition_key, "S"), "RANGE": (schema.sort_key, "S")}
    if keys != expected:
        raise ValueError(
            f"the table {table.node.path} must be keyed {schema.partition_key} (string, "
            f"partition key) / {schema.sort_key} (string, sort key); it is keyed "
            + " / ".join(f"{name} ({kind}, {role})" for role, (name, kind) in keys.items())
        )
    if props.history and not _has_history_index(resolve(resource.local_secondary_indexes), types):
        raise ValueError(
            f"the history routes need the table {table.node.path} to have "
            f"{HISTORY_INDEX_DESCRIPTION}"
        )


def _has_history_index(indexes: Any, types: dict[str, str]) -> bool:
    return any(
        index["indexName"] == _HISTORY_INDEX.name
        and _key_schema(index["keySchema"], types).get("RANGE") == (_HISTORY_INDEX.sort_key, "S")
        and index["projection"].get("projectionType") == _HISTORY_INDEX.projection
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
