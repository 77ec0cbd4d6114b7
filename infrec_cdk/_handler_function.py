"""The one custom-resource handler Lambda per stack, shared by every job in it."""

from __future__ import annotations

from pathlib import Path

from infrec_cdk._names import stack_name_part

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

__all__ = ["JobHandler", "handler_code_dir"]

# Fixed, never renamed: the logical ids of the stack's handler resources derive from it.
_SINGLETON_ID = "InfrecJobHandler8f1c2a7e"
_SAGEMAKER_ACTIONS = [
    "sagemaker:CreateInferenceRecommendationsJob",
    "sagemaker:DescribeInferenceRecommendationsJob",
    "sagemaker:StopInferenceRecommendationsJob",
    # Tags mark which CloudFormation request created a job (and carry the user's tags).
    "sagemaker:AddTags",
    "sagemaker:ListTags",
]


def handler_code_dir() -> Path:
    """Return the folder holding ``handler.py``: inside an installed wheel, or the source tree."""
    packaged = Path(__file__).parent / "_lambda"
    if (packaged / "handler.py").is_file():
        return packaged
    return Path(__file__).parent.parent / "lambda"


class JobHandler(Construct):
    """The handler Lambda, its role and its log group; use ``JobHandler.of(scope)``."""

    @staticmethod
    def of(scope: Construct) -> JobHandler:
        """Return the stack's handler, creating it on first use."""
        stack = cdk.Stack.of(scope)
        existing = stack.node.try_find_child(_SINGLETON_ID)
        if isinstance(existing, JobHandler):
            return existing
        return JobHandler(stack, _SINGLETON_ID)

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.stack_name_part = stack_name_part(stack.stack_name)

        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="infrec-cdk job handler: starts and stops this stack's recommendation jobs",
        )
        self.policy = iam.Policy(
            self,
            "Policy",
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                ),
                iam.PolicyStatement(
                    actions=_SAGEMAKER_ACTIONS,
                    resources=[self.job_arn(f"{self.stack_name_part}-*")],
                ),
            ],
        )
        self.role.attach_inline_policy(self.policy)

        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(
                str(handler_code_dir()), exclude=["__pycache__", "*.pyc", ".mypy_cache"]
            ),
            role=self.role,
            log_group=self.log_group,
            timeout=cdk.Duration.minutes(2),
            memory_size=256,
            description="infrec-cdk: Custom::InferenceRecommendationsJob handler",
            environment={"LOG_LEVEL": "INFO"},
        )
        self.function.node.add_dependency(self.policy)

    def job_arn(self, name_pattern: str) -> str:
        """ARN of this account's and region's recommendation jobs named ``name_pattern``."""
        return cdk.Stack.of(self).format_arn(
            service="sagemaker",
            resource="inference-recommendations-job",
            resource_name=name_pattern,
        )

    def allow_job_name(self, job_name: str) -> None:
        """Let the handler manage a job whose name the user chose."""
        names = sorted({job_name, job_name.lower()})
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=_SAGEMAKER_ACTIONS, resources=[self.job_arn(name) for name in names]
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
