"""The one custom-resource handler Lambda per stack, shared by every job in it."""

from __future__ import annotations

from typing import ClassVar

from infrec_cdk import _security
from infrec_cdk._stack_function import StackFunction, handler_code_dir

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

__all__ = ["JobHandler", "handler_code_dir"]

_SAGEMAKER_ACTIONS = [
    "sagemaker:CreateInferenceRecommendationsJob",
    "sagemaker:DescribeInferenceRecommendationsJob",
    "sagemaker:StopInferenceRecommendationsJob",
    # Tags mark which CloudFormation request created a job (and carry the user's tags).
    "sagemaker:AddTags",
    "sagemaker:ListTags",
]


class JobHandler(StackFunction):
    """The ``Custom::InferenceRecommendationsJob`` handler; use ``JobHandler.of(scope)``."""

    SINGLETON_ID: ClassVar[str] = "InfrecJobHandler8f1c2a7e"
    HANDLER: ClassVar[str] = "handler.handler"
    TIMEOUT: ClassVar[cdk.Duration] = cdk.Duration.minutes(2)
    DESCRIPTION: ClassVar[str] = "infrec-cdk: Custom::InferenceRecommendationsJob handler"
    ROLE_DESCRIPTION: ClassVar[str] = (
        "infrec-cdk job handler: starts and stops this stack's recommendation jobs"
    )
    FUNCTION_FINDINGS: ClassVar[tuple[_security.Finding, ...]] = (
        _security.HANDLER_LAMBDA_CONCURRENCY,
        _security.HANDLER_LAMBDA_DLQ,
        _security.HANDLER_LAMBDA_OUTSIDE_VPC,
    )

    def initial_statements(self) -> list[iam.PolicyStatement]:
        """Create, describe, stop and tag this stack's jobs."""
        return [
            iam.PolicyStatement(
                actions=_SAGEMAKER_ACTIONS, resources=[self.stack_jobs_wildcard().resource]
            )
        ]

    def initial_wildcards(self) -> list[_security.Wildcard]:
        """Return the stack's jobs by prefix: their names are generated."""
        return [self.stack_jobs_wildcard()]

    def allow_job_name(self, job_name: str) -> None:
        """Let the handler manage a job whose name the user chose."""
        names = sorted({job_name, job_name.lower()})
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=_SAGEMAKER_ACTIONS, resources=[self.job_arn(name) for name in names]
            )
        )

    def allow_keys(self, key_arns: list[str], sid: str) -> None:
        """Let the handler create a job that names these KMS keys.

        "The following permissions are required only if you specify an encryption key:
        kms:CreateGrant kms:Decrypt kms:DescribeKey kms:GenerateDataKey", for the caller of
        CreateInferenceRecommendationsJob (SageMaker API permissions reference,
        https://docs.aws.amazon.com/sagemaker/latest/dg/api-permissions-reference.html). The page
        names no condition, so none narrows them beyond the job's own keys. ``sid`` ends with a
        digest that keeps the statement id unique in the shared policy.
        """
        if not key_arns:
            return
        self.policy.add_statements(
            iam.PolicyStatement(
                sid=f"CreateJobWithKeys{sid}",
                actions=[
                    "kms:CreateGrant",
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:GenerateDataKey",
                ],
                resources=key_arns,
            )
        )

    def allow_pass_role(self, role: iam.IRole) -> None:
        """Let the handler pass ``role`` to SageMaker, and to nothing else."""
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            )
        )
