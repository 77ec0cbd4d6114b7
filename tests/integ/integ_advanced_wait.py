"""Integration test: an Advanced job the stack waits for, its results archived and exposed.

Deploys one ``InferenceRecommendationsJob`` with ``wait=``: a load test of the model package
version (context ``model-package-arn`` or environment ``INFREC_INTEG_MODEL_PACKAGE_ARN``, else an
offline placeholder) on one instance type (context ``instance-type`` or environment
``INFREC_INTEG_INSTANCE_TYPE``, default ``ml.c5.xlarge``; it must be one the package's inference
specification supports), kept as small as the API allows: one test, one 2-minute phase of one
user, a 1-hour ``JobDurationInSeconds`` cap.

The stack's deployment ends only when the job has ended (its wait condition is signalled by the
waiter), and integ-tests deploys its assertion stack after this one, so the assertions see the
finished job without waiting themselves: SageMaker reports it ``COMPLETED`` with a
recommendation for the tested instance type, the top recommendation the construct exposes is
that one, and the whole Describe answer is archived, KMS-encrypted, where ``ArchiveUri`` says.

    npx integ-runner --config tests/integ/integ.config.json --force integ_advanced_wait.py
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest

from infrec_cdk import (
    EndpointConfiguration,
    InferenceRecommendationsJob,
    ModelSource,
    Phase,
    ResourceLimit,
    StoppingConditions,
    SupportedEndpointType,
    TrafficPattern,
    Wait,
)

PLACEHOLDER_MODEL_PACKAGE = (
    "arn:aws:sagemaker:us-east-1:123456789012:model-package/infrec-integ-placeholder/1"
)
DEFAULT_INSTANCE_TYPE = "ml.c5.xlarge"


def setting(app: cdk.App, context_key: str, variable: str, default: str) -> str:
    """A test setting: the context value, else the environment variable, else ``default``."""
    given = app.node.try_get_context(context_key) or os.environ.get(variable)
    return str(given) if given else default


def main() -> None:
    """Synthesize the test stack and its assertions."""
    app = cdk.App()
    package = setting(
        app, "model-package-arn", "INFREC_INTEG_MODEL_PACKAGE_ARN", PLACEHOLDER_MODEL_PACKAGE
    )
    instance_type = setting(
        app, "instance-type", "INFREC_INTEG_INSTANCE_TYPE", DEFAULT_INSTANCE_TYPE
    )
    stack = cdk.Stack(app, "InfrecIntegAdvancedWait")
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(package),
        job_duration=cdk.Duration.hours(1),
        endpoint_configurations=[EndpointConfiguration.instance(instance_type)],
        traffic_pattern=TrafficPattern.phases(
            [Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1)]
        ),
        stopping_conditions=StoppingConditions(max_invocations=1000),
        resource_limit=ResourceLimit(max_number_of_tests=1, max_parallel_of_tests=1),
        wait=Wait(endpoint_type=SupportedEndpointType.REAL_TIME),
        # A test leaves nothing behind: the key and the (emptied) bucket go with the stack.
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    top = job.top_recommendation
    if top is None:  # pragma: no cover - the job waits
        raise RuntimeError("a waiting job has a top recommendation")
    cdk.CfnOutput(stack, "JobArn", value=job.job_arn)
    cdk.CfnOutput(stack, "RecommendedInstanceType", value=top.instance_type)
    cdk.CfnOutput(stack, "ResultsArchive", value=top.archive_uri)

    integ = IntegTest(
        app,
        "AdvancedWait",
        test_cases=[stack],
        # Deploying the committed snapshot first and then this app as an update would run a
        # second load test (billed instances) for a change that is only in the test.
        stack_update_workflow=False,
        # A changed request (your model package instead of the placeholder) waits on a fresh
        # wait condition and handle, by design: not a destructive change to report.
        allow_destroy=[
            "AWS::CloudFormation::WaitCondition",
            "AWS::CloudFormation::WaitConditionHandle",
        ],
    )
    # Each call returns only the path it asserts on (a whole Describe answer may pass the 4,096
    # bytes a custom resource may return to CloudFormation).
    describe = {"JobName": job.job_name}
    integ.assertions.aws_api_call(
        "SageMaker", "describeInferenceRecommendationsJob", describe
    ).assert_at_path("Status", ExpectedResult.exact("COMPLETED"))
    # One instance type was tested: SageMaker's recommendations and the construct's top one
    # name it.
    integ.assertions.aws_api_call(
        "SageMaker", "describeInferenceRecommendationsJob", describe
    ).assert_at_path(
        "InferenceRecommendations.0.EndpointConfiguration.InstanceType",
        ExpectedResult.exact(top.instance_type),
    )
    # ArchiveUri is s3://<bucket>/<job prefix>/results/<job name>/describe.json (README, "Wait
    # for the answer"); CloudFormation splits only on a literal, so the key is the URI's last four
    # "/"-separated parts. The object is looked for in the job's own bucket.
    uri_parts = cdk.Fn.split("/", top.archive_uri, assumed_length=7)
    archive_key = cdk.Fn.join("/", [cdk.Fn.select(index, uri_parts) for index in range(3, 7)])
    archive = integ.assertions.aws_api_call(
        "S3", "headObject", {"Bucket": job.output_bucket.bucket_name, "Key": archive_key}
    )
    # HeadObject is authorized by s3:GetObject ("To use HEAD, you must have the s3:GetObject
    # permission": https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html); the
    # provider would grant the s3:HeadObject its name suggests, which IAM does not have.
    archive.provider.add_to_role_policy(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [job.output_bucket.arn_for_objects("*")],
        }
    )
    archive.expect(
        ExpectedResult.object_like(
            {"ContentType": "application/json", "ServerSideEncryption": "aws:kms"}
        )
    )
    app.synth()


if __name__ == "__main__":
    main()
