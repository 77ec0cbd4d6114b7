"""The one custom-resource handler Lambda per stack, shared by every job in it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrec_cdk import _security
from infrec_cdk._stack_function import OWNER_TAG, StackFunction, handler_code_dir
from infrec_cdk._stack_limits import ResourceCountCheck
from infrec_cdk._tokens import is_unresolved

__all__ = ["AI_KINDS", "OWNER_TAG", "AIKind", "JobHandler", "handler_code_dir"]

# The handler creates a job with its tags: the user's, the create request's and the owner's.
_CREATE_ACTIONS = [
    "sagemaker:CreateInferenceRecommendationsJob",
    # SageMaker authorizes the tags of a Create as AddTags (a dependent action of
    # CreateInferenceRecommendationsJob in the Service Authorization Reference).
    "sagemaker:AddTags",
]
# Looking a job up (is a name free? did a redelivered request start it?), and stopping it.
_JOB_ACTIONS = [
    "sagemaker:DescribeInferenceRecommendationsJob",
    "sagemaker:StopInferenceRecommendationsJob",
    "sagemaker:ListTags",
]


@dataclass(frozen=True, slots=True)
class AIKind:
    """What the handler does with one kind of generative-AI resource, in IAM's words.

    ``arn_type`` is the resource type in the resource's ARN; ``create`` the action of its
    Create operation; ``lookup`` the actions that find, stop and delete one.
    """

    arn_type: str
    create: str
    lookup: tuple[str, ...]


# The generative-AI resources the handler creates, by custom resource type. Actions, resource
# types (ai-recommendation-job, ai-benchmark-job, ai-workload-config: arn:${Partition}:sagemaker:
# ${Region}:${Account}:<type>/<name>) and condition keys (aws:RequestTag on the Create actions,
# aws:ResourceTag on the others) are the Service Authorization Reference's, which also lists
# sagemaker:AddTags (a Create's tags) and iam:PassRole (to sagemaker.amazonaws.com, the jobs'
# RoleArn) as what CreateAIRecommendationJob and CreateAIBenchmarkJob authorize:
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
# Jobs are deleted once stopped ("Delete a job (must be in a terminal state)"), a workload
# configuration once no active job references it (DeleteAIWorkloadConfig, API reference).
AI_KINDS: Mapping[str, AIKind] = MappingProxyType(
    {
        "Custom::AIRecommendationJob": AIKind(
            "ai-recommendation-job",
            "sagemaker:CreateAIRecommendationJob",
            (
                "sagemaker:DescribeAIRecommendationJob",
                "sagemaker:StopAIRecommendationJob",
                "sagemaker:DeleteAIRecommendationJob",
            ),
        ),
        "Custom::AIBenchmarkJob": AIKind(
            "ai-benchmark-job",
            "sagemaker:CreateAIBenchmarkJob",
            (
                "sagemaker:DescribeAIBenchmarkJob",
                "sagemaker:StopAIBenchmarkJob",
                "sagemaker:DeleteAIBenchmarkJob",
            ),
        ),
        "Custom::AIWorkloadConfig": AIKind(
            "ai-workload-config",
            "sagemaker:CreateAIWorkloadConfig",
            ("sagemaker:DescribeAIWorkloadConfig", "sagemaker:DeleteAIWorkloadConfig"),
        ),
    }
)


class JobHandler(StackFunction):
    """The ``Custom::InferenceRecommendationsJob`` handler; use ``JobHandler.of(scope)``."""

    SINGLETON_ID: ClassVar[str] = "InfrecJobHandler8f1c2a7e"
    HANDLER: ClassVar[str] = "handler.handler"
    TIMEOUT_MINUTES: ClassVar[int] = 5
    SERVICE_TIMEOUT_MINUTES: ClassVar[int] = 20
    DESCRIPTION: ClassVar[str] = "infrec-cdk: Custom::InferenceRecommendationsJob handler"
    ROLE_DESCRIPTION: ClassVar[str] = (
        "infrec-cdk job handler: starts and stops this stack's recommendation jobs"
    )
    FUNCTION_FINDINGS: ClassVar[tuple[_security.Finding, ...]] = (
        _security.HANDLER_LAMBDA_CONCURRENCY,
        _security.HANDLER_LAMBDA_DLQ,
        _security.HANDLER_LAMBDA_OUTSIDE_VPC,
    )

    def __init__(
        self, scope: Construct, id: str, *, log_encryption_key: kms.IKey | None = None
    ) -> None:
        """Create the stack's handler (use ``JobHandler.of``)."""
        super().__init__(scope, id, log_encryption_key=log_encryption_key)
        stack = cdk.Stack.of(self)
        stack.node.add_validation(ResourceCountCheck(stack))
        self._granted_keys: set[str] = set()
        self._passable_roles: set[str] = set()
        self._ai_kinds: set[str] = set()

    def initial_statements(self) -> list[iam.PolicyStatement]:
        """Create jobs tagged as this stack's; describe and stop them by that tag or by name.

        The owner tag's value starts with the stack's id (``<StackId>/<resource digest>``), so
        the tag conditions cover exactly this stack's jobs, whatever their names: a job whose
        fixed name later changes (or goes) is still this stack's to stop, and a name known only
        at deploy time (a token) can still be created. Looking up a name with no job behind it
        yet (IAM sees no tag then) takes the name grants: the stack's generated names by prefix,
        and each fixed name (``allow_job_name``).
        """
        return [
            self.owned_jobs(_CREATE_ACTIONS, sid="CreateOwnJobs", tag_key="aws:RequestTag"),
            # A change to the request's tags alone retags the running job in place.
            self.owned_jobs(
                [*_JOB_ACTIONS, "sagemaker:AddTags", "sagemaker:DeleteTags"], sid="OwnJobs"
            ),
            iam.PolicyStatement(
                actions=_JOB_ACTIONS, resources=[self.stack_jobs_wildcard().resource]
            ),
        ]

    def initial_wildcards(self) -> list[_security.Wildcard]:
        """Return the stack's jobs by prefix, and every job under the owner tag conditions."""
        return [self.stack_jobs_wildcard(), self.owned_jobs_wildcard()]

    def allow_job_name(self, job_name: str) -> None:
        """Let the handler look up (and stop) a job whose name the user chose.

        A name known only at deploy time is granted as it will be: SageMaker puts job names in
        ARNs in lowercase, so such a name must be lowercase to be looked up before its job
        exists (the construct warns).
        """
        names = [job_name] if is_unresolved(job_name) else sorted({job_name, job_name.lower()})
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=_JOB_ACTIONS, resources=[self.job_arn(name) for name in names]
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
        new = [arn for arn in key_arns if arn not in self._granted_keys]
        if not new:
            return  # jobs sharing a key share its statement
        self._granted_keys.update(new)
        self.policy.add_statements(
            iam.PolicyStatement(
                sid=f"CreateJobWithKeys{sid}",
                actions=[
                    "kms:CreateGrant",
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:GenerateDataKey",
                ],
                resources=new,
            )
        )

    def allow_pass_role(self, role_arn: str) -> None:
        """Let the handler pass the role ``role_arn`` to SageMaker, and to nothing else."""
        if role_arn in self._passable_roles:
            return  # jobs sharing a role share its statement
        self._passable_roles.add(role_arn)
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            )
        )

    def allow_ai_kind(self, resource_type: str) -> None:
        """Let the handler create, look up, stop and delete this stack's resources of a kind.

        Added with the stack's first resource of the kind (a stack without one keeps its policy
        as it was), scoped as for the classic jobs: created with the owner tag naming this stack
        (aws:RequestTag), looked up and stopped by that tag (aws:ResourceTag) or by the stack's
        name prefix (a name with no resource behind it yet carries no tag).
        """
        if resource_type in self._ai_kinds:
            return
        self._ai_kinds.add(resource_type)
        kind = AI_KINDS[resource_type]
        name = kind.arn_type.title().replace("-", "").replace("Ai", "AI")
        every = self.arns.arn("sagemaker", kind.arn_type, "*")
        stack_prefix = self.arns.arn("sagemaker", kind.arn_type, f"{self.stack_name_part}-*")
        owned = f"{cdk.Stack.of(self).stack_id}/*"
        lookup = [*kind.lookup, "sagemaker:ListTags"]
        self.policy.add_statements(
            iam.PolicyStatement(
                sid=f"CreateOwn{name}",
                actions=[kind.create, "sagemaker:AddTags"],
                resources=[every],
                conditions={"StringLike": {f"aws:RequestTag/{OWNER_TAG}": owned}},
            ),
            # A change to the request's tags alone retags the resource in place.
            iam.PolicyStatement(
                sid=f"Own{name}",
                actions=[*lookup, "sagemaker:AddTags", "sagemaker:DeleteTags"],
                resources=[every],
                conditions={"StringLike": {f"aws:ResourceTag/{OWNER_TAG}": owned}},
            ),
            iam.PolicyStatement(sid=f"Stack{name}", actions=lookup, resources=[stack_prefix]),
        )
        _security.acknowledge_wildcards(
            self.policy,
            [
                _security.Wildcard(
                    resource=every,
                    reason=(
                        f"Only {kind.arn_type} resources whose {OWNER_TAG} tag names this stack "
                        f"(aws:RequestTag or aws:ResourceTag {OWNER_TAG} like <this stack's "
                        "id>/*): this stack's, whatever names they have"
                    ),
                ),
                _security.Wildcard(
                    resource=stack_prefix,
                    reason=(
                        f"{kind.arn_type} names are generated at deploy time, a new one per "
                        "create request; all start with this stack's prefix, so the ARN covers "
                        "only this stack's in this account and region"
                    ),
                ),
            ],
        )

    def allow_ai_name(self, resource_type: str, name: str) -> None:
        """Let the handler look up, stop and delete the resource of a kind named ``name``."""
        kind = AI_KINDS[resource_type]
        names = [name] if is_unresolved(name) else sorted({name, name.lower()})
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=[*kind.lookup, "sagemaker:ListTags"],
                resources=[self.arns.arn("sagemaker", kind.arn_type, each) for each in names],
            )
        )
