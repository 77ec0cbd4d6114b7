"""Typed values for the nested shapes of the generative-AI requests.

``CreateAIRecommendationJob``, ``CreateAIBenchmarkJob`` and ``CreateAIWorkloadConfig`` take
other shapes than ``CreateInferenceRecommendationsJob``; each class here mirrors one of them and
renders itself (``render()``) into the API's own syntax. As for the classic job, values are
checked once, on the whole rendered request (``infrec_cdk._ai_validation``), so an error names
the API field path whichever way the request was given.

S3 locations (a model, adapters, datasets) come in three forms: an ``s3://`` URI, a bucket and
a key prefix (``from_bucket``), or a local file or folder this app uploads as a CDK S3 asset
(``from_asset``). The construct that uses them binds them (``S3Source.bind``): it creates the
asset, and learns which bucket and prefix its role must read.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IDependable

from infrec_cdk._config import InstanceType, drop_none
from infrec_cdk._props import TypeChecked
from infrec_cdk._tokens import is_unresolved

if TYPE_CHECKING:
    # Only annotations: importing aws_cdk.aws_sagemaker costs 30-60 ms a process, and a user
    # who has a CfnEndpoint has imported it already.
    from aws_cdk import aws_sagemaker as sagemaker

    from infrec_cdk._endpoint import RecommendedEndpoint


__all__ = [
    "AIAdapter",
    "AIBenchmarkTarget",
    "AICapacityReservation",
    "AIComputeSpec",
    "AIInferenceFramework",
    "AIModel",
    "AIPerformanceMetric",
    "AIWorkloadDataset",
    "CapacityReservationPreference",
    "MlflowConfig",
    "S3Source",
    "WorkloadSpec",
    "WorkloadTooling",
]

Document = dict[str, object]

_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<key>.*)$")


class AIPerformanceMetric(enum.StrEnum):
    """``PerformanceTarget.Constraints[].Metric``: what the recommendations optimise for."""

    TTFT_MS = "ttft-ms"
    """Time to first token, in milliseconds (lower is better)."""
    THROUGHPUT = "throughput"
    """Tokens per second (higher is better)."""
    COST = "cost"
    """Cost per hour of the deployment configuration (lower is better)."""


class AIInferenceFramework(enum.StrEnum):
    """``InferenceSpecification.Framework``: the serving framework to recommend for."""

    LMI = "LMI"
    VLLM = "VLLM"


class CapacityReservationPreference(enum.StrEnum):
    """``ComputeSpec.CapacityReservationConfig.CapacityReservationPreference``."""

    CAPACITY_RESERVATIONS_ONLY = "capacity-reservations-only"


@dataclass(frozen=True, slots=True)
class ReadLocation:
    """What a role must read for an S3 source: a bucket's ARN and a key prefix (``""``: all).

    ``bucket`` is the construct of a bucket of this app, when known (for cdk-nag's findings).
    """

    bucket_arn: str
    key_prefix: str
    bucket: s3.IBucket | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Source(TypeChecked):
    """An S3 location: an ``s3://`` URI, a bucket and key prefix, or a local path to upload.

    Use the factories of the subclasses (``from_s3``, ``from_bucket``, ``from_asset``).
    """

    uri: str | None = None
    bucket: s3.IBucket | None = field(default=None, compare=False)
    key_prefix: str | None = None
    asset_path: str | None = None

    def bind(self, scope: Construct, id: str) -> tuple[str, ReadLocation | None]:
        """Return the ``s3://`` URI and what to read there; upload a local path as an asset.

        The location is ``None`` when the URI is only known at deploy time and names no bucket
        of this app (a token): nothing can be granted on it.
        """
        if self.asset_path is not None:
            # Imported here: most apps upload nothing (30-60 ms a process).
            from aws_cdk import aws_s3_assets as s3_assets  # noqa: PLC0415

            asset = s3_assets.Asset(scope, id, path=self.asset_path)
            location = ReadLocation(asset.bucket.bucket_arn, asset.s3_object_key, asset.bucket)
            return asset.s3_object_url, location
        if self.bucket is not None:
            prefix = self.key_prefix or ""
            uri = self.bucket.s3_url_for_object(prefix) if prefix else self._bucket_uri()
            return uri, ReadLocation(self.bucket.bucket_arn, prefix, self.bucket)
        uri = self.uri or ""
        return uri, parse_s3_uri(uri, scope)

    def _bucket_uri(self) -> str:
        assert self.bucket is not None  # noqa: S101 (bind checks it)
        return f"s3://{self.bucket.bucket_name}/"

    @property
    def is_directory_asset(self) -> bool:
        """Whether this is a local folder, which a CDK asset uploads as one ``.zip`` object."""
        return self.asset_path is not None and Path(self.asset_path).is_dir()


def parse_s3_uri(uri: str, scope: Construct) -> ReadLocation | None:
    """Return the bucket ARN and key prefix of a literal ``s3://`` URI (``None`` otherwise)."""
    if is_unresolved(uri):
        return None
    match = _S3_URI.match(uri)
    if match is None:
        return None
    partition = cdk.Stack.of(scope).partition
    return ReadLocation(f"arn:{partition}:s3:::{match['bucket']}", match["key"])


@dataclass(frozen=True, slots=True, kw_only=True)
class AIModel(S3Source):
    """``ModelSource``: the model to right-size, a HuggingFace checkpoint with SafeTensor weights.

    ``AIModel.from_s3("s3://bucket/models/llama/")``, ``AIModel.from_bucket(bucket,
    "models/llama/")`` or ``AIModel.from_asset("./model")`` (a local folder or file uploaded
    with the app's assets).
    """

    @staticmethod
    def from_s3(uri: str) -> AIModel:
        """Use the model artefacts under this ``s3://`` URI (a prefix holding the checkpoint)."""
        return AIModel(uri=uri)

    @staticmethod
    def from_bucket(bucket: s3.IBucket, key_prefix: str) -> AIModel:
        """Use the model under ``key_prefix`` of ``bucket``; the job's role may read it."""
        return AIModel(bucket=bucket, key_prefix=key_prefix)

    @staticmethod
    def from_asset(path: str) -> AIModel:
        """Upload a local file or folder as a CDK S3 asset when the app deploys.

        CDK uploads a folder as one ``.zip`` object (a warning says so): a large checkpoint
        belongs in S3 already, with ``from_s3`` or ``from_bucket``.
        """
        return AIModel(asset_path=path)


@dataclass(frozen=True, slots=True, kw_only=True)
class AIAdapter(TypeChecked):
    """A LoRA adapter (``AdapterSource``): in S3, or registered as a model package.

    All adapters of a job must be of one form (SageMaker refuses a mix).
    """

    adapter_id: str
    source: S3Source | None = None
    model_package_arn: str | None = None

    @staticmethod
    def from_s3(adapter_id: str, uri: str) -> AIAdapter:
        """Use the PEFT adapter under this ``s3://`` prefix."""
        return AIAdapter(adapter_id=adapter_id, source=S3Source(uri=uri))

    @staticmethod
    def from_bucket(adapter_id: str, bucket: s3.IBucket, key_prefix: str) -> AIAdapter:
        """Use the PEFT adapter under ``key_prefix`` of ``bucket``."""
        return AIAdapter(
            adapter_id=adapter_id, source=S3Source(bucket=bucket, key_prefix=key_prefix)
        )

    @staticmethod
    def from_model_package(adapter_id: str, model_package_arn: str) -> AIAdapter:
        """Use the adapter registered as this SageMaker model package (version ARN)."""
        return AIAdapter(adapter_id=adapter_id, model_package_arn=model_package_arn)


@dataclass(frozen=True, slots=True, kw_only=True)
class AICapacityReservation(TypeChecked):
    """``ComputeSpec.CapacityReservationConfig``: run on ML reservations (training plans).

    Parameters
    ----------
    preference
        ``CapacityReservationPreference``. Default: left out (SageMaker's default).
    ml_reservation_arns
        ``MlReservationArns``: the reservations to use. Default: none.

    """

    preference: CapacityReservationPreference | None = None
    ml_reservation_arns: Sequence[str] | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "CapacityReservationPreference": None
                if self.preference is None
                else str(self.preference),
                "MlReservationArns": None
                if self.ml_reservation_arns is None
                else list(self.ml_reservation_arns),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AIComputeSpec(TypeChecked):
    """``ComputeSpec``: which instance types to consider (at most 3), and capacity reservations.

    Parameters
    ----------
    instance_types
        ``InstanceTypes``: GPU instance types, e.g. ``["ml.g5.12xlarge", "ml.g6e.12xlarge"]``.
        Default: SageMaker chooses.
    capacity_reservation
        ``CapacityReservationConfig``. Default: on-demand capacity.

    """

    instance_types: Sequence[str | InstanceType] | None = None
    capacity_reservation: AICapacityReservation | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "InstanceTypes": None
                if self.instance_types is None
                else [str(name) for name in self.instance_types],
                "CapacityReservationConfig": None
                if self.capacity_reservation is None
                else self.capacity_reservation.render(),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MlflowConfig(TypeChecked):
    """``OutputConfig.MlflowConfig``: log the job's results to a SageMaker managed MLflow App.

    Parameters
    ----------
    resource_arn
        ``MlflowResourceArn``: the MLflow App (``...:mlflow-app/<id>``) or tracking server.
    experiment_name
        ``MlflowExperimentName``. Default: SageMaker's.
    run_name
        ``MlflowRunName``: the top-level run the job's results nest under. Default: SageMaker's.

    """

    resource_arn: str
    experiment_name: str | None = None
    run_name: str | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "MlflowResourceArn": self.resource_arn,
                "MlflowExperimentName": self.experiment_name,
                "MlflowRunName": self.run_name,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkloadTooling(TypeChecked):
    """The workload specification's ``tooling``: the endpoint's API standard, the tool version."""

    api_standard: str | None = None
    version: str | None = None

    def render(self) -> Document:
        """Return this value as the workload specification writes it."""
        return drop_none({"api_standard": self.api_standard, "version": self.version})


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkloadSpec(TypeChecked):
    """``AIWorkloadConfigs.WorkloadSpec``: the traffic and benchmark parameters, as JSON.

    Parameters
    ----------
    parameters
        ``parameters``: the AIPerf parameters, e.g. ``{"prompt_input_tokens_mean": 550,
        "output_tokens_mean": 150, "concurrency": 10}`` (see the workload specification
        reference). Default: SageMaker's.
    secrets
        ``secrets``: parameter names and the Secrets Manager secrets that hold their values
        (e.g. ``{"hf_token": secret}``); the jobs using this workload may read them.
        Default: none.
    tooling
        ``tooling``. Default: SageMaker's.
    benchmark_type
        ``benchmark.type``. Default: ``aiperf``, the only documented value.

    Or ``WorkloadSpec.inline(text)`` for a specification already written in YAML or JSON.

    """

    parameters: Mapping[str, object] | None = None
    secrets: Mapping[str, secretsmanager.ISecret] | None = field(default=None, compare=False)
    tooling: WorkloadTooling | None = None
    benchmark_type: str = "aiperf"
    text: str | None = None

    @staticmethod
    def inline(text: str) -> WorkloadSpec:
        """Use a workload specification written as YAML or JSON text, as given."""
        return WorkloadSpec(text=text)

    @property
    def secret_list(self) -> list[secretsmanager.ISecret]:
        """The secrets this specification names (the jobs using it read them)."""
        return list((self.secrets or {}).values())

    def render(self) -> Document:
        """Return ``{"Inline": text}``, the specification as JSON unless given as text."""
        if self.text is not None:
            return {"Inline": self.text}
        spec: Document = {"benchmark": {"type": self.benchmark_type}}
        if self.parameters is not None:
            spec["parameters"] = dict(self.parameters)
        if self.secrets is not None:
            spec["secrets"] = {name: secret.secret_arn for name, secret in self.secrets.items()}
        if self.tooling is not None:
            spec["tooling"] = self.tooling.render()
        return {"Inline": json.dumps(spec, separators=(",", ":"))}


@dataclass(frozen=True, slots=True, kw_only=True)
class AIWorkloadDataset(TypeChecked):
    """``DatasetConfig.InputDataConfig[]``: a channel of requests from S3.

    The benchmark container sees the channel at ``/opt/ml/input/data/<channel_name>/``.
    """

    channel_name: str
    source: S3Source

    @staticmethod
    def from_s3(channel_name: str, uri: str) -> AIWorkloadDataset:
        """Use the dataset (or a template file) at this ``s3://`` URI."""
        return AIWorkloadDataset(channel_name=channel_name, source=S3Source(uri=uri))

    @staticmethod
    def from_bucket(channel_name: str, bucket: s3.IBucket, key_prefix: str) -> AIWorkloadDataset:
        """Use the dataset under ``key_prefix`` of ``bucket``."""
        return AIWorkloadDataset(
            channel_name=channel_name, source=S3Source(bucket=bucket, key_prefix=key_prefix)
        )

    @staticmethod
    def from_asset(channel_name: str, path: str) -> AIWorkloadDataset:
        """Upload a local file (or a folder, as one ``.zip``) as a CDK S3 asset."""
        return AIWorkloadDataset(channel_name=channel_name, source=S3Source(asset_path=path))


@dataclass(frozen=True, slots=True, kw_only=True)
class AIBenchmarkTarget(TypeChecked):
    """``BenchmarkTarget.Endpoint``: the endpoint (and inference components) to benchmark.

    Build it with ``AIBenchmarkTarget.endpoint(...)``.
    """

    identifier: str
    inference_components: tuple[str, ...] | None = None
    target_container_hostname: str | None = None
    # What the job's role invokes (ARNs, or names known at synth time), and what to wait for.
    endpoint_arn: str | None = None
    component_arns: tuple[str | None, ...] = ()
    dependencies: tuple[IDependable, ...] = field(default=(), compare=False)

    @staticmethod
    def endpoint(
        endpoint: sagemaker.CfnEndpoint | RecommendedEndpoint | str,
        *,
        inference_components: Sequence[sagemaker.CfnInferenceComponent | str] | None = None,
        target_container_hostname: str | None = None,
    ) -> AIBenchmarkTarget:
        """Benchmark ``endpoint``: one of this app, or an existing one's name or ARN.

        ``endpoint`` is a ``CfnEndpoint`` or ``RecommendedEndpoint`` of this app, or a string.

        ``inference_components`` (``CfnInferenceComponent`` of this app, names or ARNs) must be
        given for an endpoint that serves inference components: SageMaker then routes the
        requests to them. ``target_container_hostname`` picks a container of a
        multi-container endpoint.
        """
        # Imported here: _endpoint loads the autoscaling machinery, which most apps never use.
        from infrec_cdk._endpoint import RecommendedEndpoint as Recommended  # noqa: PLC0415

        dependencies: list[IDependable] = []
        if isinstance(endpoint, str):
            identifier, arn = endpoint, None
        else:
            cfn = endpoint.endpoint if isinstance(endpoint, Recommended) else endpoint
            # A CfnEndpoint's Ref is its ARN (AWS::SageMaker::Endpoint return values).
            identifier, arn = cfn.attr_endpoint_name, cfn.ref
            dependencies.append(cfn)
        names: list[str] = []
        arns: list[str | None] = []
        for component in inference_components or []:
            if isinstance(component, str):
                names.append(component)
                arns.append(None)
            else:
                # The identifier takes a name or an ARN; a component's name is optional.
                names.append(component.attr_inference_component_arn)
                arns.append(component.attr_inference_component_arn)
                dependencies.append(component)
        return AIBenchmarkTarget(
            identifier=identifier,
            inference_components=None if inference_components is None else tuple(names),
            target_container_hostname=target_container_hostname,
            endpoint_arn=arn,
            component_arns=tuple(arns),
            dependencies=tuple(dependencies),
        )

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        endpoint = drop_none(
            {
                "Identifier": self.identifier,
                "TargetContainerHostname": self.target_container_hostname,
                "InferenceComponents": None
                if self.inference_components is None
                else [{"Identifier": name} for name in self.inference_components],
            }
        )
        return {"Endpoint": endpoint}
