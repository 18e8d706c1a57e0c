"""The synthesised CloudFormation of a ``StatsService``: what the construct promises."""

from __future__ import annotations

import pytest
from aws_cdk import App, assertions

from stats_api import table_keys
from stats_api.routes import CORE_ROUTES, RECORD_SESSION
from stats_service import StatsStack
from tests.support.templates import actions, function_for, functions

WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:*",
}


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    return assertions.Template.from_stack(StatsStack(App(), "Test"))


def test_should_key_the_table_by_user_and_session(template: assertions.Template) -> None:
    template.resource_count_is("AWS::DynamoDB::GlobalTable", 1)
    template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "KeySchema": [
                {"AttributeName": table_keys.PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": table_keys.SORT_KEY, "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": assertions.Match.array_with(
                [
                    {"AttributeName": "userId", "AttributeType": "S"},
                    {"AttributeName": "sessionId", "AttributeType": "S"},
                ]
            ),
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def test_should_create_one_function_per_route(template: assertions.Template) -> None:
    created = functions(template)
    assert len(created) == len(CORE_ROUTES) == 3
    handlers = sorted(f["Properties"]["Handler"] for f in created.values())
    assert handlers == sorted(route.handler for route in CORE_ROUTES)


def test_should_expose_exactly_the_three_routes(template: assertions.Template) -> None:
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    assert sorted(r["Properties"]["RouteKey"] for r in routes.values()) == sorted(
        [
            "POST /courses/{courseId}",
            "GET /courses/{courseId}",
            "GET /courses/{courseId}/sessions/{sessionId}",
        ]
    )
    template.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})


def test_should_integrate_each_route_with_its_own_function(template: assertions.Template) -> None:
    created = functions(template)
    behind = {route.route_key: function_for(template, route.route_key) for route in CORE_ROUTES}

    assert len(set(behind.values())) == len(CORE_ROUTES)
    for route in CORE_ROUTES:
        assert created[behind[route.route_key]]["Properties"]["Handler"] == route.handler


def test_should_give_each_function_its_own_role(template: assertions.Template) -> None:
    roles = {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions(template).values()}
    assert len(roles) == len(CORE_ROUTES)


def test_should_let_the_read_routes_only_get_items(template: assertions.Template) -> None:
    for route in CORE_ROUTES:
        if route is RECORD_SESSION:
            continue
        allowed = actions(template, function_for(template, route.route_key))
        dynamodb_actions = {a for a in allowed if a.startswith("dynamodb:")}
        assert dynamodb_actions == {"dynamodb:GetItem"}, route.route_key
        assert not dynamodb_actions & WRITE_ACTIONS
        assert "dynamodb:Scan" not in dynamodb_actions


def test_should_let_the_record_route_write_only_what_its_transaction_needs(
    template: assertions.Template,
) -> None:
    allowed = actions(template, function_for(template, RECORD_SESSION.route_key))
    assert {a for a in allowed if a.startswith("dynamodb:")} == {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:GetItem",
    }


def test_should_pass_the_table_name_to_every_function(template: assertions.Template) -> None:
    table_id = next(iter(template.find_resources("AWS::DynamoDB::GlobalTable")))
    for function in functions(template).values():
        assert function["Properties"]["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": table_id}
