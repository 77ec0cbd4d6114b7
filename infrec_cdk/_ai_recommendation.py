"""``AIRecommendationJob``: right-size a generative AI model while the stack deploys.

``CreateAIRecommendationJob`` takes a model from S3 (a HuggingFace checkpoint), a workload
configuration and a performance target, and recommends instance types, optimisations and
deployment configurations, each benchmarked on real GPU instances (GUIDE_AI_GET_STARTED). The
job is a ``Custom::AIRecommendationJob`` resource of the stack's job handler; with
``wait=Wait(...)`` the deployment waits for it (``infrec_cdk._waiting``, ``Kind`` naming this
resource type) and its top recommendation becomes attributes other constructs can use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IDependable

from infrec_cdk._ai_config import (
    AIAdapter,
    AIComputeSpec,
    AIInferenceFramework,
    AIModel,
    AIPerformanceMetric,
    MlflowConfig,
    ReadLocation,
    parse_s3_uri,
)
from infrec_cdk._ai_job import AIJob, known_string
from infrec_cdk._ai_job_role import AIJobRolePermissions
from infrec_cdk._ai_resource import Document, library_tags, tag_list
from infrec_cdk._ai_sources import API_DESCRIBE_AI_RECOMMENDATION, GUIDE_AI_GET_STARTED
from infrec_cdk._ai_workload import AIWorkloadConfig
from infrec_cdk._attributes import ResourceAttributes
from infrec_cdk._config import drop_none
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._job import WAITER_TAGS
from infrec_cdk._props import checked_props
from infrec_cdk._recommender import InferenceRecommender
from infrec_cdk._waiter_function import WaiterFunction
from infrec_cdk._waiting import MAX_WAIT_SECONDS, JobWaiter, Objective, Wait, wait_problems

__all__ = ["AI_RECOMMENDATION_RESOURCE_TYPE", "AIRecommendationJob", "AITopRecommendation"]

AI_RECOMMENDATION_RESOURCE_TYPE: Final = "Custom::AIRecommendationJob"
"""The CloudFormation type of an AI recommendation job (attributes ``JobArn``, ``JobName``,
``Arn``, ``Name``)."""


class AITopRecommendation(ResourceAttributes):
    """The top recommendation of a finished AI recommendation job, as tokens.

    Attributes of the job's results resource (``Custom::InferenceRecommendationsResults`` with
    ``Kind`` ``Custom::AIRecommendationJob``), taken from the first of ``Recommendations`` in
    the ``DescribeAIRecommendationJob`` answer: the job optimises for its one performance
    target, and the API documents no other order. Every recommendation is in the archive.
    """

    @property
    def instance_type(self) -> str:
        """``DeploymentConfiguration.InstanceType``, e.g. ``ml.g6e.12xlarge``."""
        return self.attribute("InstanceType")

    @property
    def instance_count(self) -> float:
        """``DeploymentConfiguration.InstanceCount`` (a number token)."""
        return self._number("InstanceCount")

    @property
    def copy_count_per_instance(self) -> float:
        """``DeploymentConfiguration.CopyCountPerInstance`` (a number token).

        Model copies per instance; above 1 the configuration is one of inference components.
        """
        return self._number("CopyCountPerInstance")

    @property
    def min_cpu_memory_required_in_mb(self) -> float:
        """``DeploymentConfiguration.MinCpuMemoryRequiredInMb`` (a number token).

        Host memory per model copy of an inference component.
        """
        return self._number("MinCpuMemoryRequiredInMb")

    @property
    def image_uri(self) -> str:
        """``DeploymentConfiguration.ImageUri``: the serving container's image."""
        return self.attribute("ImageUri")

    @property
    def environment_variables(self) -> str:
        """``DeploymentConfiguration.EnvironmentVariables``, as a JSON object text."""
        return self.attribute("EnvironmentVariables")

    @property
    def model_data_uri(self) -> str:
        """``DeploymentConfiguration.S3[0].Uri``: the first S3 channel of the deployment."""
        return self.attribute("ModelDataUri")

    @property
    def recommendation_index(self) -> str:
        """Where the top recommendation is in ``Recommendations`` (``0``: SageMaker's first)."""
        return self.attribute("RecommendationIndex")

    @property
    def model_package_arn(self) -> str:
        """``ModelDetails.ModelPackageArn``: the deployment-ready model package."""
        return self.attribute("ModelPackageArn")

    @property
    def inference_specification_name(self) -> str:
        """``ModelDetails.InferenceSpecificationName`` (empty when the package has one)."""
        return self.attribute("InferenceSpecificationName")

    @property
    def benchmark_job_arn(self) -> str:
        """``AIBenchmarkJobArn``: the benchmark behind this recommendation's figures."""
        return self.attribute("AIBenchmarkJobArn")

    @property
    def description(self) -> str:
        """``RecommendationDescription``."""
        return self.attribute("RecommendationDescription")

    @property
    def optimization_types(self) -> str:
        """``OptimizationDetails[].OptimizationType``, comma-separated (empty: none)."""
        return self.attribute("OptimizationTypes")

    @property
    def expected_performance(self) -> str:
        """``ExpectedPerformance``: a JSON list of ``{Metric, Stat, Value, Unit}``."""
        return self.attribute("ExpectedPerformance")

    @property
    def recommendation_count(self) -> str:
        """How many recommendations the job returned."""
        return self.attribute("RecommendationCount")

    @property
    def archive_uri(self) -> str:
        """``s3://`` URI of the archived Describe answer with every recommendation."""
        return self.attribute("ArchiveUri")


