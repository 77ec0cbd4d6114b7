"""``removal_policy``: DESTROY can delete the versioned output bucket; SNAPSHOT is refused.

CloudFormation deletes only an empty bucket, and the output bucket is versioned: DESTROY adds
CDK's auto-delete custom resource, whose handler deletes every object version and delete marker
(``infrec_cdk/_removal.py``). The security gates stay clean on such a stack.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from infrec_cdk import InferenceRecommendationsJob, InfrecValidationError, ModelSource
from infrec_cdk._removal import AUTO_DELETE_PROVIDER_ID
from tests.cfn_lint_gate import cfn_lint_findings
from tests.iam_reference import check_template

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
ENV = cdk.Environment(account="123456789012", region="us-east-1")


@functools.cache
def job_stack(removal_policy: cdk.RemovalPolicy) -> tuple[cdk.App, cdk.Stack]:
    """A job stack with ``removal_policy``, built once per policy."""
    app = cdk.App()
    stack = cdk.Stack(app, "TestStack", env=ENV)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        removal_policy=removal_policy,
    )
    return app, stack


def resources_of(template: Mapping[str, Any], type_: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == type_}


def test_destroy_empties_the_versioned_bucket_before_deleting_it():
    _app, stack = job_stack(cdk.RemovalPolicy.DESTROY)
    template = Template.from_stack(stack).to_json()

    ((bucket_id, bucket),) = resources_of(template, "AWS::S3::Bucket").items()
    assert bucket["DeletionPolicy"] == "Delete"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    (auto_delete,) = resources_of(template, "Custom::S3AutoDeleteObjects").values()
    assert auto_delete["Properties"]["BucketName"] == {"Ref": bucket_id}
    # The provider may delete object versions, through the bucket policy, on this bucket only.
    (policy,) = resources_of(template, "AWS::S3::BucketPolicy").values()
    (allow,) = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert "s3:DeleteObject*" in allow["Action"]
    (key,) = resources_of(template, "AWS::KMS::Key").values()
    assert key["DeletionPolicy"] == "Delete"


def test_retain_keeps_everything_and_adds_no_auto_delete():
    _app, stack = job_stack(cdk.RemovalPolicy.RETAIN)
    template = Template.from_stack(stack).to_json()
    assert not resources_of(template, "Custom::S3AutoDeleteObjects")
    assert stack.node.try_find_child(AUTO_DELETE_PROVIDER_ID) is None


def test_a_bucket_the_user_gives_gets_no_auto_delete():
    app = cdk.App()
    stack = cdk.Stack(app, "TestStack", env=ENV)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        output_bucket=s3.Bucket.from_bucket_name(stack, "Outputs", "example-outputs"),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    assert not resources_of(Template.from_stack(stack).to_json(), "Custom::S3AutoDeleteObjects")


def test_snapshot_is_refused_naming_removal_policy():
    with pytest.raises(InfrecValidationError) as raised:
        job_stack(cdk.RemovalPolicy.SNAPSHOT)
    (problem,) = raised.value.problems
    assert problem.startswith("removal_policy: RemovalPolicy.SNAPSHOT")
    assert "RETAIN" in problem
    assert "DESTROY" in problem


def test_destroy_stack_passes_cdk_nag_cfn_lint_and_the_iam_reference():
    app, stack = job_stack(cdk.RemovalPolicy.DESTROY)
    app.synth()
    findings = [
        f"{violation.rule_name} {resource.construct_path}"
        for pack in (AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks)
        for violation in pack().validate_scope(stack).violations
        for resource in violation.violating_resources
    ]
    assert findings == []
    template = Template.from_stack(stack).to_json()
    assert cfn_lint_findings(template) == []
    assert check_template(template) == []
