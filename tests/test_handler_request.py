"""Stringly-typed properties become API types again, by botocore's model; our tag is added."""

from __future__ import annotations

import copy
from typing import Any

import botocore.session
import names
import pytest
import request as request_module
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from request import (
    CREATE_REQUEST_TAG,
    OWNER_TAG,
    RequestError,
    coerce,
    coerce_request,
    create_params,
)

ROLE = "arn:aws:iam::123456789012:role/infrec-job-role"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/bert/3"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# A full Advanced request as CloudFormation delivers it: every scalar a string.
STRINGLY: dict[str, Any] = {
    "JobName": "app-1234-bert-load",
    "JobType": "Advanced",
    "RoleArn": ROLE,
    "JobDescription": "Load test of bert on g5 and serverless",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "JobDurationInSeconds": "7200",
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [
                {"InitialNumberOfUsers": "1", "SpawnRate": "1", "DurationInSeconds": "120"},
                {"InitialNumberOfUsers": "3", "SpawnRate": "0", "DurationInSeconds": "600"},
            ],
        },
        "ResourceLimit": {"MaxNumberOfTests": "10", "MaxParallelOfTests": "3"},
        "EndpointConfigurations": [
            {
                "InstanceType": "ml.g5.xlarge",
                "InferenceSpecificationName": "gpu",
                "EnvironmentParameterRanges": {
                    "CategoricalParameterRanges": [
                        {"Name": "OMP_NUM_THREADS", "Value": ["1", "2", "4"]}
                    ]
                },
            },
            {
                "ServerlessConfig": {
                    "MemorySizeInMB": "2048",
                    "MaxConcurrency": "5",
                    "ProvisionedConcurrency": "1",
                }
            },
        ],
        "VolumeKmsKeyId": KEY,
        "ContainerConfig": {
            "Domain": "NATURAL_LANGUAGE_PROCESSING",
            "Task": "FILL_MASK",
            "Framework": "PYTORCH",
            "FrameworkVersion": "1.13",
            "PayloadConfig": {
                "SamplePayloadUrl": "s3://bucket/payload.tar.gz",
                "SupportedContentTypes": ["application/json"],
            },
            "NearestModelName": "bert-base-cased",
            "SupportedInstanceTypes": ["ml.g5.xlarge"],
            "SupportedEndpointType": "RealTime",
            "DataInputConfig": '{"input_ids": [1, 128]}',
            "SupportedResponseMIMETypes": ["application/json"],
        },
        "VpcConfig": {"SecurityGroupIds": ["sg-0123456789"], "Subnets": ["subnet-1", "subnet-2"]},
    },
    "StoppingConditions": {
        "MaxInvocations": "300",
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": "100"}],
        "FlatInvocations": "Stop",
    },
    "OutputConfig": {
        "KmsKeyId": KEY,
        "CompiledOutputConfig": {"S3OutputUri": "s3://bucket/compiled/"},
    },
    "Tags": [{"Key": "team", "Value": "ml"}, {"Key": "cost-center", "Value": "1234"}],
}


@pytest.fixture(scope="module")
def shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("CreateInferenceRecommendationsJob").input_shape


def test_full_advanced_request_gets_its_numbers_back(shape):
    coerced: dict[str, Any] = coerce_request(STRINGLY, shape)

    config = coerced["InputConfig"]
    assert config["JobDurationInSeconds"] == 7200
    assert config["TrafficPattern"]["Phases"] == [
        {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120},
        {"InitialNumberOfUsers": 3, "SpawnRate": 0, "DurationInSeconds": 600},
    ]
    assert config["ResourceLimit"] == {"MaxNumberOfTests": 10, "MaxParallelOfTests": 3}
    assert config["EndpointConfigurations"][1]["ServerlessConfig"] == {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 5,
        "ProvisionedConcurrency": 1,
    }
    assert coerced["StoppingConditions"]["MaxInvocations"] == 300
    assert coerced["StoppingConditions"]["ModelLatencyThresholds"][0]["ValueInMilliseconds"] == 100


def test_string_members_stay_strings_even_when_they_look_numeric(shape):
    coerced: dict[str, Any] = coerce_request(STRINGLY, shape)

    assert coerced["Tags"][1] == {"Key": "cost-center", "Value": "1234"}
    assert coerced["InputConfig"]["ContainerConfig"]["FrameworkVersion"] == "1.13"
    values = coerced["InputConfig"]["EndpointConfigurations"][0]["EnvironmentParameterRanges"]
    assert values["CategoricalParameterRanges"][0]["Value"] == ["1", "2", "4"]


