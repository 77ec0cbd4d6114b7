"""The base of the stack's shared Lambdas (the job handler, the waiter): one of each per stack.

Each has a log group kept a year (KMS-encrypted when the first job gives a key), a role trusted
by Lambda with one inline least-privilege policy, and a Python 3.14 arm64 function bundled from
``lambda/``. A subclass names its handler and its statements; the cdk-nag findings that do not
apply are acknowledged here with the subclass's reasons.
"""

from __future__ import annotations

from typing import ClassVar, Self

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from infrec_cdk import _security
from infrec_cdk._arns import StackArns
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._lambda_code import handler_code_dir
from infrec_cdk._names import stack_identity, stack_name_part

__all__ = ["OWNER_TAG", "StackFunction", "handler_code_dir"]

# The tag the handler sets on every job it starts (lambda/request.py names it too): its value,
# ``<StackId>/<digest of the logical id>``, says which stack and resource own the job.
OWNER_TAG = "infrec-cdk:owner"


class StackFunction(Construct):
    """A Lambda shared by every job of a stack; use ``Subclass.of(scope)``."""

    SINGLETON_ID: ClassVar[str]  # fixed, never renamed: the logical ids derive from it
    HANDLER: ClassVar[str]
    # Minutes, made Durations when used: a Duration made at import is a Node.js call per import.
    TIMEOUT_MINUTES: ClassVar[int]
    # How long CloudFormation waits for an answer from this function's custom resources
    # (ServiceTimeout, default and at most one hour:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html).
    # CloudFormation invokes the function asynchronously, and Lambda tries a failed invocation
    # twice more, one and two minutes later
    # (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): three
    # timeouts and three minutes, and a little margin; then a function that never answers fails
    # the resource instead of hanging the stack for an hour.
    SERVICE_TIMEOUT_MINUTES: ClassVar[int]
    DESCRIPTION: ClassVar[str]
    ROLE_DESCRIPTION: ClassVar[str]
    # Lambda findings (concurrency, DLQ, VPC) that do not apply, with this function's reasons.
    FUNCTION_FINDINGS: ClassVar[tuple[_security.Finding, ...]]

    @classmethod
    def of(cls, scope: Construct, *, log_encryption_key: kms.IKey | None = None) -> Self:
        """Return the stack's function, creating it on first use.

        Every job of a stack shares it, so its log group has one key: the one the first job
        gave. A later job may repeat that key or give none, not give another.
        """
        stack = cdk.Stack.of(scope)
        # Remembered on the stack object: finding the child would cross into Node.js per job.
        remembered = f"_infrec_{cls.SINGLETON_ID}"
        existing = getattr(stack, remembered, None)
        if not isinstance(existing, cls):
            existing = stack.node.try_find_child(cls.SINGLETON_ID)
        if not isinstance(existing, cls):
            created = cls(stack, cls.SINGLETON_ID, log_encryption_key=log_encryption_key)
            setattr(stack, remembered, created)
            return created
        if log_encryption_key is not None and log_encryption_key is not existing.log_key:
            state = "another key" if existing.log_key else "no key"
            raise InfrecValidationError(
                [
                    (
                        "log_encryption_key: every job of a stack shares one handler, whose log "
                        f"group was created with {state} by the stack's first job; give the "
                        "same log_encryption_key to the first job (later jobs may leave it out)"
                    )
                ],
                construct_path=scope.node.path,
            )
        return existing

    def __init__(
        self, scope: Construct, id: str, *, log_encryption_key: kms.IKey | None = None
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.arns = StackArns.of(stack)
        """ARNs of the stack's account and region."""
        self.stack_identity = stack_identity(
            stack.stack_name,
            stack.node.path,
            name_known=not cdk.Token.is_unresolved(stack.stack_name),
        )
        """What names this stack in job names (see ``_names.stack_identity``)."""
        self.stack_name_part = stack_name_part(self.stack_identity)
        self.log_key = log_encryption_key
        """The customer managed key of the log group, if one was given."""
        if log_encryption_key is not None and not _security.allow_logs_to_use_key(
            log_encryption_key, log_group_scope=self
        ):
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:logKeyPolicy",
                "log_encryption_key is an imported key whose policy this app cannot change: it "
                "must allow the logs.<region>.amazonaws.com service principal to use the key "
                "(kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*), or the "
                "handler's log group fails to create",
            )
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            encryption_key=log_encryption_key,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=self.ROLE_DESCRIPTION,
        )
        self.policy = iam.Policy(
            self,
            "Policy",
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                ),
                *self.initial_statements(),
            ],
        )
        self.role.attach_inline_policy(self.policy)
        # CloudFormation's own resource (L1), not aws_lambda's Function (L2): the L2 does more
        # Node.js work per stack for properties we set ourselves anyway. The construct path
        # Function/Resource keeps the logical id of earlier versions (a new one would replace
        # the function and update every custom resource of the stack).
        function_scope = Construct(self, "Function")
        code = s3_assets.Asset(
            function_scope,
            "Code",
            path=str(handler_code_dir()),
            exclude=["__pycache__", "*.pyc", ".mypy_cache"],
        )
        self.function = lambda_.CfnFunction(
            function_scope,
            "Resource",
            architectures=["arm64"],
            code=lambda_.CfnFunction.CodeProperty(
                s3_bucket=code.s3_bucket_name, s3_key=code.s3_object_key
            ),
            description=self.DESCRIPTION,
            environment=lambda_.CfnFunction.EnvironmentProperty(variables={"LOG_LEVEL": "INFO"}),
            handler=self.HANDLER,
            logging_config=lambda_.CfnFunction.LoggingConfigProperty(
                log_group=self.log_group.log_group_name
            ),
            memory_size=256,
            # By ARN (a GetAtt, which orders the two): no DependsOn on the role (W3005).
            role=self.role.role_arn,
            runtime="python3.14",
            timeout=self.TIMEOUT_MINUTES * 60,
        )
        # As CDK's Function does: `sam local` and the CDK CLI find the code of the resource.
        code.add_resource_metadata(self.function, "Code")
        self.function_arn = self.function.attr_arn
        """The function's ARN (a token): the service token of its custom resources."""
        self.function.node.add_dependency(self.policy)
        _security.acknowledge_wildcards(
            self.policy, self.initial_wildcards(), also=[_security.INLINE_POLICY]
        )
        _security.acknowledge(self.function, *self.FUNCTION_FINDINGS)
        if self.log_key is None:
            _security.acknowledge(self.log_group, _security.HANDLER_LOGS_SERVICE_KEY)

    def initial_statements(self) -> list[iam.PolicyStatement]:
        """Return the statements this kind of function needs (besides its logs)."""
        raise NotImplementedError

    def initial_wildcards(self) -> list[_security.Wildcard]:
        """Return the wildcard resources of ``initial_statements``, each with its reason."""
        raise NotImplementedError

    def job_arn(self, name_pattern: str) -> str:
        """ARN of this account's and region's recommendation jobs named ``name_pattern``."""
        return self.arns.arn("sagemaker", "inference-recommendations-job", name_pattern)

    def any_job_arn(self) -> str:
        """ARN of every recommendation job of this account and region."""
        return self.job_arn("*")

    def owned_jobs(
        self, actions: list[str], *, sid: str, tag_key: str = "aws:ResourceTag"
    ) -> iam.PolicyStatement:
        """Allow ``actions`` on every job whose owner tag names this stack, whatever its name.

        ``tag_key`` is ``aws:ResourceTag`` (a job that exists) or ``aws:RequestTag`` (a job
        being created with its tags).
        """
        owned = f"{cdk.Stack.of(self).stack_id}/*"
        return iam.PolicyStatement(
            sid=sid,
            actions=actions,
            resources=[self.any_job_arn()],
            conditions={"StringLike": {f"{tag_key}/{OWNER_TAG}": owned}},
        )

    def owned_jobs_wildcard(self) -> _security.Wildcard:
        """Return the ARN of every job, and why the owner tag conditions make it this stack's."""
        return _security.Wildcard(
            resource=self.any_job_arn(),
            reason=(
                f"Only jobs whose {OWNER_TAG} tag names this stack (aws:RequestTag or "
                f"aws:ResourceTag {OWNER_TAG} like <this stack's id>/*): this stack's jobs, "
                "whatever names they have"
            ),
        )

    def stack_jobs_wildcard(self) -> _security.Wildcard:
        """Return the ARN of every job of this stack, and why it needs a wildcard."""
        return _security.Wildcard(
            resource=self.job_arn(f"{self.stack_name_part}-*"),
            reason=(
                "Job names are generated at deploy time, a new one per create request; all "
                "start with this stack's prefix, so the ARN covers only this stack's jobs in "
                "this account and region"
            ),
        )
