"""How a new release of each function reaches learners: the API invokes a ``live`` alias,
never ``$LATEST``, and CodeDeploy moves that alias from the running version to the new
one as the deployment config says (e.g. 10% of requests for 5 minutes, then all), rolling
it back when the release fails, is stopped, or its alarms fire meanwhile.

CodeDeploy does the shifting during ``cdk deploy`` (CloudFormation's
``CodeDeployLambdaAliasUpdate`` update policy on the alias); a rollback fails the alias
update and so the stack update, which CloudFormation then rolls back:
https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html#deployment-configuration-lambda
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-codedeploylambdaaliasupdate
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .props import StatsServiceProps

LIVE_ALIAS = "live"
# The predefined configs by CodeDeploy's own names (``-c deploymentConfig=<name>``).
DEPLOYMENT_CONFIGS: dict[str, codedeploy.ILambdaDeploymentConfig] = {
    config.deployment_config_name: config
    for config in (
        codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
        codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
        codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_10_MINUTES,
        codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_15_MINUTES,
        codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_30_MINUTES,
        codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE,
        codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_2_MINUTES,
        codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_3_MINUTES,
        codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_10_MINUTES,
    )
}


def live_aliases(
    functions: Mapping[str, lambda_.Function], props: StatsServiceProps
) -> dict[str, lambda_.Alias]:
    """Each function's ``live`` alias on its current version, by function id; provisioned
    concurrency, when asked for, is kept warm there, on what the API invokes."""
    return {
        function_id: lambda_.Alias(
            function,
            "LiveAlias",
            alias_name=LIVE_ALIAS,
            version=function.current_version,
            provisioned_concurrent_executions=props.provisioned_concurrency,
            description="What the HTTP API invokes; CodeDeploy shifts it to each release",
        )
        for function_id, function in functions.items()
    }


def deployment_groups(
    scope: Construct,
    aliases: Mapping[str, lambda_.Alias],
    release_alarms_for: Callable[[str], list[cloudwatch.IAlarm]],
    props: StatsServiceProps,
) -> dict[str, codedeploy.LambdaDeploymentGroup]:
    """One CodeDeploy deployment group per alias, by function id, in one application."""
    application = codedeploy.LambdaApplication(scope, "Releases")
    groups = {}
    for function_id, alias in aliases.items():
        group = codedeploy.LambdaDeploymentGroup(
            scope,
            f"{function_id}Release",
            application=application,
            alias=alias,
            deployment_config=props.deployment_config,
            alarms=release_alarms_for(function_id),
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True,
                # An operator who stops a release wants the version that ran before.
                stopped_deployment=True,
                deployment_in_alarm=True,
            ),
        )
        Validations.of(group).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:"
                "policy/service-role/AWSCodeDeployRoleForLambdaLimited]",
                reason="CDK attaches CodeDeploy's own limited policy for Lambda deployments "
                "to every deployment group's role (read alarms, get and update aliases); "
                "AWS maintains it as the service's needs change.",
            )
        )
        groups[function_id] = group
    return groups