def test_coerced_request_passes_botocores_validation(shape):
    validate_parameters(coerce_request(STRINGLY, shape), shape)
    with pytest.raises(ParamValidationError):
        validate_parameters(STRINGLY, shape)  # as delivered, the numbers are strings


def test_coercion_is_idempotent_and_leaves_the_input_alone(shape):
    original = copy.deepcopy(STRINGLY)
    once = coerce_request(STRINGLY, shape)
    assert coerce_request(once, shape) == once
    assert original == STRINGLY


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("InputConfig", "JobDurationInSeconds"), "2h", r"InputConfig\.JobDurationInSeconds: '2h'"),
        (("InputConfig", "JobDurationInSeconds"), "1.5", "is not an integer"),
        (("InputConfig", "ResourceLimit"), "10", r"InputConfig\.ResourceLimit: must be an object"),
        (("InputConfig", "EndpointConfigurations"), {"a": 1}, "must be a list"),
        (("JobType",), ["Advanced"], r"Request\.JobType: \['Advanced'\] is not a string"),
    ],
)
def test_bad_values_are_named_by_their_path(shape, path, value, message):
    broken = copy.deepcopy(STRINGLY)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(RequestError, match=message):
        coerce_request(broken, shape)


def test_list_items_are_named_by_index(shape):
    broken = copy.deepcopy(STRINGLY)
    broken["InputConfig"]["TrafficPattern"]["Phases"][1]["SpawnRate"] = "fast"
    with pytest.raises(RequestError, match=r"Phases\[1\]\.SpawnRate: 'fast' is not an integer"):
        coerce_request(broken, shape)


def test_unknown_members_are_kept_for_botocore_to_report(shape):
    coerced = coerce_request({**STRINGLY, "Surprise": "1"}, shape)
    assert coerced["Surprise"] == "1"


@pytest.mark.parametrize(
    ("text", "expected"), [("true", True), ("False", False), (" TRUE ", True), (True, True)]
)
def test_booleans_are_read_from_cloudformation_strings(text, expected):
    assert request_module._boolean(text, "X") is expected


@pytest.mark.parametrize(("text", "expected"), [("1.5", 1.5), ("2", 2.0), (3, 3.0)])
def test_floats_are_read_from_cloudformation_strings(text, expected):
    assert request_module._float(text, "X") == expected


@pytest.mark.parametrize("text", ["nan", "inf", "x", True])
def test_non_finite_or_non_numeric_floats_are_refused(text):
    with pytest.raises(RequestError, match="finite number"):
        request_module._float(text, "X")


def test_booleans_are_not_integers(shape):
    member = shape.members["InputConfig"].members["JobDurationInSeconds"]
    with pytest.raises(RequestError, match="not an integer"):
        coerce(True, member, "JobDurationInSeconds")


OWNER = (
    "arn:aws:cloudformation:us-east-1:123456789012:stack/app/"
    "1f6f0f6e-7a7b-11ef-8d3c-0a1b2c3d4e5f/0123456789abcdef"
)


def test_create_params_add_the_name_and_our_tags_after_the_users_tags(shape):
    params = create_params(
        coerce_request(STRINGLY, shape), job_name="job-1", digest="d" * 64, owner=OWNER
    )
    assert params["JobName"] == "job-1"
    assert params["Tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "cost-center", "Value": "1234"},
        {"Key": CREATE_REQUEST_TAG, "Value": "d" * 64},
        {"Key": OWNER_TAG, "Value": OWNER},
    ]
    validate_parameters(params, shape)


def test_create_params_replace_copied_tags_of_ours():
    request = {
        "Tags": [{"Key": CREATE_REQUEST_TAG, "Value": "old"}, {"Key": OWNER_TAG, "Value": "x"}]
    }
    params = create_params(request, job_name="job-1", digest="new", owner=OWNER)
    assert params["Tags"] == [
        {"Key": CREATE_REQUEST_TAG, "Value": "new"},
        {"Key": OWNER_TAG, "Value": OWNER},
    ]


def test_create_params_refuse_a_tag_list_our_tags_would_overfill():
    request = {"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(49)]}
    with pytest.raises(RequestError, match="at most 48"):
        create_params(request, job_name="job-1", digest="d", owner=OWNER)


def test_the_owner_tag_fits_a_tag_value_for_the_longest_stack_id():
    stack_id = (
        f"arn:aws-us-gov:cloudformation:us-gov-west-1:123456789012:stack/{'s' * 128}/"
        "1f6f0f6e-7a7b-11ef-8d3c-0a1b2c3d4e5f"
    )
    value = names.owner(stack_id, "L" * 255)
    assert len(value) <= 256
    assert value.startswith(f"{stack_id}/")
    assert names.owner(stack_id, "A") != names.owner(stack_id, "B")
