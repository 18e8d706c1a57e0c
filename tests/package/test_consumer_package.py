"""The construct as another CDK app meets it: built as a wheel, installed into a fresh
virtualenv, imported by examples/consumer_app (IAM auth, production, history and analytics
on, its dashboards' role given ``grant_analytics_read``) and synthesised there."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import assertions

from local_run.iam_evaluation import is_allowed
from stats_api.caller_policies import INVOKE, execute_api_arn
from stats_api.routes import ROUTES, Route
from tests.support import REPO_ROOT
from tests.support.cloudformation import Deployed
from tests.support.commands import run
from tests.support.templates import alarm_publishing, functions, topic_statements

CONSUMER = REPO_ROOT / "examples" / "consumer_app"


@pytest.fixture(scope="module")
def consumer_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("consumer")
    run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work / "dist", REPO_ROOT
    )
    (wheel,) = (work / "dist").glob("stats_service-*.whl")
    run(sys.executable, "-m", "venv", work / "venv")
    python = work / "venv" / "bin" / "python"
    # The pins of requirements.txt as constraints: the same versions this checkout tests.
    run(python, "-m", "pip", "install", "--quiet", wheel, "-c", REPO_ROOT / "requirements.txt")
    app = work / "app"
    shutil.copytree(CONSUMER, app)
    outdir = work / "cdk.out"
    run(python, "app.py", cwd=app, CDK_OUTDIR=str(outdir))
    return outdir


@pytest.fixture(scope="module")
def template(consumer_assembly: Path) -> assertions.Template:
    body = json.loads((consumer_assembly / "LearningPlatform.template.json").read_text())
    return assertions.Template.from_json(body)


def _functions(template: assertions.Template) -> Mapping[str, Mapping[str, Any]]:
    """The route functions (each also has a release check, loading no layer)."""
    return functions(template)


def test_should_synthesise_the_service_inside_the_consumers_stack(
    template: assertions.Template,
) -> None:
    assert sorted(f["Properties"]["Handler"] for f in _functions(template).values()) == sorted(
        route.handler for route in ROUTES
    )
    template.resource_count_is("AWS::DynamoDB::GlobalTable", 2)  # sessions, analytics
    for route in template.find_resources("AWS::ApiGatewayV2::Route").values():
        assert route["Properties"]["AuthorizationType"] == "AWS_IAM"
    template.has_output("StatsApiUrl", {})


def test_should_alarm_into_the_consumers_topic(template: assertions.Template) -> None:
    topics = template.find_resources("AWS::SNS::Topic")
    assert len(topics) == 1
    (topic_id,) = topics
    assert topic_id.startswith("OnCall")
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    # The example's topic is TLS-only, so its policy must let CloudWatch publish.
    assert alarm_publishing(topic_id) in topic_statements(template, topic_id)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_should_let_the_dashboards_call_the_analytics_routes_and_nothing_else(
    template: assertions.Template, route: Route
) -> None:
    # Evaluated as IAM does, on the template as deployed, for a concrete request.
    stage = Deployed(template.to_json())
    (dashboards,) = (
        name for name in template.find_resources("AWS::IAM::Role") if name.startswith("Dashboards")
    )
    path = route.path.format(**dict.fromkeys(route.path_parameters, "algebra-1"))
    arn = execute_api_arn(
        f"{route.method}{path}", region=stage.region, account=stage.account, api_id=stage.api_id
    )

    assert is_allowed(stage.policies_of_role(dashboards), INVOKE, arn) is route.analytics


def test_should_tag_and_open_cors_as_the_consumer_asked(template: assertions.Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {
            "CorsConfiguration": assertions.Match.object_like(
                {"AllowOrigins": ["https://learn.example.com"]}
            )
        },
    )
    for function in _functions(template).values():
        assert {"Key": "team", "Value": "learning-platform"} in function["Properties"]["Tags"]


def test_should_ship_only_the_runtime_package_as_the_lambda_asset(
    consumer_assembly: Path,
) -> None:
    manifest = json.loads((consumer_assembly / "LearningPlatform.assets.json").read_text())
    directories = [
        consumer_assembly / asset["source"]["path"]
        for asset in manifest["files"].values()
        if asset["source"].get("packaging") == "zip"
    ]
    assert len(directories) == 1
    shipped = sorted(p.relative_to(directories[0]).as_posix() for p in directories[0].rglob("*.py"))
    assert shipped
    assert all(path.startswith("stats_api/") for path in shipped), shipped
    assert "stats_api/handlers/record_session.py" in shipped


def test_should_publish_on_the_consumers_bus_and_forward_with_its_secret(
    template: assertions.Template,
) -> None:
    buses = template.find_resources("AWS::Events::EventBus")
    (bus,) = buses  # the consumer's: the construct creates none when given one
    (archive,) = template.find_resources("AWS::Events::Archive").values()
    assert archive["Properties"]["SourceArn"] == {"Fn::GetAtt": [bus, "Arn"]}
    (secret,) = template.find_resources("AWS::SecretsManager::Secret")
    forwarders = [
        f["Properties"]
        for f in template.find_resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "stats_api.handlers.forward_to_lrs.handler"
    ]
    (forwarder,) = forwarders
    assert forwarder["Environment"]["Variables"]["LRS_CREDENTIALS_SECRET"] == {"Ref": secret}
