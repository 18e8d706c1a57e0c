"""The optional custom domain: a regional API Gateway domain with its certificate, mapped to
the API's stage, and the stack outputs DNS needs.
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, assertions
from aws_cdk import aws_certificatemanager as acm

from stats_service import StatsService, StatsServiceProps, StatsStack

DOMAIN = "stats.example.com"
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


def _stack_template(region: str | None = None, **props: Any) -> assertions.Template:
    stack = StatsStack(
        App(),
        "Test",
        service_props=StatsServiceProps(**props),
        env=Environment(region=region),
    )
    return assertions.Template.from_stack(stack)


def _certificate_rules(template: assertions.Template) -> list[dict[str, Any]]:
    rules = template.to_json().get("Rules", {})
    return [rule for name, rule in rules.items() if "DomainCertificateInRegion" in name]


def test_should_have_no_custom_domain_by_default() -> None:
    template = _stack_template()

    template.resource_count_is("AWS::ApiGatewayV2::DomainName", 0)
    template.resource_count_is("AWS::ApiGatewayV2::ApiMapping", 0)
    assert set(template.find_outputs("*")) == {"ApiUrl", "TableName", "AlarmTopicArn", "AuthMode"}


def test_should_map_the_domain_to_the_apis_stage_with_its_certificate() -> None:
    template = _stack_template(domain_name=DOMAIN, certificate=CERTIFICATE)
    (domain_id,) = template.find_resources("AWS::ApiGatewayV2::DomainName")
    (api_id,) = template.find_resources("AWS::ApiGatewayV2::Api")
    (stage_id,) = template.find_resources("AWS::ApiGatewayV2::Stage")

    template.has_resource_properties(
        "AWS::ApiGatewayV2::DomainName",
        {
            "DomainName": DOMAIN,
            "DomainNameConfigurations": [
                {
                    "CertificateArn": CERTIFICATE,
                    "EndpointType": "REGIONAL",
                    "SecurityPolicy": "TLS_1_2",
                }
            ],
        },
    )
    # The stage by name, created first: a mapping to a stage not yet there fails.
    template.has_resource(
        "AWS::ApiGatewayV2::ApiMapping",
        {
            "Properties": {
                "ApiId": {"Ref": api_id},
                "DomainName": {"Ref": domain_id},
                "Stage": "$default",
            },
            "DependsOn": [stage_id],
        },
    )


def test_should_output_the_dns_target_and_its_hosted_zone() -> None:
    template = _stack_template(domain_name=DOMAIN, certificate=CERTIFICATE)
    (domain_id,) = template.find_resources("AWS::ApiGatewayV2::DomainName")

    outputs = template.find_outputs("*")
    assert outputs["DomainTarget"]["Value"] == {"Fn::GetAtt": [domain_id, "RegionalDomainName"]}
    assert outputs["DomainHostedZoneId"]["Value"] == {
        "Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]
    }
    # CloudFormation refuses a stack whose output Description is not a literal string
    # ("Every Description member must be a string"; cfn-lint E6003):
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html
    for output in outputs.values():
        assert isinstance(output.get("Description", ""), str), output


def test_should_take_a_certificate_construct() -> None:
    stack = Stack(App(), "Consumer")
    certificate = acm.Certificate(stack, "Certificate", domain_name=DOMAIN)
    service = StatsService(
        stack, "Stats", StatsServiceProps(domain_name=DOMAIN, certificate=certificate)
    )
    template = assertions.Template.from_stack(stack)
    (certificate_id,) = template.find_resources("AWS::CertificateManager::Certificate")

    assert service.domain is not None
    template.has_resource_properties(
        "AWS::ApiGatewayV2::DomainName",
        {
            "DomainNameConfigurations": [
                assertions.Match.object_like({"CertificateArn": {"Ref": certificate_id}})
            ]
        },
    )


def test_should_refuse_a_certificate_of_another_region_at_synth() -> None:
    with pytest.raises(ValueError, match="is in eu-west-1, the API in us-east-1"):
        _stack_template("us-east-1", domain_name=DOMAIN, certificate=CERTIFICATE)


def test_should_accept_a_certificate_of_the_pinned_region() -> None:
    template = _stack_template("eu-west-1", domain_name=DOMAIN, certificate=CERTIFICATE)

    assert not _certificate_rules(template)
    template.resource_count_is("AWS::ApiGatewayV2::DomainName", 1)


def test_should_refuse_to_deploy_elsewhere_than_the_certificates_region_when_agnostic() -> None:
    (rule,) = _certificate_rules(_stack_template(domain_name=DOMAIN, certificate=CERTIFICATE))

    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"domain_name": DOMAIN}, "domain_name and certificate go together"),
        ({"certificate": CERTIFICATE}, "domain_name and certificate go together"),
        ({"domain_name": "Stats.Example.com", "certificate": CERTIFICATE}, "lower-case host"),
        ({"domain_name": "localhost", "certificate": CERTIFICATE}, "lower-case host"),
        ({"domain_name": DOMAIN, "certificate": "my-certificate"}, "ACM certificate ARN"),
    ],
)
def test_should_refuse_a_wrong_custom_domain(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StatsServiceProps(**settings)  # type: ignore[arg-type]
