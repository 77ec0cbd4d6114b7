"""CloudFormation's 500 resources per stack, refused with the numbers instead of a bare error."""

from __future__ import annotations

from typing import Final

import aws_cdk as cdk
import jsii
from constructs import IValidation

from infrec_cdk._jsii_types import is_cfn_resource

__all__ = ["MAX_RESOURCES", "ResourceCountCheck"]

# "Resources: Maximum number of resources that you can declare in your CloudFormation template:
# 500" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
MAX_RESOURCES: Final = 500


@jsii.implements(IValidation)
class ResourceCountCheck:
    """Refuses a stack with more than 500 resources, saying what the jobs take and what helps.

    CDK's own check (``TooManyResourcesInStack``) comes later, when the template is written,
    and names no cause. Registered once per stack, by the stack's job handler.
    """

    def __init__(self, stack: cdk.Stack) -> None:
        self._stack = stack

    def validate(self) -> list[str]:
        """Return the problem when the stack's own template would hold too many resources."""
        found = [c for c in self._stack.node.find_all() if is_cfn_resource(c)]
        if len(found) <= MAX_RESOURCES:  # nested stacks' resources included: surely fits
            return []
        own = [c for c in found if cdk.Stack.of(c) is self._stack]
        if len(own) <= MAX_RESOURCES:
            return []
        jobs = sum(1 for c in own if c.cfn_resource_type == "Custom::InferenceRecommendationsJob")
        waits = sum(
            1 for c in own if c.cfn_resource_type == "Custom::InferenceRecommendationsResults"
        )
        return [
            (
                f"{len(own)} resources, CloudFormation allows {MAX_RESOURCES} in a stack "
                "(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
                f"cloudformation-limits.html). It has {jobs} recommendation jobs, {waits} of them "
                "waiting: jobs attached to one InferenceRecommender take 1 resource each (4 when "
                "they wait) and share the role, key and bucket; or split the jobs across stacks "
                "(a NestedStack each)"
            )
        ]