@jsii.implements(cdk.ITaggable)
class AIRecommendationJob(AIJob):
    """Runs a SageMaker AI recommendation job for a generative AI model when the stack deploys.

    The job starts from a ``Custom::AIRecommendationJob`` resource; a changed request starts a
    new job under a new generated name, and deleting the resource stops a job that still runs.
    Unless given, the construct provisions the job's execution role (its own, as AWS advises for
    these jobs), a KMS key and an output bucket. Or ``AIRecommendationJob.from_request``.
    """

    RESOURCE_TYPE = AI_RECOMMENDATION_RESOURCE_TYPE
    OPERATION = "CreateAIRecommendationJob"
    NAME_MEMBER = "AIRecommendationJobName"
    NOUN = "AI recommendation job"

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model: AIModel,
        workload: AIWorkloadConfig | str,
        performance_target: AIPerformanceMetric | Sequence[AIPerformanceMetric],
        adapters: Sequence[AIAdapter] | None = None,
        compute: AIComputeSpec | None = None,
        inference_framework: AIInferenceFramework | None = None,
        optimize_model: bool | None = None,
        model_package_group: str | None = None,
        mlflow: MlflowConfig | None = None,
        job_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        output_bucket: s3.IBucket | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        log_encryption_key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        recommender: InferenceRecommender | None = None,
        wait: Wait | None = None,
    ) -> None:
        """Define an AI recommendation job.

        Parameters
        ----------
        scope, id
            Where the construct goes.
        model
            ``ModelSource``: ``AIModel.from_s3(uri)``, ``AIModel.from_bucket(bucket, prefix)``
            or ``AIModel.from_asset(path)``; the job's role may read it.
        workload
            ``AIWorkloadConfigIdentifier``: an ``AIWorkloadConfig`` of this app (the job waits
            for it and may read its datasets and secrets) or an existing one's name or ARN.
        performance_target
            ``PerformanceTarget.Constraints``: the objective, ``AIPerformanceMetric.COST``,
            ``TTFT_MS`` or ``THROUGHPUT`` (the guide asks for a single one).
        adapters
            ``AdapterSource``: 1 to 10 LoRA adapters, all in S3 or all model packages.
            Default: none.
        compute
            ``ComputeSpec``: up to 3 instance types, capacity reservations. Default: SageMaker's.
        inference_framework
            ``InferenceSpecification.Framework``. Default: SageMaker's.
        optimize_model
            ``OptimizeModel``: allow quantization, speculative decoding, kernel tuning.
            Default: SageMaker's (true).
        model_package_group
            ``OutputConfig.ModelPackageGroupIdentifier``: register the optimized model there
            (name or ARN); the job's role may. Default: none.
        mlflow
            ``OutputConfig.MlflowConfig``. Default: no MLflow tracking.
        job_name
            ``AIRecommendationJobName``. Default: a new name for every create or change.
        tags
            ``Tags`` (at most 48, 47 with ``wait``; infrec-cdk adds its own). Default: none.
        role
            The job's execution role. Default: a new role trusted by SageMaker from this
            account, with only what the job needs.
        encryption_key
            Key of the created output bucket (or of the given one, for the role's grants).
            Default: a new key with rotation.
        output_bucket
            Bucket for ``OutputConfig.S3OutputLocation`` (the job writes below its prefix).
            Default: a new versioned, SSL-only, KMS-encrypted bucket with public access blocked.
        access_logs_bucket, access_logs_prefix
            Server access logs of the created output bucket. Default: none.
        log_encryption_key
            Customer managed key for the stack's handler (and waiter) log groups.
        removal_policy
            What happens to the created key and bucket with the stack. Default: ``RETAIN``.
        recommender
            Share this ``InferenceRecommender``'s role, key and bucket. Default: none.
        wait
            Wait for the job during deployment (up to 12 hours; by default the longest a
            wait condition waits, since AWS documents no duration for these jobs) and expose
            its top recommendation as ``recommended``. Only ``poll_interval`` and ``timeout``
            apply. Default: no waiting.

        """
        super().__init__(scope, id)
        request = self._prepare({}, id, log_encryption_key)
        uri, location = model.bind(self, "ModelAsset")
        adapter_source, adapter_locations = self._adapter_source(adapters)
        if model.is_directory_asset:
            self._warn_directory_asset()
        targets = (
            [performance_target]
            if isinstance(performance_target, str)
            else list(performance_target)
        )
        request |= drop_none(
            {
                "AIRecommendationJobName": job_name,
                "ModelSource": {"S3": {"S3Uri": uri}},
                "OutputConfig": drop_none(
                    {
                        "ModelPackageGroupIdentifier": model_package_group,
                        "MlflowConfig": None if mlflow is None else mlflow.render(),
                    }
                )
                or None,
                "AIWorkloadConfigIdentifier": workload
                if isinstance(workload, str)
                else workload.workload_config_name,
                "PerformanceTarget": {"Constraints": [{"Metric": str(m)} for m in targets]},
                "InferenceSpecification": None
                if inference_framework is None
                else {"Framework": str(inference_framework)},
                "OptimizeModel": optimize_model,
                "ComputeSpec": None if compute is None else compute.render(),
                "AdapterSource": adapter_source,
                "Tags": tag_list(tags),
            }
        )
        self._build(
            request,
            model_location=location,
            adapter_locations=adapter_locations,
            workload=None if isinstance(workload, str) else workload,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            removal_policy=removal_policy,
            recommender=recommender,
            wait=wait,
            log_encryption_key=log_encryption_key,
        )

    @classmethod
    @checked_props
    def from_request(
        cls,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        workload: AIWorkloadConfig | None = None,
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        output_bucket: s3.IBucket | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        log_encryption_key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        recommender: InferenceRecommender | None = None,
        wait: Wait | None = None,
    ) -> AIRecommendationJob:
        """Define a job from a CreateAIRecommendationJob request in the API's syntax.

        ``AIRecommendationJobName``, ``RoleArn`` and ``OutputConfig.S3OutputLocation`` may be
        left out: they are generated or provisioned as for the keyword form.
        ``AIWorkloadConfigIdentifier`` may be left out when ``workload`` is given. A
        ``RoleArn`` in the request is used as is: that role must allow what the job needs.
        """
        return _RequestRecommendation(
            scope,
            id,
            request,
            workload=workload,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            log_encryption_key=log_encryption_key,
            removal_policy=removal_policy,
            recommender=recommender,
            wait=wait,
        )

    def _adapter_source(
        self, adapters: Sequence[AIAdapter] | None
    ) -> tuple[Document | None, list[ReadLocation | None]]:
        """Return ``AdapterSource`` and what the role reads of each adapter in S3.

        One list per form given (validation reports a mix); a location is ``None`` when not
        known at synth time.
        """
        if adapters is None:
            return None, []
        s3_entries: list[Document] = []
        locations: list[ReadLocation | None] = []
        packages: list[Document] = []
        for index, adapter in enumerate(adapters):
            if adapter.source is not None:
                uri, location = adapter.source.bind(self, f"Adapter{index}")
                s3_entries.append({"AdapterId": adapter.adapter_id, "S3Uri": uri})
                locations.append(location)
            if adapter.model_package_arn is not None:
                packages.append(
                    {"AdapterId": adapter.adapter_id, "ModelPackageArn": adapter.model_package_arn}
                )
        source = drop_none({"S3Uris": s3_entries or None, "ModelPackageArns": packages or None})
        return source, locations

    def _warn_directory_asset(self) -> None:
        cdk.Annotations.of(self).add_warning_v2(
            "infrec-cdk:modelAssetArchive",
            "model: AIModel.from_asset uploads a folder as one .zip object (a CDK asset), "
            "while the guide describes the model source as an S3 location holding a "
            "HuggingFace checkpoint with SafeTensor weights; whether the job accepts an "
            "archive is not documented. Upload the checkpoint to S3 and use AIModel.from_s3 "
            f"or AIModel.from_bucket (source: {GUIDE_AI_GET_STARTED})",
        )

    def _build(
        self,
        request: Document,
        *,
        model_location: ReadLocation | None,
        adapter_locations: Sequence[ReadLocation | None],
        workload: AIWorkloadConfig | None,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        removal_policy: cdk.RemovalPolicy,
        recommender: InferenceRecommender | None,
        wait: Wait | None,
        log_encryption_key: kms.IKey | None,
    ) -> None:
        self._adapter_locations = list(adapter_locations)
        problems, owns_policy = self._provision(
            request,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            removal_policy=removal_policy,
            recommender=recommender,
        )
        if wait is not None:
            problems += wait_problems(wait) + _classic_only(wait)
            if self.encryption_key is None:
                problems.append(
                    "wait: the results are archived KMS-encrypted in the output bucket; give "
                    "the bucket's encryption_key too"
                )
        tags = library_tags() + (WAITER_TAGS if wait is not None else ())
        self._check(request, problems, library_tags=tags)
        self._tag(request, tags)
        permissions = self._job_permissions(request, model_location, workload)
        policies = self._attach_policy(permissions, owns_policy=owns_policy)
        self._grant_handler()
        depends: list[IDependable] = list(policies)
        self._resource = self._start(request, depends)
        self.job_arn: str = self._resource.get_att_string("JobArn")
        """The job's ARN (a token)."""
        self.job_name: str = self._resource.get_att_string("JobName")
        """The job's name (a token)."""
        self.wait = wait
        """How the deployment waits for the job (``None``: it does not)."""
        self.top_recommendation: AITopRecommendation | None = None
        """The top recommendation (tokens), when the construct waits for the job."""
        self._waiter: JobWaiter | None = None
        if wait is not None and self.encryption_key is not None:
            WaiterFunction.of(
                self, log_encryption_key=log_encryption_key
            ).allow_ai_recommendation_jobs()
            self._waiter = JobWaiter(
                self,
                "Wait",
                wait=wait,
                request=request,
                job_resource=self._resource,
                job_name_prefix=self.job_name_prefix,
                output_bucket=self.output_bucket,
                encryption_key=self.encryption_key,
                log_encryption_key=log_encryption_key,
                kind=self.RESOURCE_TYPE,
                default_timeout=MAX_WAIT_SECONDS,
            )
            self.top_recommendation = AITopRecommendation(self._waiter.results)

    def _job_permissions(
        self,
        request: Document,
        model_location: ReadLocation | None,
        workload: AIWorkloadConfig | None,
    ) -> AIJobRolePermissions:
        permissions = self._permissions()
        compute = request.get("ComputeSpec")
        reservation = (
            compute.get("CapacityReservationConfig") if isinstance(compute, dict) else None
        )
        arns = reservation.get("MlReservationArns") if isinstance(reservation, dict) else None
        permissions.benchmark_compute([str(a) for a in arns] if isinstance(arns, list) else [])
        permissions.recommendation_compute()
        self._read(permissions, model_location, "Model")
        for index, adapter in enumerate(self._adapter_locations):
            self._read(permissions, adapter, f"Adapter{index}")
        source = request.get("AdapterSource")
        source = source if isinstance(source, dict) else {}
        packages = source.get("ModelPackageArns")
        permissions.describe_model_packages(
            [str(e.get("ModelPackageArn")) for e in packages if isinstance(e, dict)]
            if isinstance(packages, list)
            else []
        )
        if isinstance(source.get("S3Uris"), list):
            # "If you supplied adapters only as Amazon S3 URIs, SageMaker AI registers a model
            # package for each adapter on your behalf", in a group named after the job
            # (GUIDE_AI_ADAPTERS' example: <job name>-adapters).
            name = known_string(request.get(self.NAME_MEMBER)) or self.job_name_prefix
            permissions.register_model_packages(
                self._arn("model-package-group", f"{name.lower()}*"), why="Adapter"
            )
        output = request.get("OutputConfig")
        group = output.get("ModelPackageGroupIdentifier") if isinstance(output, dict) else None
        if isinstance(group, str):
            arn = group if group.startswith("arn:") else self._arn("model-package-group", group)
            permissions.register_model_packages(arn, why="Output")
        if workload is not None:
            for index, location in enumerate(workload.dataset_locations):
                self._read(permissions, location, f"Dataset{index}")
            permissions.read_secrets(list(workload.secrets))
        self._mlflow(permissions, request)
        return permissions

    def _arn(self, resource: str, name: str) -> str:
        return self._handler.arns.arn("sagemaker", resource, name)

    @property
    def recommended(self) -> AITopRecommendation:
        """The top recommendation (tokens) of a job given ``wait=``; never ``None``.

        Raises ``InfrecValidationError`` naming ``wait`` when the job does not wait.
        """
        if self.top_recommendation is None:
            raise InfrecValidationError(
                ["wait: the job has no recommendation to use unless it waits; pass wait=Wait(...)"],
                construct_path=self._path,
            )
        return self.top_recommendation


