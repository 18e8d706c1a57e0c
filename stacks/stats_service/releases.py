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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import Acknowledgment, CfnElement, Duration, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stats_api import shared_names

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
    """Each route function's ``live`` alias on its current version, by function id;
    provisioned concurrency, when asked for, is kept warm there, on what the API invokes."""
    return {
        function_id: live_alias(
            function,
            "What the HTTP API invokes; CodeDeploy shifts it to each release",
            props.provisioned_concurrency,
        )
        for function_id, function in functions.items()
    }


def live_alias(
    function: lambda_.Function, description: str, provisioned_concurrency: int | None = None
) -> lambda_.Alias:
    return lambda_.Alias(
        function,
        "LiveAlias",
        alias_name=LIVE_ALIAS,
        version=function.current_version,
        provisioned_concurrent_executions=provisioned_concurrency,
        description=description,
    )


@dataclass(frozen=True)
class Release:
    """How one function's new versions reach its traffic: the alias CodeDeploy shifts, what
    the pre-traffic check sends (``check``: a route key, or the aggregator's check) and the
    alarms that roll it back."""

    alias: lambda_.Alias
    check: str
    alarms: Sequence[cloudwatch.IAlarm]


def deployment_groups(
    scope: Construct,
    releases: Mapping[str, Release],
    props: StatsServiceProps,
    *,
    code: lambda_.Code,
) -> dict[str, codedeploy.LambdaDeploymentGroup]:
    """One CodeDeploy deployment group per released function, by function id, in one
    application, each with a pre-traffic hook that checks the new version before any
    traffic reaches it.

    A break-glass release (``props.break_glass``, for incidents: the alarms that gate
    releases are already firing) shifts all at once and ignores the alarms; the hooks still
    check each version, and a failed or stopped deployment still rolls back.
    """
    application = codedeploy.LambdaApplication(scope, "Releases")
    groups = {}
    for function_id, release in releases.items():
        alias = release.alias
        hook = release_check_hook(
            scope, function_id, release.check, alias.version, code=code, props=props
        )
        group = codedeploy.LambdaDeploymentGroup(
            scope,
            f"{function_id}Release",
            application=application,
            alias=alias,
            pre_hook=hook,
            deployment_config=(
                codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE
                if props.break_glass
                else props.deployment_config
            ),
            alarms=list(release.alarms),
            ignore_alarm_configuration=props.break_glass,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True,
                # An operator who stops a release wants the version that ran before.
                stopped_deployment=True,
                deployment_in_alarm=True,
            ),
        )
        # Updating the alias starts the deployment, which needs, already in place: the hook
        # naming the new version, with its role and policies (invoke the version, report),
        # and the group with its service role and policies (invoke the hook). CloudFormation
        # orders only by DependsOn and references, and a reference inside an UpdatePolicy
        # orders nothing; a construct dependency covers each resource under it.
        alias.node.add_dependency(hook, hook.role or hook, group)
        # The hook may also end the deployment (rolled back) when it cannot report.
        hook.add_to_role_policy(
            iam.PolicyStatement(
                actions=["codedeploy:StopDeployment"], resources=[group.deployment_group_arn]
            )
        )
        _acknowledge_group_findings(group, hook)
        groups[function_id] = group
    return groups


def _acknowledge_group_findings(
    group: codedeploy.LambdaDeploymentGroup, hook: lambda_.Function
) -> None:
    Validations.of(group).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{_logical_id(hook)}.Arn>:*]",
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


def _logical_id(function: lambda_.Function) -> str:
    stack = Stack.of(function)
    return str(stack.resolve(stack.get_logical_id(cast(CfnElement, function.node.default_child))))


def release_check_hook(
    scope: Construct,
    function_id: str,
    check: str,
    version: lambda_.IVersion,
    *,
    code: lambda_.Code,
    props: StatsServiceProps,
) -> lambda_.Function:
    """CodeDeploy's ``BeforeAllowTraffic`` hook for ``function_id``: it invokes the version
    being released with requests (or a stream batch) that change nothing
    (``stats_api.release_check``) and fails the release unless they are answered as they
    must be, before any traffic shifts.

    Its configuration names that version, so each release updates the hook first. Its role
    may invoke the function's versions (``<function ARN>:*``): a grant that stays the same
    from release to release, so no IAM change has to propagate seconds before the hook
    runs, as a grant naming each new version would.
    https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
    """
    function = cast(lambda_.Function, version.lambda_)

    def grant(role: iam.Role) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[f"{function.function_arn}:*"]
            )
        )
        Validations.of(role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{_logical_id(function)}.Arn>:*]",
                reason="The hook invokes the version being released: any version of this "
                "one function, so the grant does not change (and propagate) at every release.",
            )
        )

    spec = FunctionSpec(
        function_id=f"{function_id}ReleaseCheck",
        handler=shared_names.RELEASE_CHECK_HANDLER,
        description=f"Pre-traffic check of each release of {check}",
        role_description=f"Checks each new version of {check} before it takes traffic",
        environment={
            shared_names.RELEASE_CHECK_TARGET_ENV: version.function_arn,
            shared_names.RELEASE_CHECK_ROUTE_ENV: check,
        },
        grant=grant,
        permissions_scope="the hook may invoke only the released function's versions",
        invoked_by="CodeDeploy invokes the hook and waits for its report; a failure to "
        "report fails the release, which a dead-letter queue would not change.",
        memory_size=256,
        # Each probe waits for the version (its 10 s timeout, a cold start) and may retry.
        timeout=Duration.minutes(2),
    )
    # The functions' own asset, boto3 only and no layer: a broken layer cannot pass its check.
    return service_function(scope, spec, code=code, layer=None, props=props)
