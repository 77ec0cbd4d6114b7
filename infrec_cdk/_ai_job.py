"""What the AI recommendation and benchmark jobs share: role, key, bucket, policy, output.

Both jobs take a ``RoleArn`` and an S3 output location. Unless given (or shared through an
``InferenceRecommender``), each job provisions its own execution role, as AWS's security
guidance for these features asks ("Create dedicated IAM execution roles for benchmark jobs and
recommendation jobs", GUIDE_AI_SECURITY), and its own KMS key and output bucket
(``infrec_cdk._storage``, the classic job's). A role given to several jobs, or a recommender's,
carries one merged policy (``MergedPolicy``), as for the classic jobs.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import IDependable

from infrec_cdk import _security
from infrec_cdk._ai_config import ReadLocation
from infrec_cdk._ai_job_role import AIJobRolePermissions
from infrec_cdk._ai_resource import AIResource, Document
from infrec_cdk._ai_sources import GUIDE_AI_MLFLOW
from infrec_cdk._ai_workload import AIWorkloadConfig
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._job import _given_provisioning
from infrec_cdk._recommender import InferenceRecommender, MergedPolicy
from infrec_cdk._removal import snapshot_problem
from infrec_cdk._storage import new_key, new_output_bucket
from infrec_cdk._tokens import is_unresolved

__all__ = ["AIJob"]


class AIJob(AIResource):
    """Base of ``AIRecommendationJob`` and ``AIBenchmarkJob``."""

    encryption_key: kms.IKey | None
    """The key of the created output bucket, or the given one (``None``: the bucket's own)."""
    output_bucket: s3.IBucket
    """The bucket of the job's outputs (its own, given, or its recommender's)."""
    role: iam.IRole
    """The job's execution role (its own, given, imported from ``RoleArn``, or shared)."""
    recommender: InferenceRecommender | None
    """The ``InferenceRecommender`` whose resources this job shares (``None``: its own)."""

    def _name_workload(self, request: Document, workload: AIWorkloadConfig | None) -> None:
        """Name ``workload`` in a ``from_request`` request, which must not name one itself."""
        if workload is None:
            return
        if "AIWorkloadConfigIdentifier" in request:
            raise InfrecValidationError(
                [
                    (
                        "AIWorkloadConfigIdentifier: is given both in the request and as "
                        "`workload`; use one"
                    )
                ],
                construct_path=self._path,
            )
        request["AIWorkloadConfigIdentifier"] = workload.workload_config_name

    def _provision(
        self,
        request: Document,
        *,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        removal_policy: cdk.RemovalPolicy,
        recommender: InferenceRecommender | None,
        network: Mapping[str, object] | None = None,
    ) -> tuple[list[str], bool]:
        """Set the role, key and bucket, and fill ``RoleArn`` and the output location.

        Return the problems found and whether this construct writes the role's policy.
        """
        given = _given_provisioning(
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            removal_policy=removal_policy,
            **(network or {}),
        )
        if recommender is not None and given:
            raise InfrecValidationError(
                [
                    f"{name}: is given to a job attached to a recommender, whose {name} every "
                    f"attached job shares; give it to the InferenceRecommender "
                    f"({recommender.node.path}) instead"
                    for name in given
                ],
                construct_path=self._path,
            )
        if recommender is not None and cdk.Stack.of(recommender) is not cdk.Stack.of(self):
            raise InfrecValidationError(
                [
                    (
                        f"recommender: {recommender.node.path} is in another stack; a job and "
                        "its recommender must be in the same stack"
                    )
                ],
                construct_path=self._path,
            )
        self.recommender = recommender
        problems = _security.access_log_problems(
            output_bucket, access_logs_bucket, access_logs_prefix
        )
        if recommender is not None:
            self.encryption_key = recommender.encryption_key
            self.output_bucket = recommender.output_bucket
        else:
            snapshot = snapshot_problem(removal_policy)
            if snapshot is not None:
                raise InfrecValidationError([snapshot], construct_path=self._path)
            self.encryption_key = encryption_key
            if output_bucket is None:
                self.encryption_key = encryption_key or new_key(
                    self, removal_policy=removal_policy, purpose=f"{self.NOUN} {self._path}"
                )
                output_bucket = new_output_bucket(
                    self,
                    key=self.encryption_key,
                    removal_policy=removal_policy,
                    access_logs_bucket=access_logs_bucket,
                    access_logs_prefix=access_logs_prefix,
                    default_logs_prefix=self.job_name_prefix,
                )
            elif encryption_key is None:
                self.encryption_key = output_bucket.encryption_key
            self.output_bucket = output_bucket
        if role is not None and "RoleArn" in request:
            problems.append("RoleArn: is given both in the request and as `role`; use one")
        owns_policy = self._choose_role(
            request, role if recommender is None or "RoleArn" in request else recommender.role
        )
        self._role_given = role is not None or recommender is not None
        output = request.setdefault("OutputConfig", {})
        if isinstance(output, dict):
            output.setdefault(
                "S3OutputLocation", self.output_bucket.s3_url_for_object(self._output_prefix)
            )
        return problems, owns_policy

    @property
    def _output_prefix(self) -> str:
        return f"{self.job_name_prefix}/output"

    def _choose_role(self, request: Document, role: iam.IRole | None) -> bool:
        """Set the role and ``RoleArn``; return whether this construct writes its policy.

        A ``RoleArn`` in the request is used as is (that role must allow what the job needs).
        A created role trusts SageMaker from this account only (``aws:SourceAccount``), as AWS
        recommends for these jobs ("Restrict execution role trust policies", GUIDE_AI_SECURITY).
        """
        role_arn = request.get("RoleArn")
        if role is not None:
            self.role = role
        elif isinstance(role_arn, str):
            self.role = iam.Role.from_role_arn(self, "ImportedRole", role_arn, mutable=False)
        else:
            self.role = iam.Role(
                self,
                "Role",
                assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com").with_conditions(
                    {"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}}
                ),
                description=f"infrec-cdk: execution role of {self.NOUN} {self._path}",
            )
        self._role_arn = self.role.role_arn
        request.setdefault("RoleArn", self._role_arn)
        return not isinstance(role_arn, str)

    def _permissions(self) -> AIJobRolePermissions:
        """Return what every AI job's role has: its images, logs, metrics and output."""
        permissions = AIJobRolePermissions(self, self._role_arn)
        permissions.pass_own_role()
        permissions.container_images()
        permissions.metrics_and_logs()
        shared = self._role_given
        prefix = f"{self._handler.stack_name_part}-*/output" if shared else self._output_prefix
        permissions.write_output(self.output_bucket.bucket_arn, prefix, bucket=self.output_bucket)
        if self.encryption_key is not None:
            permissions.output_key(self.encryption_key.key_arn)
        return permissions

    def _read(
        self, permissions: AIJobRolePermissions, location: ReadLocation | None, sid: str
    ) -> None:
        if location is not None:
            permissions.read_location(location, sid=sid)

    def _mlflow(self, permissions: AIJobRolePermissions, request: Document) -> None:
        output = request.get("OutputConfig")
        mlflow = output.get("MlflowConfig") if isinstance(output, dict) else None
        arn = mlflow.get("MlflowResourceArn") if isinstance(mlflow, dict) else None
        if not isinstance(arn, str):
            return
        permissions.mlflow_app(arn)
        cdk.Annotations.of(self).add_warning_v2(
            "infrec-cdk:mlflowActionsUndocumented",
            "OutputConfig.MlflowConfig: the job's role may describe the MLflow App, but the "
            "guide does not list the sagemaker-mlflow actions the job uses to log runs, so "
            "none is granted: add them to the role (e.g. job.role.add_to_principal_policy) "
            f"(source: {GUIDE_AI_MLFLOW})",
        )

    def _attach_policy(
        self, permissions: AIJobRolePermissions, *, owns_policy: bool
    ) -> list[IDependable]:
        """Give the role its statements: a policy of its own, or merged into a shared role's."""
        if not owns_policy:
            return []
        if self._role_given:
            merged = (
                MergedPolicy.for_role(cdk.Stack.of(self), self.role)
                if self.recommender is None
                else self.recommender.role_policy
            )
            return [merged.add(permissions.statements, permissions.wildcards)]
        policy = iam.Policy(self, "RolePolicy", document=permissions.document())
        self.role.attach_inline_policy(policy)
        _security.acknowledge_job_policy(policy, permissions.wildcards)
        return [policy]

    def _grant_handler(self) -> None:
        """Let the handler pass the job's role to SageMaker.

        iam:PassRole is what the AI jobs' Create operations authorize besides themselves (the
        Service Authorization Reference's operations table).
        """
        self._handler.allow_pass_role(self._role_arn)


def known_string(value: object) -> str | None:
    """``value`` when it is a string known at synth time, else ``None``."""
    if isinstance(value, str) and not is_unresolved(value):
        return value
    return None
