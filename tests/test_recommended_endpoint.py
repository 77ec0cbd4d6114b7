"""An endpoint sized by the top recommendation, in the same stack as the job that sized it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template

from infrec_cdk import (
    InferenceRecommendationsJob,
    InfrecValidationError,
    ModelSource,
    RecommendedEndpoint,
    SupportedEndpointType,
    Wait,
)
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.deploy import LocalCloudFormation

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"


def waiting_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "waiting_app", ROOT / "examples" / "waiting_app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["waiting_app"] = module
    spec.loader.exec_module(module)
    return module


def example_template() -> dict[str, Any]:
    stack = waiting_app().RightSizedEndpointStack(cdk.App(), "TestStack")
    return dict(Template.from_stack(stack).to_json())


def test_example_deploys_an_endpoint_on_the_recommended_instance_type(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    template = example_template()
    report = waiting_cloudformation.deploy(template)

    assert report.status == "CREATE_COMPLETE", report.failure
    (job,) = fake_sagemaker.jobs.values()
    described = boto3.client("sagemaker").describe_inference_recommendations_job(JobName=job.name)
    best = min(
        described["InferenceRecommendations"], key=lambda r: r["Metrics"]["CostPerInference"]
    )
    expected = best["EndpointConfiguration"]["InstanceType"]
    (config_id,) = [
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::SageMaker::EndpointConfig"
    ]
    (variant,) = waiting_cloudformation.state[config_id].properties["ProductionVariants"]
    assert variant["InstanceType"] == expected
    assert variant["InitialInstanceCount"] == "1"
    assert report.outputs["RecommendedInstanceType"] == expected
    assert report.outputs["ResultsArchive"].startswith("s3://")
    order = [e.logical_id for e in report.events if e.action == "Create"]
    waits = [k for k in order if template["Resources"][k]["Type"].endswith("WaitCondition")]
    assert order.index(config_id) > order.index(waits[0]), "sized only after the job finished"


def stack_with(wait: Wait | None, **props: Any) -> tuple[cdk.Stack, InferenceRecommendationsJob]:
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), wait=wait, **props
    )
    return stack, job


def test_needs_a_waiting_job():
    stack, job = stack_with(None)
    with pytest.raises(InfrecValidationError, match="must wait for its results"):
        RecommendedEndpoint(stack, "Endpoint", job=job, model_name="churn")


def test_needs_a_real_time_recommendation():
    stack, job = stack_with(Wait())
    with pytest.raises(InfrecValidationError, match="may be serverless"):
        RecommendedEndpoint(stack, "Endpoint", job=job, model_name="churn")


def test_real_time_wait_sizes_the_variant_from_the_results_attributes():
    stack, job = stack_with(Wait(endpoint_type=SupportedEndpointType.REAL_TIME))
    RecommendedEndpoint(stack, "Endpoint", job=job, model_name="churn")
    template = Template.from_stack(stack).to_json()
    (config,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::EndpointConfig"
    ]
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["InstanceType"]["Fn::GetAtt"][1] == "InstanceType"
    assert variant["InitialInstanceCount"]["Fn::GetAtt"][1] == "InitialInstanceCount"
    assert variant["ModelName"] == "churn"
