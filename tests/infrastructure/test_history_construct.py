"""The history routes in the construct: off by default, each its own function with only its
table actions when on, and the table's history index, created always and checked on a
brought-in table at synth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_dynamodb as dynamodb

from stats_api import table_keys
from stats_api.routes import (
    CORE_ROUTES,
    FETCH_COURSE_STATS,
    HISTORY_ROUTES,
    LEARNER_ROUTES,
    LIST_COURSES,
    LIST_SESSIONS,
    WITHDRAW_SESSION,
)
from stats_api.shared_names import HISTORY_ENV
from stats_service import StatsService, StatsServiceProps
from tests.support.templates import function_for, functions, role_statements, synth

STRING = dynamodb.AttributeType.STRING


@pytest.fixture(scope="module")
def history_template() -> assertions.Template:
    return synth(StatsServiceProps(history=True))


@pytest.fixture(scope="module")
def core_template() -> assertions.Template:
    return synth()


def table_grants(template: assertions.Template, function_id: str) -> dict[str, set[str]]:
    """DynamoDB action -> the resources it is granted on, rendered as text."""
    grants: dict[str, set[str]] = {}
    for statement in role_statements(template, function_id):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        for action in actions:
            if action.startswith("dynamodb:"):
                grants.setdefault(action, set()).update(map(str, resources))
    return grants


def test_should_create_the_table_with_the_history_index_even_with_history_off(
    core_template: assertions.Template,
) -> None:
    core_template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "LocalSecondaryIndexes": [
                {
                    "IndexName": table_keys.HISTORY_INDEX,
                    "KeySchema": [
                        {"AttributeName": table_keys.PARTITION_KEY, "KeyType": "HASH"},
                        {"AttributeName": table_keys.HISTORY_SORT_KEY, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        },
    )


def test_should_deploy_only_the_core_routes_by_default(core_template: assertions.Template) -> None:
    routes = core_template.find_resources("AWS::ApiGatewayV2::Route")

    assert sorted(r["Properties"]["RouteKey"] for r in routes.values()) == sorted(
        route.route_key for route in CORE_ROUTES
    )
    for function in functions(core_template).values():
        assert HISTORY_ENV not in function["Properties"]["Environment"]["Variables"]


def test_should_give_each_history_route_its_own_function(
    history_template: assertions.Template,
) -> None:
    behind = {
        route.route_key: function_for(history_template, route.route_key) for route in LEARNER_ROUTES
    }

    assert len(set(behind.values())) == len(LEARNER_ROUTES) == 6
    for route in HISTORY_ROUTES:
        function = functions(history_template)[behind[route.route_key]]
        assert function["Properties"]["Handler"] == route.handler
        assert function["Properties"]["Environment"]["Variables"][HISTORY_ENV] == "on"


@pytest.mark.parametrize(
    ("route", "table", "index"),
    [
        (LIST_COURSES, {"dynamodb:Query"}, set()),
        (LIST_SESSIONS, set(), {"dynamodb:Query"}),
        (
            WITHDRAW_SESSION,
            {"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"},
            set(),
        ),
        (FETCH_COURSE_STATS, {"dynamodb:GetItem"}, {"dynamodb:Query"}),
    ],
)
def test_should_grant_each_function_only_its_actions_on_the_table_and_the_index(
    history_template: assertions.Template, route: Any, table: set[str], index: set[str]
) -> None:
    grants = table_grants(history_template, function_for(history_template, route.route_key))
    on_index = {
        a
        for a, resources in grants.items()
        if any(table_keys.HISTORY_INDEX in r for r in resources)
    }
    on_table = {
        a
        for a, resources in grants.items()
        if any(table_keys.HISTORY_INDEX not in r and "index" not in r for r in resources)
    }

    assert on_table == table
    assert on_index == index


def test_should_not_let_the_course_stats_query_the_index_with_history_off(
    core_template: assertions.Template,
) -> None:
    grants = table_grants(core_template, function_for(core_template, FETCH_COURSE_STATS.route_key))

    assert set(grants) == {"dynamodb:GetItem"}


def _table(stack: Stack, **props: Any) -> dynamodb.TableV2:
    return dynamodb.TableV2(
        stack,
        "Sessions",
        partition_key=dynamodb.Attribute(name="userId", type=STRING),
        sort_key=dynamodb.Attribute(name="sessionId", type=STRING),
        **props,
    )


def _index(name: str = table_keys.HISTORY_INDEX, **props: Any) -> Mapping[str, Any]:
    settings: dict[str, Any] = {
        "index_name": name,
        "sort_key": dynamodb.Attribute(name=table_keys.HISTORY_SORT_KEY, type=STRING),
        "projection_type": dynamodb.ProjectionType.ALL,
        **props,
    }
    return {"local_secondary_indexes": [dynamodb.LocalSecondaryIndexProps(**settings)]}


@pytest.mark.parametrize(
    "table_props",
    [
        {},
        _index(name="other"),
        _index(projection_type=dynamodb.ProjectionType.KEYS_ONLY),
        _index(sort_key=dynamodb.Attribute(name="completedAt", type=STRING)),
    ],
    ids=["no-index", "other-name", "keys-only", "other-sort-key"],
)
def test_should_refuse_a_brought_table_without_the_history_index_when_history_is_on(
    table_props: dict[str, Any],
) -> None:
    stack = Stack(App(), "Consumer")
    table = _table(stack, **table_props)

    assert StatsService(stack, "Core", StatsServiceProps(table=table)).table is table
    with pytest.raises(ValueError, match=r"history routes need the table .* byCourseCompletedAt"):
        StatsService(stack, "History", StatsServiceProps(table=table, history=True))


def test_should_take_a_brought_table_with_the_history_index() -> None:
    stack = Stack(App(), "Consumer")
    table = _table(stack, **_index())

    assert StatsService(stack, "Stats", StatsServiceProps(table=table, history=True)).table is table


def test_should_need_an_imported_tables_history_index_confirmed() -> None:
    stack = Stack(App(), "Consumer")
    imported = dynamodb.TableV2.from_table_name(stack, "Imported", "learning-sessions")

    with pytest.raises(ValueError, match="set table_has_history_index=True"):
        StatsService(stack, "Refused", StatsServiceProps(table=imported, history=True))
    props = StatsServiceProps(table=imported, history=True, table_has_history_index=True)
    StatsService(stack, "Confirmed", props)
    template = assertions.Template.from_stack(stack)

    assert ":table/learning-sessions/index/byCourseCompletedAt" in str(
        template.find_resources("AWS::IAM::Policy")
    )
