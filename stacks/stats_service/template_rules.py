"""Template rules: what synth cannot check in an environment-agnostic stack (its region and
partition are known only at deploy time) is checked by CloudFormation before any resource
changes, and a failed rule stops the deploy with its description.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
"""

from __future__ import annotations

from aws_cdk import CfnRule, CfnRuleAssertion, ICfnRuleConditionExpression
from constructs import Construct


def refuse_deploy_unless(
    scope: Construct, rule_id: str, condition: ICfnRuleConditionExpression, description: str
) -> CfnRule:
    """A rule that fails the deploy, saying ``description``, unless ``condition`` holds."""
    return CfnRule(
        scope,
        rule_id,
        assertions=[CfnRuleAssertion(assert_=condition, assert_description=description)],
    )
