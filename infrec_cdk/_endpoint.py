"""``RecommendedEndpoint``: a SageMaker endpoint sized by a job's top recommendation."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrec_cdk import _security
from infrec_cdk._autoscaling import (
    Autoscaling,
    EndpointAutoscaling,
    ScalingRecommendation,
    autoscaling_report,
)
from infrec_cdk._config import SupportedEndpointType
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._instance_storage import API_CREATE_ENDPOINT_CONFIG, GUIDE_ENCRYPTION_AT_REST
from infrec_cdk._job import InferenceRecommendationsJob
from infrec_cdk._props import checked_props

__all__ = ["RecommendedEndpoint"]


def _real_time_only(job: InferenceRecommendationsJob) -> bool:
    """Whether the job's top recommendation is certain to be a real-time (instance) one."""
    wait = job.wait
    if wait is not None and wait.endpoint_type == SupportedEndpointType.REAL_TIME:
        return True
    configurations = job.endpoint_configuration_kinds
    return bool(configurations) and all(kind == "instance" for kind in configurations)


class RecommendedEndpoint(Construct):
    """A real-time endpoint for ``model_name`` on the instance type and count the job recommends.

    The job must wait (``wait=Wait(...)``) and its top recommendation must be a real-time one:
    pass ``Wait(endpoint_type=SupportedEndpointType.REAL_TIME)``, or test only instance types in
    an Advanced job. The endpoint is created once the job has finished, in the same deployment.
    With ``autoscaling=Autoscaling(...)`` the variant also scales as Inference Recommender
    recommends for that top recommendation.
    """

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        job: InferenceRecommendationsJob,
        model_name: str,
        variant_name: str = "AllTraffic",
        encryption_key: kms.IKey | None = None,
        autoscaling: Autoscaling | None = None,
    ) -> None:
        """Define the endpoint configuration and the endpoint.

        Parameters
        ----------
        scope, id
            Where the construct goes.
        job
            A waiting ``InferenceRecommendationsJob`` whose top recommendation sizes the endpoint.
        model_name
            The SageMaker model to host (e.g. ``cfn_model.attr_model_name``).
        variant_name
            The production variant's name. Default: ``AllTraffic``.
        encryption_key
            Key for the endpoint's storage volumes (``KmsKeyId``). Default: none, SageMaker
            encrypts the EBS volume with a transient key, and local NVMe storage is encrypted by
            the instance's hardware; SageMaker refuses or ignores a key for instance types with
            local NVMe storage, so give one only when the job tests EBS-backed types alone
            (a warning says when it may not).
        autoscaling
            Scale the variant with Application Auto Scaling as Inference Recommender's
            ``GetScalingConfigurationRecommendation`` recommends for the top recommendation and
            this traffic objective: a scalable target (recommended minimum and maximum
            instance counts) and a target-tracking policy (recommended predefined metric,
            target value and cooldowns), applied in the same deployment. The recommended
            values are on ``scaling``. Application Auto Scaling uses its service-linked role
            ``AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint``, which it creates on
            first use if the deployment may (``iam:CreateServiceLinkedRole``). SageMaker
            refuses to change the instance type of a variant registered for autoscaling: a
            later job whose top recommendation has another instance type fails the update
            (it rolls back) unless this construct's id changes with it (a new endpoint).
            Default: no autoscaling, the endpoint keeps the recommended instance count.

        """
        super().__init__(scope, id)
        top = job.top_recommendation
        problems = []
        if top is None:
            problems.append("job: must wait for its results (pass wait=Wait(...))")
        elif not _real_time_only(job):
            problems.append(
                "job: its top recommendation may be serverless; pass "
                "Wait(endpoint_type=SupportedEndpointType.REAL_TIME) or test only instance types"
            )
        scaling_errors, warnings = (
            ([], []) if autoscaling is None else autoscaling_report(autoscaling)
        )
        problems += scaling_errors
        if problems or top is None:
            raise InfrecValidationError(problems, construct_path=self.node.path)
        for warning in warnings:
            cdk.Annotations.of(self).add_warning_v2(warning.id, warning.message)

        # Imported here, not with the package: most stacks define no endpoint (30-60 ms).
        from aws_cdk import aws_sagemaker as sagemaker  # noqa: PLC0415

        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name=variant_name,
                    model_name=model_name,
                    instance_type=top.instance_type,
                    initial_instance_count=top.initial_instance_count,
                    initial_variant_weight=1,
                )
            ],
            kms_key_id=None if encryption_key is None else encryption_key.key_arn,
        )
        if encryption_key is None:
            _security.acknowledge(
                self.endpoint_config, _security.RECOMMENDED_ENDPOINT_NO_VOLUME_KEY
            )
        elif not job._tested_instances.all_ebs:  # noqa: SLF001 (the job's own finding)
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:volumeKeyOnInstanceStorage",
                "encryption_key: the recommended instance type may have local NVMe storage, "
                f"because {job._tested_instances.describe()}; "  # noqa: SLF001
                "SageMaker's CreateEndpointConfig reference says the call then fails, its "
                "current model says the key does not encrypt that storage (source: "
                f"{API_CREATE_ENDPOINT_CONFIG}, {GUIDE_ENCRYPTION_AT_REST})",
            )
        self.endpoint = sagemaker.CfnEndpoint(
            self, "Resource", endpoint_config_name=self.endpoint_config.attr_endpoint_config_name
        )
        self.endpoint_name: str = self.endpoint.attr_endpoint_name
        """The endpoint's name (a token)."""
        self.autoscaling: EndpointAutoscaling | None = None
        """The scaling resource, scalable target and policy, when ``autoscaling`` is given."""
        self.scaling: ScalingRecommendation | None = None
        """The recommended scaling (tokens), when ``autoscaling`` is given."""
        if autoscaling is not None:
            self.autoscaling = EndpointAutoscaling(
                self,
                "Autoscaling",
                autoscaling=autoscaling,
                top=top,
                job_name=job.job_name,
                job_arn=job.job_arn,
                endpoint_name=self.endpoint_name,
                variant_name=variant_name,
            )
            self.scaling = self.autoscaling.recommendation
