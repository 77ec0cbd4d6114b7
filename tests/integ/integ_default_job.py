"""Integration test: a Default job on a model package starts, and SageMaker runs it.

Deploys one ``InferenceRecommendationsJob`` (``JobType`` Default) on the model package version
given by the context value ``model-package-arn`` or, as integ-runner passes no context of its
own, the environment variable ``INFREC_INTEG_MODEL_PACKAGE_ARN``. Without either, a placeholder
ARN keeps the app synthesizable offline (the committed snapshot is made with it); deploying the
placeholder fails at the job's Create, as SageMaker finds no such package.

The assertion (in integ-tests' own assertion stack, deployed after this stack) describes the job
every 30 seconds until SageMaker reports it ``IN_PROGRESS`` (or already ``COMPLETED``), for at
most 15 minutes: the request was accepted with the role, key and bucket the construct made, and
benchmarking began. integ-runner then destroys the stack, whose Delete stops the job: a Default
job takes up to about 45 minutes, and this test pays only for the minutes until the stop.

    npx integ-runner --config tests/integ/integ.config.json --force integ_default_job.py
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest

from infrec_cdk import InferenceRecommendationsJob, JobType, ModelSource

PLACEHOLDER_MODEL_PACKAGE = (
    "arn:aws:sagemaker:us-east-1:123456789012:model-package/infrec-integ-placeholder/1"
)


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
    stack = cdk.Stack(app, "InfrecIntegDefaultJob")
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(package),
        job_type=JobType.DEFAULT,
        # A test leaves nothing behind: the key and the (emptied) bucket go with the stack.
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    cdk.CfnOutput(stack, "JobArn", value=job.job_arn)

    integ = IntegTest(
        app,
        "DefaultJob",
        test_cases=[stack],
        # Deploying the committed snapshot first and then this app as an update would start a
        # second job (a billed benchmark) for a change that is only in the test.
        stack_update_workflow=False,
    )
    integ.assertions.aws_api_call(
        "SageMaker", "describeInferenceRecommendationsJob", {"JobName": job.job_name}
    ).assert_at_path(
        # Only Status comes back (a whole Describe answer may pass the 4,096 bytes a custom
        # resource may return to CloudFormation).
        "Status",
        ExpectedResult.string_like_regexp("^(IN_PROGRESS|COMPLETED)$"),
    ).wait_for_assertions(
        # A job leaves PENDING once SageMaker has validated it and starts its benchmarks.
        interval=cdk.Duration.seconds(30),
        total_timeout=cdk.Duration.minutes(15),
    )
    app.synth()


if __name__ == "__main__":
    main()
