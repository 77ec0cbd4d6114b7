"""Service names that depend on the partition follow the stack's URL suffix (``amazonaws.com.cn``).

In the China regions, service endpoints and regional service principals end in
``amazonaws.com.cn`` (https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html);
``kms:ViaService`` names the endpoint, and CloudWatch Logs' principal is regional and partitional
(aws-cdk-lib region_info ``Default.servicePrincipal``: ``logs`` is ``logs.<region>.<suffix>``).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from infrec_cdk import InferenceRecommendationsJob, ModelSource

CHINA = cdk.Environment(account="123456789012", region="cn-north-1")
PACKAGE = "arn:aws-cn:sagemaker:cn-north-1:123456789012:model-package/churn/3"


def china_job(**props: Any) -> tuple[cdk.Stack, dict[str, Any]]:
    stack = cdk.Stack(cdk.App(), "TestStack", env=CHINA)
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), **props
    )
    return stack, dict(Template.from_stack(stack).to_json())


def test_the_output_key_is_usable_through_the_regions_s3_endpoint_in_china():
    stack, template = china_job()
    statements = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Sid") == "OutputKey"
    ]
    (statement,) = statements
    via = statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert stack.resolve(via) == {"Fn::Join": ["", ["s3.cn-north-1.", {"Ref": "AWS::URLSuffix"}]]}


def test_cloudwatch_logs_principal_follows_the_partition():
    stack = cdk.Stack(cdk.App(), "TestStack", env=CHINA)
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        log_encryption_key=key,
    )
    template = Template.from_stack(stack).to_json()
    key_id = stack.get_logical_id(key.node.default_child)  # type: ignore[arg-type]
    statements = template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    (logs,) = [s for s in statements if "Service" in s["Principal"]]
    assert stack.resolve(logs["Principal"]["Service"]) == {
        "Fn::Join": ["", ["logs.cn-north-1.", {"Ref": "AWS::URLSuffix"}]]
    }
