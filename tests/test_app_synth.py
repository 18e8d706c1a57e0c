"""The CDK app as ``make synth`` runs it: every stage synthesises with cdk-nag's packs
attached and clean, and every template passes cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sns as sns

from app import build_app

STAGE_CONTEXTS = {
    "dev": {"stage": "dev"},
    "staging": {"stage": "staging"},
    "prod": {"stage": "prod"},
    "prod-jwt": {
        "stage": "prod",
        "auth": "jwt",
        "jwtIssuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example",
        "jwtAudience": "client-1,client-2",
    },
}
# CDK emits DependsOn that CloudFormation would infer anyway; cfn-lint calls it redundant.
ACCEPTED_CFN_LINT_RULES = {"W3005"}


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage synthesised once, as ``cdk synth -c ...`` would."""
    out = {}
    for name, context in STAGE_CONTEXTS.items():
        outdir = tmp_path_factory.mktemp(name)
        build_app(App(outdir=str(outdir), context=context)).synth()
        out[name] = outdir
    return out


@pytest.mark.parametrize("stage", STAGE_CONTEXTS)
def test_should_pass_cdk_nag_in_every_stage(assemblies: dict[str, Path], stage: str) -> None:
    report = json.loads((assemblies[stage] / "validation-report.json").read_text())

    conclusions = {r["pluginName"]: r["conclusion"] for r in report["pluginReports"]}
    assert conclusions == {"AwsSolutions": "success", "Serverless": "success"}


@pytest.mark.parametrize("stage", STAGE_CONTEXTS)
def test_should_pass_cfn_lint_in_every_stage(assemblies: dict[str, Path], stage: str) -> None:
    templates = sorted(assemblies[stage].glob("*.template.json"))
    assert len(templates) == 1

    result = subprocess.run(  # noqa: S603 - our own interpreter and files
        [sys.executable, "-m", "cfnlint", "--format", "json", *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )

    findings = json.loads(result.stdout or "[]")
    assert {f["Rule"]["Id"] for f in findings} <= ACCEPTED_CFN_LINT_RULES, findings


def test_should_fail_synth_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = build_app(App(outdir=str(tmp_path), context={"stage": "dev"}))
    # A topic without enforced TLS: AwsSolutions-SNS3 must stop the synth.
    sns.Topic(Stack(app, "Sloppy"), "Topic")

    with pytest.raises(Exception, match="AwsSolutions-SNS3"):
        app.synth()


def test_should_refuse_to_synth_prod_with_header_auth(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="prod stage refuses header auth"):
        build_app(App(outdir=str(tmp_path), context={"stage": "prod", "auth": "header"}))


def test_should_synth_prod_with_header_auth_when_overridden(tmp_path: Path) -> None:
    context = {"stage": "prod", "auth": "header", "allowHeaderAuthInProd": "true"}

    assert build_app(App(outdir=str(tmp_path), context=context)).node.find_all()


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"stage": "qa"}, "unknown stage 'qa'"),
        ({"stage": "dev", "auth": "magic"}, "unknown auth 'magic'"),
        ({"stage": "dev", "auth": "jwt"}, "jwtIssuer"),
    ],
)
def test_should_explain_a_wrong_context(context: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_app(App(context=context))
