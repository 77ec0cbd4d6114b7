"""The least-privilege execution role of a generative-AI recommendation or benchmark job.

What the docs say the role is for ("Security in Amazon SageMaker AI inference optimization",
``GUIDE_AI_SECURITY``): "Creating and managing SageMaker AI training jobs, endpoints, and
optimization jobs; Reading model artifacts from Amazon S3; Writing benchmark results to Amazon
S3; Accessing secrets from AWS Secrets Manager". They name only a few actions: ``s3:GetObject``
and ``s3:ListBucket`` on the model and adapters and ``sagemaker:DescribeModelPackage`` on adapter
packages (``GUIDE_AI_ADAPTERS``), ``sagemaker:DescribeMlflowApp`` (``GUIDE_AI_MLFLOW``). Every
other action below is this library's reading of those sentences, said so beside it; each
action, resource type and condition key is checked against the Service Authorization Reference
in ``tests/test_iam_reference.py``.

The shared concerns (container images, logs and metrics, the output key, network interfaces)
are the classic job role's (``JobRolePermissions``).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import IConstruct

from infrec_cdk._ai_config import ReadLocation
from infrec_cdk._job_role import JobRolePermissions
from infrec_cdk._tokens import is_unresolved

__all__ = ["AIJobRolePermissions"]

_MANAGED_COMPUTE_REASON = (
    "SageMaker creates the jobs' training jobs (the benchmark load generator), and for a "
    "recommendation job its optimization jobs, models, endpoint configs, endpoints and "
    "inference components, under names it chooses at run time; the ARNs are scoped to their "
    "resource type in this account and region"
)


class AIJobRolePermissions(JobRolePermissions):
    """Builds the statements of an AI job role's inline policy, one concern per method."""

    def read_location(self, location: ReadLocation, *, sid: str) -> None:
        """Read the objects below a prefix and list it (model, adapters, datasets).

        "The role must be able to read (s3:GetObject and s3:ListBucket) the Amazon S3 location
        of each adapter. These are the same permissions that it uses for your base model
        artifacts" (GUIDE_AI_ADAPTERS). ListBucket is limited to the prefix (s3:prefix).
        """
        prefix = location.key_prefix
        owners: tuple[IConstruct, ...] | None = (
            None if location.bucket is None else (location.bucket,)
        )
        self._allow(
            ["s3:GetObject"],
            [f"{location.bucket_arn}/{prefix}*"],
            sid=f"Read{sid}",
            owners=owners,
            wildcard_reason=(
                "SageMaker reads every object below the given S3 prefix (a checkpoint folder, "
                "an adapter, a dataset), whose object names this app does not know"
            ),
        )
        self._allow(
            ["s3:ListBucket"],
            [location.bucket_arn],
            sid=f"List{sid}",
            conditions=None if not prefix else {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
        )

    def write_output(self, bucket_arn: str, prefix: str, *, bucket: IConstruct) -> None:
        """Write the job's results below ``prefix`` of the output bucket, and read them back.

        "Writing benchmark results to Amazon S3" (GUIDE_AI_SECURITY); the docs name no actions.
        """
        self._allow(
            ["s3:PutObject", "s3:GetObject"],
            [f"{bucket_arn}/{prefix}/*"],
            sid="WriteJobOutput",
            owners=(bucket,),
            wildcard_reason=(
                "The job writes its results under object keys it chooses below its output "
                "prefix of the output bucket (a recommender's jobs share one role: the prefix "
                "then covers the output prefixes of this stack's jobs)"
            ),
        )

    def pass_own_role(self) -> None:
        """Pass the role to the SageMaker jobs the service creates with it.

        CreateTrainingJob, CreateOptimizationJob and CreateModel take a role, and list
        iam:PassRole as a dependent action (Service Authorization Reference).
        """
        self._allow(
            ["iam:PassRole"],
            [self._role_arn],
            sid="PassOwnRoleToSageMaker",
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )

    def benchmark_compute(self, reservations: Sequence[str] = ()) -> None:
        """Run the benchmark load generator ("training jobs", GUIDE_AI_SECURITY).

        The docs do not name the actions; these are the ones a training job's lifecycle takes.
        ``reservations`` are ML reservation ARNs (training plans, reserved capacity) the job may
        run on: CreateTrainingJob takes them as optional resource types (the docs are silent on
        which principal uses them).
        """
        self._allow(
            [
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:AddTags",
            ],
            [self._arn("sagemaker", "training-job", "*")],
            sid="BenchmarkTrainingJobs",
            wildcard_reason=_MANAGED_COMPUTE_REASON,
        )
        known = [arn for arn in reservations if not is_unresolved(arn)]
        if known:
            self._allow(["sagemaker:CreateTrainingJob"], known, sid="UseReservations")

    def recommendation_compute(self) -> None:
        """Optimise the model and host each candidate configuration to benchmark it.

        "Creating and managing SageMaker AI training jobs, endpoints, and optimization jobs"
        (GUIDE_AI_SECURITY); recommendations deploy as inference components when they place
        several copies per instance or serve adapters (GUIDE_AI_ADAPTERS, GUIDE_AI_DEPLOY). The
        docs do not list the actions: these are each resource's create, describe, delete (or
        stop) and invoke.
        """
        self._allow(
            [
                "sagemaker:CreateOptimizationJob",
                "sagemaker:DescribeOptimizationJob",
                "sagemaker:StopOptimizationJob",
                "sagemaker:DeleteOptimizationJob",
                "sagemaker:CreateModel",
                "sagemaker:DescribeModel",
                "sagemaker:DeleteModel",
                "sagemaker:CreateEndpointConfig",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:CreateEndpoint",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DeleteEndpoint",
                "sagemaker:CreateInferenceComponent",
                "sagemaker:DescribeInferenceComponent",
                "sagemaker:DeleteInferenceComponent",
                "sagemaker:InvokeEndpoint",
                "sagemaker:InvokeEndpointWithResponseStream",
                "sagemaker:AddTags",
            ],
            [
                self._arn("sagemaker", "optimization-job", "*"),
                self._arn("sagemaker", "model", "*"),
                self._arn("sagemaker", "endpoint-config", "*"),
                self._arn("sagemaker", "endpoint", "*"),
                self._arn("sagemaker", "inference-component", "*"),
            ],
            sid="CandidateDeployments",
            wildcard_reason=_MANAGED_COMPUTE_REASON,
        )

    def invoke_endpoint(self, endpoint_arn: str, component_arns: Sequence[str]) -> None:
        """Send the benchmark's requests to the target endpoint (and inference components).

        "An IAM execution role that grants SageMaker AI access to your endpoint" (benchmark
        prerequisites, GUIDE_AI_BENCHMARK); the actions are not named: InvokeEndpoint, and
        InvokeEndpointWithResponseStream since the workload streams by default. Both take the
        endpoint and, optionally, inference components (Service Authorization Reference).
        """
        self._allow(
            [
                "sagemaker:InvokeEndpoint",
                "sagemaker:InvokeEndpointWithResponseStream",
                "sagemaker:DescribeEndpoint",
            ],
            [endpoint_arn],
            sid="InvokeTarget",
        )
        if component_arns:
            self._allow(
                ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
                list(component_arns),
                sid="InvokeTargetComponents",
            )

    def describe_model_packages(self, arns: Sequence[str]) -> None:
        """Resolve adapter packages.

        "the role also needs sagemaker:DescribeModelPackage on each package" (GUIDE_AI_ADAPTERS).
        """
        known = [arn for arn in arns if not is_unresolved(arn)]
        if known:
            self._allow(["sagemaker:DescribeModelPackage"], known, sid="AdapterPackages")

    def register_model_packages(self, group_arn: str, *, why: str) -> None:
        """Register model package versions in the group ``group_arn`` (a pattern or a name).

        The output's ModelPackageGroupIdentifier is "where the optimized model is registered as
        a new model package version" (API reference); S3 adapters are registered "on your
        behalf" in a group named after the job (GUIDE_AI_ADAPTERS). Which principal registers
        them is not documented: the role gets it.
        """
        group = group_arn.split(":model-package-group/", 1)
        packages = f"{group[0]}:model-package/{group[1]}/*" if len(group) == 2 else None  # noqa: PLR2004
        self._allow(
            ["sagemaker:CreateModelPackageGroup", "sagemaker:DescribeModelPackageGroup"],
            [group_arn],
            sid=f"{why}PackageGroup",
            wildcard_reason=(
                "the model package group is named after the job, whose name is generated at "
                "deploy time with this job's prefix"
            ),
        )
        if packages is not None:
            self._allow(
                [
                    "sagemaker:CreateModelPackage",
                    "sagemaker:DescribeModelPackage",
                    "sagemaker:AddTags",
                ],
                [packages],
                sid=f"{why}Packages",
                wildcard_reason=(
                    "SageMaker registers new versions of the model package group, numbered at "
                    "run time"
                ),
            )

    def read_secrets(self, secrets: Sequence[secretsmanager.ISecret]) -> None:
        """Read the workload's secrets.

        "Accessing secrets from AWS Secrets Manager" (GUIDE_AI_SECURITY); "At job start time, the
        service resolves the secret" (GUIDE_AI_WORKLOAD).

        A secret known only by name or partial ARN gets the six random characters Secrets
        Manager appends (``-??????``), as CDK's own grants do.
        """
        arns = [secret.secret_full_arn or f"{secret.secret_arn}-??????" for secret in secrets]
        if arns:
            self._allow(
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                arns,
                sid="WorkloadSecrets",
                wildcard_reason=(
                    "a secret named without its full ARN ends with six characters Secrets "
                    "Manager chose (-??????)"
                ),
            )
        keys = [secret.encryption_key.key_arn for secret in secrets if secret.encryption_key]
        if keys:
            self._allow(
                ["kms:Decrypt"],
                keys,
                sid="WorkloadSecretKeys",
                conditions={
                    "StringEquals": {
                        "kms:ViaService": (
                            f"secretsmanager.{self._arns.region}.{self._arns.url_suffix}"
                        )
                    }
                },
            )

    def mlflow_app(self, resource_arn: str) -> None:
        """Describe the MLflow App (or tracking server) results are logged to.

        "Add the sagemaker:DescribeMlflowApp action and the sagemaker-mlflow actions that the
        job uses to log runs" (GUIDE_AI_MLFLOW): the sagemaker-mlflow actions are not listed,
        so none is granted (the construct warns).
        """
        if is_unresolved(resource_arn):
            return
        action = (
            "sagemaker:DescribeMlflowTrackingServer"
            if ":mlflow-tracking-server/" in resource_arn
            else "sagemaker:DescribeMlflowApp"
        )
        self._allow([action], [resource_arn], sid="MlflowApp")