class _RequestRecommendation(AIRecommendationJob):
    """A job defined from a raw request (``AIRecommendationJob.from_request``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        workload: AIWorkloadConfig | None,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        log_encryption_key: kms.IKey | None,
        removal_policy: cdk.RemovalPolicy,
        recommender: InferenceRecommender | None,
        wait: Wait | None,
    ) -> None:
        # Skip the keyword form's rendering: the request is already in the API's syntax.
        Construct.__init__(self, scope, id)
        copied = self._prepare(request, id, log_encryption_key)
        self._name_workload(copied, workload)
        source = copied.get("ModelSource")
        s3_source = source.get("S3") if isinstance(source, dict) else None
        uri = s3_source.get("S3Uri") if isinstance(s3_source, dict) else None
        adapters = copied.get("AdapterSource")
        entries = adapters.get("S3Uris") if isinstance(adapters, dict) else None
        self._build(
            copied,
            model_location=parse_s3_uri(uri, self) if isinstance(uri, str) else None,
            adapter_locations=[
                parse_s3_uri(entry["S3Uri"], self)
                if isinstance(entry, dict) and isinstance(entry.get("S3Uri"), str)
                else None
                for entry in (entries if isinstance(entries, list) else [])
            ],
            workload=workload,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            removal_policy=removal_policy,
            recommender=recommender,
            wait=wait,
            log_encryption_key=log_encryption_key,
        )


def _classic_only(wait: Wait) -> list[str]:
    """Return what ``wait`` sets that only a classic job's results use (its selection)."""
    problems = [
        f"wait.{name}: selects among a classic job's recommendations; an AI recommendation "
        "job's top recommendation is the first SageMaker returns for its performance target "
        f"(source: {API_DESCRIBE_AI_RECOMMENDATION})"
        for name, value in (
            ("max_model_latency", wait.max_model_latency),
            ("max_cost_per_hour", wait.max_cost_per_hour),
            ("endpoint_type", wait.endpoint_type),
        )
        if value is not None
    ]
    if wait.objective != Objective.LOWEST_COST_PER_INFERENCE:
        problems.insert(
            0,
            "wait.objective: selects among a classic job's recommendations; give an AI "
            "recommendation job its performance_target instead",
        )
    return problems
