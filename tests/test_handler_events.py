"""Parsing CloudFormation events: checked once, every problem named by its property."""

from __future__ import annotations

from typing import Any

import pytest
from events import (
    Envelope,
    EventError,
    RequestType,
    intended_job_name,
    parse_event,
    user_job_name,
)

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f6f0f6e"


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "RequestType": "Create",
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:handler",
        "ResponseURL": "https://example.com/response?X-Amz-Signature=s",
        "StackId": STACK,
        "RequestId": "4fe4ba1e-4d84-4c6b-8f3f-0d7c1c3b0d55",
        "LogicalResourceId": "JobResource",
        "ResourceType": "Custom::InferenceRecommendationsJob",
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:handler",
            "Request": {"JobType": "Default"},
            "JobNamePrefix": "app-1234-job",
        },
    }
    event.update(changes)
    return event


def test_create_event_is_parsed():
    parsed = parse_event(_event())
    assert parsed.request_type is RequestType.CREATE
    assert parsed.properties is not None
    assert parsed.properties.job_name_prefix == "app-1234-job"
    assert parsed.properties.request == {"JobType": "Default"}
    assert parsed.old_properties is None


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ("text", "ResourceProperties: must be an object"),
        ({"JobNamePrefix": "p"}, r"ResourceProperties\.Request: .* is missing"),
        ({"Request": "{}", "JobNamePrefix": "p"}, r"ResourceProperties\.Request: .* a str"),
        ({"Request": {}}, r"ResourceProperties\.JobNamePrefix: None"),
        ({"Request": {}, "JobNamePrefix": "Bad_Prefix"}, r"JobNamePrefix: 'Bad_Prefix'"),
        ({"Request": {}, "JobNamePrefix": "a" * 25}, "JobNamePrefix"),
    ],
)
def test_malformed_properties_are_named(properties, message):
    with pytest.raises(EventError, match=message):
        parse_event(_event(ResourceProperties=properties))


@pytest.mark.parametrize("key", ["RequestId", "StackId", "LogicalResourceId"])
def test_missing_envelope_fields_are_named(key):
    event = _event()
    del event[key]
    with pytest.raises(EventError, match=f"{key}: missing"):
        parse_event(event)


def test_unknown_request_type_is_named():
    with pytest.raises(EventError, match="RequestType: 'Replace'"):
        parse_event(_event(RequestType="Replace"))


def test_update_needs_a_physical_id():
    with pytest.raises(EventError, match="PhysicalResourceId: missing"):
        parse_event(_event(RequestType="Update", OldResourceProperties={}))


def test_delete_ignores_its_properties():
    parsed = parse_event(
        _event(RequestType="Delete", PhysicalResourceId="job", ResourceProperties=1)
    )
    assert parsed.request_type is RequestType.DELETE
    assert parsed.properties is None


def test_update_with_unreadable_old_properties_still_parses():
    parsed = parse_event(
        _event(RequestType="Update", PhysicalResourceId="job", OldResourceProperties="?")
    )
    assert parsed.properties is not None
    assert parsed.old_properties is None


def test_envelope_takes_whatever_is_there():
    envelope = Envelope.of({"RequestType": 3, "ResponseURL": "https://x"})
    assert envelope.request_type == ""
    assert envelope.response_url == "https://x"
    assert envelope.stack_id == ""


def test_intended_name_is_the_users_or_a_generated_one():
    parsed = parse_event(_event())
    assert parsed.properties is not None
    generated = intended_job_name(parsed.envelope, parsed.properties)
    assert generated == f"app-1234-job-{parsed.envelope.digest[:12]}"
    named = parse_event(
        _event(ResourceProperties={"Request": {"JobName": "Mine-1"}, "JobNamePrefix": "p"})
    )
    assert named.properties is not None
    assert intended_job_name(named.envelope, named.properties) == "Mine-1"


@pytest.mark.parametrize("name", ["", "bad_name", "-x", "a" * 65, 12])
def test_invalid_user_job_name_is_named(name):
    with pytest.raises(EventError, match=r"Request\.JobName"):
        user_job_name({"JobName": name})
