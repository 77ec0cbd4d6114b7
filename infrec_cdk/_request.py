"""Render the construct's keyword arguments into a request in the API's own syntax."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk

from infrec_cdk._config import (
    ContainerConfig,
    EndpointConfiguration,
    JobType,
    ModelSource,
    ResourceLimit,
    StoppingConditions,
    TrafficPattern,
    drop_none,
    whole_seconds,
)

__all__ = ["render_request"]


def _job_type(job_type: JobType | None, *advanced_only: object) -> JobType:
    """Return the given type, else Advanced when any Advanced-only value is set."""
    if job_type is not None:
        return job_type
    return JobType.ADVANCED if any(v is not None for v in advanced_only) else JobType.DEFAULT


def render_request(
    *,
    model: ModelSource,
    job_type: JobType | None = None,
    job_name: str | None = None,
    description: str | None = None,
    job_duration: cdk.Duration | None = None,
    container_config: ContainerConfig | None = None,
    endpoint_configurations: Sequence[EndpointConfiguration] | None = None,
    traffic_pattern: TrafficPattern | None = None,
    stopping_conditions: StoppingConditions | None = None,
    resource_limit: ResourceLimit | None = None,
    existing_endpoint_name: str | None = None,
    compiled_output_uri: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Return the CreateInferenceRecommendationsJob request the arguments describe.

    Fields the construct provisions (``RoleArn``, KMS keys, ``VpcConfig``) are added later.
    """
    resolved_type = _job_type(
        job_type, endpoint_configurations, traffic_pattern, stopping_conditions, resource_limit
    )
    input_config = drop_none(
        {
            **model.render(),
            "JobDurationInSeconds": whole_seconds(job_duration),
            "TrafficPattern": None if traffic_pattern is None else traffic_pattern.render(),
            "ResourceLimit": None if resource_limit is None else resource_limit.render(),
            "EndpointConfigurations": None
            if endpoint_configurations is None
            else [configuration.render() for configuration in endpoint_configurations],
            "ContainerConfig": None if container_config is None else container_config.render(),
            "Endpoints": None
            if existing_endpoint_name is None
            else [{"EndpointName": existing_endpoint_name}],
        }
    )
    return drop_none(
        {
            "JobName": job_name,
            "JobType": str(resolved_type),
            "JobDescription": description,
            "InputConfig": input_config,
            "StoppingConditions": None
            if stopping_conditions is None
            else stopping_conditions.render(),
            "OutputConfig": None
            if compiled_output_uri is None
            else {"CompiledOutputConfig": {"S3OutputUri": compiled_output_uri}},
            "Tags": None
            if tags is None
            else [{"Key": key, "Value": value} for key, value in tags.items()],
        }
    )
