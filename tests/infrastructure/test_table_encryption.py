"""A brought-in table under its own KMS key: each function may use the key as its table
actions need, writers to encrypt, readers to decrypt only.

DynamoDB encrypts and decrypts a customer-managed-key table's items with that key on the
caller's behalf, so the caller needs the key's permissions for what it does: to write,
kms:Encrypt/GenerateDataKey besides kms:Decrypt; to read, kms:Decrypt. This cannot run
offline (no KMS here); the template is what decides it, and CDK's own
``table.grant_read_write_data`` grants exactly this split:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
"""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack, assertions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms

from stats_api import table_keys
from stats_api.routes import LEARNER_ROUTES, Route
from stats_service import StatsService, StatsServiceProps
from tests.support.templates import role_statements

WRITE_KEY_ACTIONS = {"kms:Encrypt", "kms:GenerateDataKey*"}
WRITERS = {route.function_id for route in LEARNER_ROUTES if route.method in ("POST", "DELETE")}


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    stack = Stack(App(), "Consumer")
    key = kms.Key(stack, "TableKey", enable_key_rotation=True)
    string = dynamodb.AttributeType.STRING
    # A Table, not a TableV2: a TableV2's key renders per replica region, which an
    # environment-agnostic stack cannot.
    table = dynamodb.Table(
        stack,
        "Sessions",
        partition_key=dynamodb.Attribute(name=table_keys.PARTITION_KEY, type=string),
        sort_key=dynamodb.Attribute(name=table_keys.SORT_KEY, type=string),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )
    table.add_local_secondary_index(
        index_name=table_keys.HISTORY_INDEX,
        sort_key=dynamodb.Attribute(name=table_keys.HISTORY_SORT_KEY, type=string),
        projection_type=dynamodb.ProjectionType.ALL,
    )
    StatsService(stack, "Stats", StatsServiceProps(table=table, history=True))
    return assertions.Template.from_stack(stack)


def _key_actions(template: assertions.Template, route: Route) -> set[str]:
    (key_id,) = (k for k in template.find_resources("AWS::KMS::Key") if k.startswith("TableKey"))
    (function_id,) = (
        logical_id
        for logical_id, function in template.find_resources("AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") == route.handler
    )
    found: set[str] = set()
    for statement in role_statements(template, function_id):
        if statement["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}:
            action = statement["Action"]
            found.update([action] if isinstance(action, str) else action)
    return found


def test_should_know_which_routes_write() -> None:
    assert {"RecordSession", "WithdrawSession"} == WRITERS


@pytest.mark.parametrize("route", LEARNER_ROUTES, ids=lambda r: r.function_id)
def test_should_let_writers_encrypt_and_readers_only_decrypt_with_the_tables_key(
    template: assertions.Template, route: Route
) -> None:
    actions = _key_actions(template, route)

    assert "kms:Decrypt" in actions
    if route.function_id in WRITERS:
        assert actions >= WRITE_KEY_ACTIONS
    else:
        assert not actions & (WRITE_KEY_ACTIONS | {"kms:ReEncrypt*"})
