"""What ``removal_policy`` may be, and the tidying ``DESTROY`` needs.

``DESTROY`` must be able to delete the output bucket: CloudFormation deletes only an empty bucket,
and the bucket is versioned, so every object version and delete marker must go first. CDK's
``auto_delete_objects`` does exactly that from a custom resource (its handler lists object
versions and delete markers and deletes them by version id, then CloudFormation deletes the
bucket; aws-cdk-lib 2.275.0, ``custom-resource-handlers/dist/aws-s3/auto-delete-objects-handler``).
cdk-nag's packs raise nothing on that provider (a plain ``CfnResource``, not the L1 classes the
rules inspect); cfn-lint raises W3005 on the ``DependsOn`` CDK writes from its function to its
role, which the function's ``Fn::GetAtt`` on the role already implies: ``tidy_auto_delete_provider``
removes that one redundant edge.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from infrec_cdk._jsii_types import is_cfn_resource

__all__ = ["AUTO_DELETE_PROVIDER_ID", "snapshot_problem", "tidy_auto_delete_provider"]

# The construct id CDK gives its stack-wide auto-delete provider (aws-s3 AutoDeleteObjectsProvider).
AUTO_DELETE_PROVIDER_ID = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


def snapshot_problem(removal_policy: cdk.RemovalPolicy) -> str | None:
    """Return why ``removal_policy`` cannot govern a KMS key and a bucket, or ``None``.

    CloudFormation's ``Snapshot`` deletion policy applies only to resources that have snapshots
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html),
    which neither a KMS key nor an S3 bucket has.
    """
    if removal_policy != cdk.RemovalPolicy.SNAPSHOT:
        return None
    return (
        "removal_policy: RemovalPolicy.SNAPSHOT applies only to resources with snapshots "
        "(volumes, databases, caches), not to the KMS key and output bucket it governs; use "
        "RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY"
    )


def tidy_auto_delete_provider(scope: IConstruct) -> None:
    """Drop the redundant ``DependsOn`` of the stack's auto-delete function on its role."""
    provider = cdk.Stack.of(scope).node.try_find_child(AUTO_DELETE_PROVIDER_ID)
    if provider is None:
        return
    handler = provider.node.try_find_child("Handler")
    role = provider.node.try_find_child("Role")
    if is_cfn_resource(handler) and is_cfn_resource(role):
        handler.remove_resource_dependency(role)
