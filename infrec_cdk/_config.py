"""Typed values for the nested shapes of a CreateInferenceRecommendationsJob request.

Each class mirrors one API shape and renders itself, through ``render()``, into the API's own
syntax (PascalCase keys). Values are checked once, on the whole rendered request, by
``infrec_cdk._validation`` — so an error names the API field path whichever way it was given.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IDependable

from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._payload_asset import PayloadAsset
from infrec_cdk._props import TypeChecked

if TYPE_CHECKING:
    # Only an annotation: importing aws_cdk.aws_sagemaker costs 30-60 ms a process, and a user
    # who has a CfnModel has imported it already.
    from aws_cdk import aws_sagemaker as sagemaker

__all__ = [
    "ContainerConfig",
    "EndpointConfiguration",
    "FlatInvocations",
    "InstanceType",
    "JobType",
    "LatencyPercentile",
    "ModelLatencyThreshold",
    "ModelSource",
    "PayloadConfig",
    "Phase",
    "ResourceLimit",
    "ServerlessConfig",
    "Stairs",
    "StoppingConditions",
    "SupportedEndpointType",
    "TrafficPattern",
    "TrafficType",
]

Document = dict[str, object]


class JobType(enum.StrEnum):
    """``JobType``: instance recommendation (``DEFAULT``) or custom load test (``ADVANCED``)."""

    DEFAULT = "Default"
    ADVANCED = "Advanced"


class TrafficType(enum.StrEnum):
    """``TrafficPattern.TrafficType``."""

    PHASES = "PHASES"
    STAIRS = "STAIRS"


class FlatInvocations(enum.StrEnum):
    """``StoppingConditions.FlatInvocations``: what to do when throughput stops growing."""

    CONTINUE = "Continue"
    STOP = "Stop"


class SupportedEndpointType(enum.StrEnum):
    """``ContainerConfig.SupportedEndpointType``."""

    REAL_TIME = "RealTime"
    SERVERLESS = "Serverless"


class LatencyPercentile(enum.StrEnum):
    """``ModelLatencyThreshold.Percentile`` (custom load tests use ``P95``)."""

    P95 = "P95"
    P99 = "P99"


@dataclass(frozen=True, slots=True)
class InstanceType(TypeChecked):
    """A SageMaker hosting instance type, e.g. ``InstanceType.of("ml.g5.xlarge")``.

    An open set: any name in botocore's ``ProductionVariantInstanceType`` enum is accepted; the
    construct checks it against the installed model at synth time.
    """

    name: str

    @staticmethod
    def of(name: str) -> InstanceType:
        """Return the instance type called ``name``."""
        return InstanceType(name)

    def __str__(self) -> str:
        """Return the API name, e.g. ``ml.m5.xlarge``."""
        return self.name


def drop_none(values: Mapping[str, object | None]) -> Document:
    return {key: value for key, value in values.items() if value is not None}


def whole_seconds(duration: cdk.Duration | None) -> float | None:
    """Whole seconds when possible; a fraction is kept so validation can name the field."""
    if duration is None:
        return None
    seconds = duration.to_seconds(integral=False)
    return int(seconds) if float(seconds).is_integer() else seconds


def whole_millis(duration: cdk.Duration | None) -> float | None:
    if duration is None:
        return None
    millis = duration.to_milliseconds(integral=False)
    return int(millis) if float(millis).is_integer() else millis


@dataclass(frozen=True, slots=True)
class ModelSource(TypeChecked):
    """What to right-size: a versioned model package or an existing SageMaker model (not both).

    Use the factories: ``ModelSource.from_model_package_version(arn)``,
    ``ModelSource.from_model_name(name)`` or ``ModelSource.from_model(cfn_model)``.
    """

    model_package_version_arn: str | None = None
    model_name: str | None = None
    dependency: IDependable | None = field(default=None, compare=False)
    execution_role_arn: str | None = None
    """The model's own execution role, which the job's role may pass to SageMaker."""

    @staticmethod
    def from_model_package_version(arn: str) -> ModelSource:
        """Right-size a versioned model package (``...:model-package/<group>/<version>``)."""
        return ModelSource(model_package_version_arn=arn)

    @staticmethod
    def from_model_name(name: str, *, execution_role: iam.IRole | None = None) -> ModelSource:
        """Right-size an existing SageMaker model, by name; pair it with a ``ContainerConfig``.

        ``execution_role`` is the model's own execution role, if it has another one than the
        job's: the job's role may then pass it to SageMaker for the benchmark endpoints.
        """
        arn = None if execution_role is None else execution_role.role_arn
        return ModelSource(model_name=name, execution_role_arn=arn)

    @staticmethod
    def from_model(model: sagemaker.CfnModel) -> ModelSource:
        """Right-size a model defined in this app; the job waits for it to be created.

        The job's role may pass the model's execution role to SageMaker.
        """
        return ModelSource(
            model_name=model.attr_model_name,
            dependency=model,
            execution_role_arn=model.execution_role_arn,
        )

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "ModelPackageVersionArn": self.model_package_version_arn,
                "ModelName": self.model_name,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase(TypeChecked):
    """One phase of a ``PHASES`` traffic pattern.

    Parameters
    ----------
    duration
        How long the phase lasts (``DurationInSeconds``; 120 s to 1 h).
    initial_number_of_users
        Users at the start of the phase (``InitialNumberOfUsers``): 1 to 3 for the first phase;
        a later phase starts within 3 users of where the previous one ended.
    spawn_rate
        Users added per minute (``SpawnRate``; documented as 0 to 3, a warning above).

    """

    duration: cdk.Duration | None = None
    initial_number_of_users: int | None = None
    spawn_rate: int | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "InitialNumberOfUsers": self.initial_number_of_users,
                "SpawnRate": self.spawn_rate,
                "DurationInSeconds": whole_seconds(self.duration),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Stairs(TypeChecked):
    """A ``STAIRS`` traffic pattern: users grow by ``users_per_step`` every step.

    Parameters
    ----------
    duration
        How long each step lasts (``DurationInSeconds``), as the API reference reads it; the
        library warns when the steps together outlast the job (see README, "Validation").
    number_of_steps
        Number of steps (``NumberOfSteps``; at least 1).
    users_per_step
        Users added at each step (``UsersPerStep``; 1 to 3).

    """

    duration: cdk.Duration | None = None
    number_of_steps: int | None = None
    users_per_step: int | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "DurationInSeconds": whole_seconds(self.duration),
                "NumberOfSteps": self.number_of_steps,
                "UsersPerStep": self.users_per_step,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficPattern(TypeChecked):
    """The load an Advanced job applies. Build it with ``phases(...)`` or ``stairs(...)``."""

    traffic_type: TrafficType | None = None
    phases_: tuple[Phase, ...] | None = None
    stairs_: Stairs | None = None

    @staticmethod
    def phases(phases: Sequence[Phase]) -> TrafficPattern:
        """Traffic in consecutive phases (``TrafficType`` ``PHASES``)."""
        return TrafficPattern(traffic_type=TrafficType.PHASES, phases_=tuple(phases))

    @staticmethod
    def stairs(stairs: Stairs) -> TrafficPattern:
        """Traffic that grows in steps (``TrafficType`` ``STAIRS``)."""
        return TrafficPattern(traffic_type=TrafficType.STAIRS, stairs_=stairs)

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "TrafficType": None if self.traffic_type is None else str(self.traffic_type),
                "Phases": None if self.phases_ is None else [p.render() for p in self.phases_],
                "Stairs": None if self.stairs_ is None else self.stairs_.render(),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceLimit(TypeChecked):
    """Caps on an Advanced job's load tests (``ResourceLimit``).

    Parameters
    ----------
    max_number_of_tests
        Most load tests in the job (``MaxNumberOfTests``).
    max_parallel_of_tests
        Most load tests, hence endpoints, at once (``MaxParallelOfTests``).

    """

    max_number_of_tests: int | None = None
    max_parallel_of_tests: int | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "MaxNumberOfTests": self.max_number_of_tests,
                "MaxParallelOfTests": self.max_parallel_of_tests,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerlessConfig(TypeChecked):
    """A serverless endpoint configuration to test (``ServerlessConfig``).

    Parameters
    ----------
    memory_size_in_mb
        1024 to 6144, in 1024 MB steps.
    max_concurrency
        1 to 200.
    provisioned_concurrency
        Not supported by Inference Recommender; present for completeness and rejected if set.

    """

    memory_size_in_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "MemorySizeInMB": self.memory_size_in_mb,
                "MaxConcurrency": self.max_concurrency,
                "ProvisionedConcurrency": self.provisioned_concurrency,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointConfiguration(TypeChecked):
    """One endpoint configuration an Advanced job load-tests.

    Build it with ``EndpointConfiguration.instance(...)`` or ``.serverless(...)``.
    ``environment_parameter_ranges`` maps an environment variable to 1-3 values to try.
    """

    instance_type: InstanceType | str | None = None
    serverless_config: ServerlessConfig | None = None
    inference_specification_name: str | None = None
    environment_parameter_ranges: Mapping[str, Sequence[str]] | None = None

    @staticmethod
    def instance(
        instance_type: InstanceType | str,
        *,
        inference_specification_name: str | None = None,
        environment_parameter_ranges: Mapping[str, Sequence[str]] | None = None,
    ) -> EndpointConfiguration:
        """Test a real-time endpoint on ``instance_type``."""
        return EndpointConfiguration(
            instance_type=instance_type,
            inference_specification_name=inference_specification_name,
            environment_parameter_ranges=environment_parameter_ranges,
        )

    @staticmethod
    def serverless(
        config: ServerlessConfig,
        *,
        inference_specification_name: str | None = None,
        environment_parameter_ranges: Mapping[str, Sequence[str]] | None = None,
    ) -> EndpointConfiguration:
        """Test a serverless endpoint."""
        return EndpointConfiguration(
            serverless_config=config,
            inference_specification_name=inference_specification_name,
            environment_parameter_ranges=environment_parameter_ranges,
        )

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        ranges = None
        if self.environment_parameter_ranges is not None:
            ranges = {
                "CategoricalParameterRanges": [
                    {"Name": name, "Value": list(values)}
                    for name, values in self.environment_parameter_ranges.items()
                ]
            }
        return drop_none(
            {
                "InstanceType": None if self.instance_type is None else str(self.instance_type),
                "ServerlessConfig": None
                if self.serverless_config is None
                else self.serverless_config.render(),
                "InferenceSpecificationName": self.inference_specification_name,
                "EnvironmentParameterRanges": ranges,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PayloadConfig(TypeChecked):
    """Sample payload for the load tests (``ContainerConfig.PayloadConfig``).

    Give the payload by URL, or from local disk with ``PayloadConfig.from_asset(path)``.

    Parameters
    ----------
    sample_payload_url
        ``s3://`` URL of a single ``.tar.gz`` of sample requests. The job's role is granted read
        access to it.
    supported_content_types
        MIME types of the sample requests.
    asset
        A payload on local disk, published as a CDK file asset (made by ``from_asset``); the job
        sets ``SamplePayloadUrl`` to the asset's URL. Give it or ``sample_payload_url``.

    """

    sample_payload_url: str | None = None
    supported_content_types: Sequence[str] | None = None
    asset: PayloadAsset | None = None

    def __post_init__(self) -> None:
        """Refuse a field of the wrong type, or both a URL and an asset."""
        TypeChecked.__post_init__(self)
        if self.sample_payload_url is not None and self.asset is not None:
            raise InfrecValidationError(
                [
                    (
                        "PayloadConfig: give sample_payload_url or a local payload "
                        "(PayloadConfig.from_asset), not both"
                    )
                ]
            )

    @staticmethod
    def from_asset(
        path: str | os.PathLike[str],
        *,
        supported_content_types: Sequence[str] | None = None,
        asset_bucket_key: kms.IKey | None = None,
    ) -> PayloadConfig:
        """Use a sample payload from local disk, uploaded with the stack's other file assets.

        ``path`` is a ``.tar.gz`` file, or a directory: it is packed at synth time into a
        gzip-compressed tar in a temporary directory (never in the source tree), the same way on
        every machine (sorted entries, normalized times, owners and modes), so the same files
        give the same asset hash and an unchanged payload is not uploaded again. The job's
        ``SamplePayloadUrl`` is the asset's ``s3://`` URL (its key ends in ``.tar.gz``), and
        the job's role may read that object, nothing else of the bucket.

        At synth time the archive is checked: a file that is not a gzip-compressed tar, or a
        payload with no file in it, is refused; files that do not look like any of
        ``supported_content_types``, files larger than an endpoint request may be, and
        subdirectories or links only warn (see README, "A sample payload from your own disk").

        Parameters
        ----------
        path
            A ``.tar.gz`` file or a directory of sample requests, one request per file. A
            relative path is taken from the current directory, as CDK assets are.
        supported_content_types
            MIME types of the sample requests (``SupportedContentTypes``), e.g.
            ``["text/csv"]``. Default: none given (a model package's own apply).
        asset_bucket_key
            The customer managed KMS key of your CDK bootstrap bucket, if you bootstrapped with
            ``cdk bootstrap --bootstrap-kms-key-id`` and that key's policy leaves access to IAM
            policies: the job's role then may decrypt with it, through S3 only. Default: no
            grant; the default bootstrap bucket uses the AWS managed key ``aws/s3``, and
            ``--bootstrap-customer-key`` creates a key whose policy lets the account's
            principals decrypt through S3, so neither needs one.

        Returns
        -------
        PayloadConfig
            The payload config for ``ContainerConfig(payload_config=...)``; in a request for
            ``from_request``, it may stand in ``InputConfig.ContainerConfig.PayloadConfig``.

        """
        if not isinstance(path, str | os.PathLike):
            raise InfrecValidationError(
                [
                    (
                        "PayloadConfig.from_asset: path must be a str or os.PathLike, got "
                        f"{type(path).__name__}"
                    )
                ]
            )
        return PayloadConfig(
            supported_content_types=supported_content_types,
            asset=PayloadAsset(
                path=Path(os.fspath(path)).absolute(), asset_bucket_key=asset_bucket_key
            ),
        )

    def render(self) -> Document:
        """Return this value in the API's own request syntax.

        For a local payload, ``SamplePayloadUrl`` holds the ``PayloadAsset`` itself: the job
        replaces it with the asset's URL, which exists only in a stack.
        """
        return drop_none(
            {
                "SamplePayloadUrl": self.asset
                if self.asset is not None
                else self.sample_payload_url,
                "SupportedContentTypes": None
                if self.supported_content_types is None
                else list(self.supported_content_types),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerConfig(TypeChecked):
    """Details of the model's container (``InputConfig.ContainerConfig``).

    Required with ``ModelSource.from_model_name``: ``domain``, ``task`` and a ``payload_config``
    with a sample payload; ``framework`` too, by the prerequisites (a warning without it, as
    AWS's own examples omit it). With a model package, each value overrides the package's own.

    Parameters
    ----------
    domain
        ``COMPUTER_VISION``, ``NATURAL_LANGUAGE_PROCESSING``, ``MACHINE_LEARNING`` or ``OTHER``.
    task
        e.g. ``IMAGE_CLASSIFICATION``, ``TEXT_GENERATION``, ``REGRESSION`` or ``OTHER``.
    framework
        ``TENSORFLOW``, ``PYTORCH``, ``XGBOOST`` or ``SAGEMAKER-SCIKIT-LEARN``.
    framework_version
        e.g. ``1.6.0``.
    payload_config
        The sample payload.
    nearest_model_name
        A well-known model the model resembles, e.g. ``resnet50``.
    supported_instance_types
        Instance types to consider (Default jobs).
    supported_endpoint_type
        Only real-time or only serverless candidates. Default: both.
    data_input_config
        JSON describing the input shape, for SageMaker Neo.
    supported_response_mime_types
        MIME types the model answers with.

    """

    domain: str | None = None
    task: str | None = None
    framework: str | None = None
    framework_version: str | None = None
    payload_config: PayloadConfig | None = None
    nearest_model_name: str | None = None
    supported_instance_types: Sequence[InstanceType | str] | None = None
    supported_endpoint_type: SupportedEndpointType | None = None
    data_input_config: str | None = None
    supported_response_mime_types: Sequence[str] | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "Domain": self.domain,
                "Task": self.task,
                "Framework": self.framework,
                "FrameworkVersion": self.framework_version,
                "PayloadConfig": None
                if self.payload_config is None
                else self.payload_config.render(),
                "NearestModelName": self.nearest_model_name,
                "SupportedInstanceTypes": None
                if self.supported_instance_types is None
                else [str(t) for t in self.supported_instance_types],
                "SupportedEndpointType": None
                if self.supported_endpoint_type is None
                else str(self.supported_endpoint_type),
                "DataInputConfig": self.data_input_config,
                "SupportedResponseMIMETypes": None
                if self.supported_response_mime_types is None
                else list(self.supported_response_mime_types),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelLatencyThreshold(TypeChecked):
    """Stop when this latency percentile exceeds ``value`` (``ModelLatencyThresholds[0]``)."""

    percentile: LatencyPercentile | str | None = None
    value: cdk.Duration | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "Percentile": None if self.percentile is None else str(self.percentile),
                "ValueInMilliseconds": whole_millis(self.value),
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoppingConditions(TypeChecked):
    """When an Advanced job's load test stops (``StoppingConditions``).

    Parameters
    ----------
    max_invocations
        Expected maximum requests per minute.
    model_latency_threshold
        Latency that ends a test.
    flat_invocations
        Stop (the default) or continue when throughput plateaus.

    """

    max_invocations: int | None = None
    model_latency_threshold: ModelLatencyThreshold | None = None
    flat_invocations: FlatInvocations | None = None

    def render(self) -> Document:
        """Return this value in the API's own request syntax."""
        return drop_none(
            {
                "MaxInvocations": self.max_invocations,
                "ModelLatencyThresholds": None
                if self.model_latency_threshold is None
                else [self.model_latency_threshold.render()],
                "FlatInvocations": None
                if self.flat_invocations is None
                else str(self.flat_invocations),
            }
        )
