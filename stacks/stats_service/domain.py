"""The API's custom domain (optional): a regional API Gateway domain name with its ACM
certificate, mapped to the API's stage. DNS stays the consumer's: a CNAME or alias record
to the domain's regional target.

A regional domain needs a certificate of the API's own region:
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html
"""

from __future__ import annotations

from aws_cdk import Aws, Fn, Stack, Token
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct

from .props import StatsServiceProps
from .template_rules import refuse_deploy_unless


def custom_domain(
    scope: Construct, api: apigw.IHttpApi, stage: apigw.IHttpStage, props: StatsServiceProps
) -> apigw.DomainName | None:
    """The domain ``props.domain_name`` mapped to ``stage``, or None when none is asked for."""
    if props.domain_name is None or props.certificate is None:
        return None
    certificate = props.certificate
    if isinstance(certificate, str):
        _require_certificate_in_api_region(scope, certificate)
        certificate = acm.Certificate.from_certificate_arn(scope, "DomainCertificate", certificate)
    domain = apigw.DomainName(
        scope,
        "Domain",
        domain_name=props.domain_name,
        certificate=certificate,
        endpoint_type=apigw.EndpointType.REGIONAL,
        security_policy=apigw.SecurityPolicy.TLS_1_2,
    )
    apigw.ApiMapping(scope, "DomainMapping", api=api, domain_name=domain, stage=stage)
    return domain


def _require_certificate_in_api_region(scope: Construct, arn: str) -> None:
    """Refuses a certificate ARN of another region: at synth when both regions are known,
    else with a template rule checked before any resource changes."""
    if Token.is_unresolved(arn):
        return
    certificate_region = arn.split(":")[3]
    stack_region = Stack.of(scope).region
    if not Token.is_unresolved(stack_region):
        if certificate_region != stack_region:
            raise ValueError(
                f"certificate {arn} is in {certificate_region}, the API in {stack_region}: "
                "a regional custom domain needs a certificate of the API's region"
            )
        return
    refuse_deploy_unless(
        scope,
        "DomainCertificateInRegion",
        Fn.condition_equals(Aws.REGION, certificate_region),
        f"The custom domain's certificate is in {certificate_region}: deploy to that region, "
        "or bring a certificate of this one.",
    )
