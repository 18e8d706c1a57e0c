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
from typing import cast

from aws_cdk import Acknowledgment, CfnElement, Duration, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stats_api import shared_names
from stats_api.routes import Route

from .functions import FunctionSpec, service_function
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
    *,
    routes: Mapping[str, Route],
    code: lambda_.Code,
) -> dict[str, codedeploy.LambdaDeploymentGroup]:
    """One CodeDeploy deployment group per alias, by function id, in one application, each
    with a pre-traffic hook that checks the new version before any traffic reaches it."""
    application = codedeploy.LambdaApplication(scope, "Releases")
    groups = {}
    for function_id, alias in aliases.items():
        hook = release_check_hook(
            scope, function_id, routes[function_id], alias.version, code=code, props=props
        )
        # CodeDeploy runs the hook during the alias update: by then the hook must name the
        # new version and its role must be allowed to invoke it. (A reference inside an
        # UpdatePolicy orders nothing.)
        alias.node.add_dependency(hook, hook.role or hook)
        group = codedeploy.LambdaDeploymentGroup(
            scope,
            f"{function_id}Release",
            application=application,
            alias=alias,
            pre_hook=hook,
            deployment_config=props.deployment_config,
            alarms=release_alarms_for(function_id),
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True,
                # An operator who stops a release wants the version that ran before.
                stopped_deployment=True,
                deployment_in_alarm=True,
            ),
        )
        hook_id = Stack.of(hook).resolve(
            Stack.of(hook).get_logical_id(cast(CfnElement, hook.node.default_child))
        )
        Validations.of(group).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{hook_id}.Arn>:*]",
                reason="CDK lets CodeDeploy invoke the pre-traffic hook function and its "
                "versions (<hook ARN>:*); that function only.",
            )
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


def release_check_hook(
    scope: Construct,
    function_id: str,
    route: Route,
    version: lambda_.IVersion,
    *,
    code: lambda_.Code,
    props: StatsServiceProps,
) -> lambda_.Function:
    """CodeDeploy's ``BeforeAllowTraffic`` hook for ``function_id``: it invokes the version
    being released with requests that change nothing (``stats_api.release_check``) and
    fails the release unless they are answered as they must be, before any traffic shifts.

    Its configuration names that version, so each release updates the hook first; its role
    may invoke that version only (and, granted by the deployment group, report to it).
    https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
    """

    def grant(role: iam.Role) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[version.function_arn])
        )

    spec = FunctionSpec(
        function_id=f"{function_id}ReleaseCheck",
        handler=shared_names.RELEASE_CHECK_HANDLER,
        description=f"Pre-traffic check of each release of {route.route_key}",
        role_description=f"Checks each new version of {route.route_key} before it takes traffic",
        environment={
            shared_names.RELEASE_CHECK_TARGET_ENV: version.function_arn,
            shared_names.RELEASE_CHECK_ROUTE_ENV: route.route_key,
        },
        grant=grant,
        permissions_scope="the hook may invoke only the version being released",
        invoked_by="CodeDeploy invokes the hook and waits for its report; a failure to "
        "report fails the release, which a dead-letter queue would not change.",
        memory_size=256,
        # Each probe waits for the version (its 10 s timeout, a cold start) and may retry.
        timeout=Duration.minutes(2),
    )
    # The functions' own asset, boto3 only and no layer: a broken layer cannot pass its check.
    return service_function(scope, spec, code=code, layer=None, props=props)
