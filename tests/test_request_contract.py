"""What the construct puts in a template is what SageMaker accepts once CloudFormation resolves it.

Each stack is synthesized, its custom resource's ``Request`` resolved with plausible deploy-time
values and stringified as CloudFormation sends it, then turned back into API types by the handler's
own code and checked by botocore's parameter validation and by the synth-time validator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.model
import botocore.session
import botocore.validate
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from names import generated_name, owner, request_digest
from request import coerce_request, create_params

from app import ExampleStack
from infrec_cdk import RESOURCE_TYPE, InferenceRecommendationsJob, ModelSource
from infrec_cdk._validation import validate_request
from tests.harness.resolve import STACK_ID, as_cloudformation_sends, resolve

ROOT = Path(__file__).resolve().parent.parent
_INPUT_SHAPE = (
    botocore.session.get_session()
    .get_service_model("sagemaker")
    .operation_model("CreateInferenceRecommendationsJob")
    .input_shape
)
assert _INPUT_SHAPE is not None
INPUT_SHAPE: botocore.model.Shape = _INPUT_SHAPE


def vpc_stack() -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(
            "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
        ),
        vpc=ec2.Vpc(stack, "Vpc", max_azs=2),
    )
    return stack


def example_stack(request_file: str | None) -> cdk.Stack:
    request = None if request_file is None else json.loads((ROOT / request_file).read_text())
    return ExampleStack(cdk.App(), "TestStack", request=request)


CASES = ["app", *(f"examples/{p.name}" for p in sorted((ROOT / "examples").glob("*.json"))), "vpc"]


def make_stack(case: str) -> cdk.Stack:
    if case == "vpc":
        return vpc_stack()
    return example_stack(None if case == "app" else case)


def delivered_requests(stack: cdk.Stack) -> list[tuple[str, dict[str, Any], str]]:
    """(logical id, Request as the handler receives it, JobNamePrefix) of each job resource."""
    template = Template.from_stack(stack).to_json()
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == RESOURCE_TYPE:
            properties = as_cloudformation_sends(resolve(resource["Properties"], template))
            found.append((logical_id, properties["Request"], properties["JobNamePrefix"]))
    return found


@pytest.mark.parametrize("case", CASES)
def test_resolved_request_is_accepted_by_botocore_and_the_validator(case):
    (logical_id, delivered, prefix), *others = delivered_requests(make_stack(case))
    assert not others

    request = coerce_request(delivered, INPUT_SHAPE)
    digest = request_digest(STACK_ID, logical_id, "5f3c0c8e-request")
    params = create_params(
        request,
        job_name=generated_name(prefix, digest),
        digest=digest,
        owner=owner(STACK_ID, logical_id),
    )

    botocore.validate.validate_parameters(params, INPUT_SHAPE)  # raises on a problem
    report = validate_request(params)
    assert report.errors == ()
    assert all(
        isinstance(v, str)
        for v in delivered["InputConfig"].values()
        if not isinstance(v, dict | list)
    )


def test_delivered_numbers_arrive_as_strings_and_come_back_as_numbers():
    ((_, delivered, _),) = delivered_requests(example_stack("examples/advanced-phases.json"))
    assert delivered["InputConfig"]["JobDurationInSeconds"] == "7200"
    request = coerce_request(delivered, INPUT_SHAPE)
    assert request["InputConfig"]["JobDurationInSeconds"] == 7200  # type: ignore[index]
