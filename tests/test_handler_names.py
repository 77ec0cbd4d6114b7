"""Generated job names: one per request, stable on redelivery, valid, unique early enough."""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from typing import Any

import botocore.session
import names
import pytest
from events import intended_job_name, parse_event
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.sagemaker import java_pattern

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}$")


def ascii_regex(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` (ASCII only), without hypothesis's table of all of Unicode.

    Every pattern here names ASCII characters only, so an ASCII alphabet generates the same
    strings; the default alphabet first builds a table of every Unicode character (about 1 s in a
    process that has not built it yet).
    """
    return st.from_regex(pattern, alphabet=st.characters(codec="ascii"))


prefixes = ascii_regex(r"\A[a-z0-9](-{0,2}[a-z0-9]){0,11}\Z").filter(
    lambda prefix: len(prefix) <= names.PREFIX_MAX
)
stack_ids = st.builds(
    "arn:{}:cloudformation:{}:{}:stack/{}/{}".format,
    st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
    st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1"]),
    ascii_regex(r"\A[0-9]{12}\Z"),
    ascii_regex(r"\A[A-Za-z][-A-Za-z0-9]{0,40}\Z"),
    st.uuids().map(str),
)
logical_ids = ascii_regex(r"\A[A-Za-z0-9]{1,64}\Z")
request_ids = st.uuids().map(str)
requests = st.tuples(stack_ids, logical_ids, request_ids)


def _name(prefix: str, request: tuple[str, str, str]) -> str:
    return names.generated_name(prefix, names.request_digest(*request))


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_generated_name_is_a_valid_job_name(prefix, request):
    name = _name(prefix, request)
    assert JOB_NAME.match(name)
    assert names.is_job_name(name)
    assert len(name) <= names.JOB_NAME_MAX
    assert name.startswith(f"{prefix}-")


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_redelivered_request_maps_to_the_same_name(prefix, request):
    assert _name(prefix, request) == _name(prefix, tuple(request))


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, first=requests, second=requests)
def test_distinct_requests_get_distinct_names_within_the_first_40_characters(prefix, first, second):
    if first == second:
        return
    one, other = _name(prefix, first), _name(prefix, second)
    assert one[: names.DERIVED_NAME_LIMIT] != other[: names.DERIVED_NAME_LIMIT]


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_new_request_id_for_the_same_resource_gives_a_new_name(prefix, request):
    stack_id, logical_id, _ = request
    update = (stack_id, logical_id, f"{request[2]}-update")
    assert _name(prefix, request) != _name(prefix, update)


@settings(max_examples=40, deadline=None)
@given(request=requests)
def test_whole_unique_part_fits_in_the_first_40_characters(request):
    longest_prefix = "p" * names.PREFIX_MAX
    name = _name(longest_prefix, request)
    digest = names.request_digest(*request)
    assert len(name) <= names.DERIVED_NAME_LIMIT
    assert name[: names.DERIVED_NAME_LIMIT].endswith(digest[: names.UNIQUE_LENGTH])


def test_digest_is_sha256_of_stack_resource_and_request():
    expected = hashlib.sha256(b"arn:stack|Job|req-1").hexdigest()
    assert names.request_digest("arn:stack", "Job", "req-1") == expected
    assert names.generated_name("app-1234-job", expected) == f"app-1234-job-{expected[:12]}"


@pytest.mark.parametrize(
    "prefix", ["", "-job", "job-", "Job", "job_1", "a" * 25, "job.name", "jöb"]
)
def test_invalid_prefixes_are_refused(prefix):
    assert not names.is_prefix(prefix)
    with pytest.raises(ValueError, match="prefix"):
        names.generated_name(prefix, "0" * 64)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("a", True),
        ("my-job--2", True),
        ("A" * 64, True),
        ("A" * 65, False),
        ("-job", False),
        ("job-", False),
        ("job_1", False),
        ("", False),
        (names.no_job_marker("0" * 64), False),
        ("AWSCDK::CustomResourceProviderFramework::CREATE_FAILED", False),
    ],
)
def test_is_job_name_follows_sagemakers_pattern(name, valid):
    assert names.is_job_name(name) is valid


def test_job_arn_uses_the_stacks_partition_region_account_and_lowercases():
    stack_id = "arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/app/guid"
    assert names.job_arn(stack_id, "My-Job") == (
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:inference-recommendations-job/my-job"
    )


def test_job_arn_refuses_a_stack_id_that_is_no_arn():
    with pytest.raises(ValueError, match="StackId"):
        names.job_arn("not-an-arn", "job")


# -- Names as CloudFormation events produce them ---------------------------------------------------


@functools.cache
def _model_job_name_shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateInferenceRecommendationsJob").input_shape
    assert shape is not None
    return shape.members["JobName"]


def _create_event(request: tuple[str, str, str], prefix: str) -> dict[str, Any]:
    stack_id, logical_id, request_id = request
    return {
        "RequestType": "Create",
        "ResponseURL": "https://cfn-response.example/x?X-Amz-Signature=s",
        "StackId": stack_id,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": "Custom::InferenceRecommendationsJob",
        "ResourceProperties": {"Request": {"JobType": "Default"}, "JobNamePrefix": prefix},
    }


def _intended(event: dict[str, Any]) -> str:
    parsed = parse_event(copy.deepcopy(event))
    assert parsed.properties is not None
    return intended_job_name(parsed.envelope, parsed.properties)


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_generated_name_satisfies_the_api_models_pattern_and_length(prefix, request):
    shape = _model_job_name_shape()
    name = _name(prefix, request)
    assert java_pattern(shape.metadata["pattern"]).fullmatch(name)
    assert shape.metadata["min"] <= len(name) <= shape.metadata["max"] == names.JOB_NAME_MAX


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_unique_part_of_any_generated_name_ends_within_the_first_40_characters(prefix, request):
    name = _name(prefix, request)
    unique = names.request_digest(*request)[: names.UNIQUE_LENGTH]
    assert name.endswith(f"-{unique}")
    assert len(name) <= names.DERIVED_NAME_LIMIT


@settings(max_examples=60, deadline=None)
@given(name=ascii_regex(r"\A[-a-zA-Z0-9_]{0,70}\Z"))
def test_is_job_name_agrees_with_the_api_model(name):
    shape = _model_job_name_shape()
    expected = (
        java_pattern(shape.metadata["pattern"]).fullmatch(name) is not None
        and shape.metadata["min"] <= len(name) <= shape.metadata["max"]
    )
    assert names.is_job_name(name) is expected


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, request=requests)
def test_redelivered_create_event_gets_the_same_name(prefix, request):
    event = _create_event(request, prefix)
    assert _intended(event) == _intended(copy.deepcopy(event))


@settings(max_examples=40, deadline=None)
@given(prefix=prefixes, first=requests, second=requests)
def test_distinct_create_events_get_names_distinct_within_the_first_40_characters(
    prefix, first, second
):
    if first == second:
        return
    one = _intended(_create_event(first, prefix))
    other = _intended(_create_event(second, prefix))
    assert one[: names.DERIVED_NAME_LIMIT] != other[: names.DERIVED_NAME_LIMIT]


@settings(max_examples=20, deadline=None)
@given(prefix=prefixes, request=requests)
def test_the_same_request_id_for_another_resource_gets_another_name(prefix, request):
    stack_id, logical_id, request_id = request
    other_resource = (stack_id, f"{logical_id}2", request_id)
    assert _intended(_create_event(request, prefix)) != _intended(
        _create_event(other_resource, prefix)
    )


def test_users_job_name_is_kept_as_given():
    event = _create_event(("arn:aws:cloudformation:us-east-1:1:stack/a/b", "Job", "r"), "app")
    event["ResourceProperties"]["Request"]["JobName"] = "Bert-Load-1"
    assert _intended(event) == "Bert-Load-1"
