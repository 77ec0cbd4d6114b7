"""The handler's logs: one JSON line per decision, with the ids to find it, and nothing secret.

Every line of ``infrec_cdk.handler`` must parse as JSON and carry ``request_type``,
``request_id``, ``logical_resource_id``, ``physical_resource_id``, ``job_name``, ``action`` and
``outcome``. No line, whatever the path (success, timeout, failed PUTs, malformed events, an
unexpected error), may show the response URL, its query, its signature or the AWS credentials.
"""

from __future__ import annotations

import copy
import json
import logging
import secrets
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import handler as handler_module
import pytest

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.handler_events import (
    LOGICAL_ID,
    REQUEST,
    Json,
    LambdaContext,
    changed_request,
    delete,
    event,
    generated_name,
    run,
    update,
)

LOGGER = "infrec_cdk.handler"
KEYS = frozenset(
    {
        "request_type",
        "request_id",
        "logical_resource_id",
        "physical_resource_id",
        "job_name",
        "action",
        "outcome",
    }
)


@pytest.fixture
def credentials(fake_sagemaker: FakeSageMaker, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Credentials as Lambda sets them (the fake SageMaker does not check signatures)."""
    values = {
        "AWS_ACCESS_KEY_ID": f"ASIA{secrets.token_hex(8).upper()}",
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "AWS_SESSION_TOKEN": secrets.token_urlsafe(120),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    assert fake_sagemaker.endpoint_url
    return list(values.values())


@pytest.fixture
def logs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Capture the handler's lines at DEBUG (other loggers stay at their level)."""
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    return caplog


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """Every line of the handler's logger, parsed; each must be a JSON object with every key."""
    lines = []
    for record in caplog.records:
        if record.name != LOGGER:
            continue
        line = json.loads(record.getMessage())
        assert isinstance(line, dict)
        assert set(line) >= KEYS, line
        assert all(isinstance(line[key], str) for key in KEYS), line
        lines.append(line)
    return lines


def _decisions(lines: list[dict[str, Any]], request_id: str) -> list[tuple[str, str]]:
    """The (action, outcome) pairs logged at INFO and above for one request, in order."""
    return [
        (line["action"], line["outcome"])
        for line in lines
        if line["request_id"] == request_id and line["outcome"] != "event"  # the DEBUG dump
    ]


def _forbidden(receiver: CfnResponseReceiver, sent: Sequence[Mapping[str, Any]], creds: list[str]):
    urls = [item["ResponseURL"] for item in sent if isinstance(item.get("ResponseURL"), str)]
    queries = [urllib.parse.urlsplit(url).query for url in urls]
    return [receiver.signature, "X-Amz-Signature", *urls, *filter(None, queries), *creds]


def _assert_nothing_secret(caplog: pytest.LogCaptureFixture, forbidden: list[str]) -> None:
    # All captured text: the handler's lines and whatever else reached a log.
    text = caplog.text + "".join(record.getMessage() for record in caplog.records)
    for secret in forbidden:
        assert secret not in text


# -- The whole lifecycle ---------------------------------------------------------------------------


def test_create_update_delete_log_one_json_line_per_decision(cfn_receiver, credentials, logs):
    create = event(cfn_receiver, "Create")
    first = generated_name(create)
    run(cfn_receiver, create)
    change = update(cfn_receiver, first, changed_request(JobDurationInSeconds="3600"))
    second = generated_name(change)
    run(cfn_receiver, change)
    cleanup = delete(cfn_receiver, first)
    run(cfn_receiver, cleanup)
    teardown = delete(cfn_receiver, second)
    run(cfn_receiver, teardown)
    lines = _lines(logs)

    assert _decisions(lines, create["RequestId"]) == [
        ("receive", "received"),
        ("describe", "not-found"),
        ("create", "created"),
        ("respond", "SUCCESS"),
        ("respond", "delivered"),
    ]
    assert _decisions(lines, change["RequestId"]) == [
        ("receive", "received"),
        ("compare", "changed"),
        ("describe", "not-found"),
        ("create", "created"),
        ("respond", "SUCCESS"),
        ("respond", "delivered"),
    ]
    for sent in (cleanup, teardown):
        assert _decisions(lines, sent["RequestId"]) == [
            ("receive", "received"),
            ("describe", "found"),
            ("owner", "ours"),
            ("stop", "stopping"),
            ("stop", "still-stopping"),
            ("respond", "SUCCESS"),
            ("respond", "delivered"),
        ]
    types = {create["RequestId"]: "Create", change["RequestId"]: "Update"}
    jobs = {create["RequestId"]: first, cleanup["RequestId"]: first, teardown["RequestId"]: second}
    for line in lines:
        assert line["logical_resource_id"] == LOGICAL_ID
        assert line["request_type"] == types.get(line["request_id"], "Delete")
        if line["request_id"] in jobs and line["action"] != "receive":
            assert line["job_name"] == line["physical_resource_id"] == jobs[line["request_id"]]
    # The Update is about the old job when it arrives and about the new one once it decided.
    update_lines = [line for line in lines if line["request_id"] == change["RequestId"]]
    assert update_lines[0]["job_name"] == first
    assert {line["job_name"] for line in update_lines[-3:]} == {second}
    # A Delete names its job from the first line on.
    assert all(
        line["job_name"] == first for line in lines if line["request_id"] == cleanup["RequestId"]
    )
    _assert_nothing_secret(
        logs, _forbidden(cfn_receiver, [create, change, cleanup, teardown], credentials)
    )


def test_info_lines_hold_no_request_payload(cfn_receiver, credentials, caplog, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    sent = event(cfn_receiver, "Create")
    run(cfn_receiver, sent)

    text = "\n".join(json.dumps(line) for line in _lines(caplog))
    assert REQUEST["RoleArn"] not in text
    assert "ResourceProperties" not in text
    assert "created" in text
    _assert_nothing_secret(caplog, _forbidden(cfn_receiver, [sent], credentials))


# -- Failure paths ---------------------------------------------------------------------------------


def test_a_timeout_is_logged_about_the_job_it_was_waiting_for(
    fake_sagemaker, cfn_receiver, credentials, logs
):
    fake_sagemaker.inject("DescribeInferenceRecommendationsJob", Fault.hang())
    sent = event(cfn_receiver, "Create")

    run(cfn_receiver, sent, 2.7, reserve_seconds=2.0)  # 0.7 s to work, 2 s to answer

    lines = _lines(logs)
    timed_out = [line for line in lines if line["action"] == "wait"]
    assert [line["outcome"] for line in timed_out] == ["timed-out"]
    assert timed_out[0]["job_name"] == generated_name(sent)
    assert timed_out[0]["request_id"] == sent["RequestId"]
    assert ("respond", "FAILED") in _decisions(lines, sent["RequestId"])
    _assert_nothing_secret(logs, _forbidden(cfn_receiver, [sent], credentials))


def test_failed_puts_are_logged_without_the_url(cfn_receiver, credentials, logs):
    cfn_receiver.fail_next(2, status=500)
    retried = event(cfn_receiver, "Create")
    handler_module.handle(retried, LambdaContext(), put_attempts=2)
    cfn_receiver.fail_next(1, status=403)
    refused = event(cfn_receiver, "Create")
    handler_module.handle(refused, LambdaContext())
    not_http = event(cfn_receiver, "Create")
    not_http["ResponseURL"] = not_http["ResponseURL"].replace("http://", "ftp://", 1)
    handler_module.handle(not_http, LambdaContext())

    lines = _lines(logs)
    assert _decisions(lines, retried["RequestId"])[-3:] == [
        ("respond", "retry"),
        ("respond", "failed"),  # the last attempt: no retry follows
        ("respond", "undelivered"),
    ]
    assert _decisions(lines, refused["RequestId"])[-2:] == [
        ("respond", "rejected"),
        ("respond", "undelivered"),
    ]
    assert _decisions(lines, not_http["RequestId"])[-2:] == [
        ("respond", "invalid-url"),
        ("respond", "undelivered"),
    ]
    sent = [retried, refused, not_http]
    _assert_nothing_secret(logs, _forbidden(cfn_receiver, sent, credentials))


class _Unreadable(Mapping[str, object]):
    """An event that breaks whoever reads it."""

    def __getitem__(self, key: str) -> object:
        raise RuntimeError(f"cannot read {key}")

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@pytest.mark.parametrize(
    "damage",
    [
        "properties-not-an-object",
        "no-request-id",
        "unknown-request-type",
        "no-response-url",
        "not-a-mapping",
        "unreadable",
    ],
)
def test_malformed_events_are_logged_as_json_lines(
    fake_sagemaker, cfn_receiver, credentials, logs, damage
):
    sent: Json = event(cfn_receiver, "Create")
    received: object = sent
    expected = ("parse", "invalid")
    if damage == "properties-not-an-object":
        sent["ResourceProperties"] = "oops"
    elif damage == "no-request-id":
        sent["RequestId"] = ""
    elif damage == "unknown-request-type":
        sent["RequestType"] = "Replace"
    elif damage == "no-response-url":
        del sent["ResponseURL"]
        expected = ("receive", "no-response-url")
    elif damage == "not-a-mapping":
        received = [copy.deepcopy(sent)]
        expected = ("receive", "not-an-object")
    else:
        received = _Unreadable()
        expected = ("handle", "error")

    handler_module.handle(received, LambdaContext())

    lines = _lines(logs)
    assert expected in [(line["action"], line["outcome"]) for line in lines]
    assert fake_sagemaker.calls == []
    _assert_nothing_secret(logs, _forbidden(cfn_receiver, [sent], credentials))


def test_an_error_quoting_secrets_is_scrubbed_from_logs_and_reason(cfn_receiver, credentials, logs):
    sent = event(cfn_receiver, "Create")
    leaky = f"client failed: {credentials[1]} at {sent['ResponseURL']}"

    def broken_factory(_: float) -> Any:
        raise RuntimeError(leaky)

    handler_module.handle(sent, LambdaContext(), client_factory=broken_factory)

    answer = cfn_receiver.response_for(sent["RequestId"])
    assert answer.status == "FAILED"
    assert "RuntimeError: client failed: <redacted> at <redacted>" in answer.reason
    errors = [line for line in _lines(logs) if line["outcome"] == "error"]
    assert [line["action"] for line in errors] == ["work"]
    assert "<redacted>" in errors[0]["traceback"]
    forbidden = _forbidden(cfn_receiver, [sent], credentials)
    _assert_nothing_secret(logs, forbidden)
    for secret in forbidden:
        assert secret not in answer.reason


def test_a_delete_that_finds_no_job_logs_its_second_look(cfn_receiver, credentials, logs):
    sent = delete(cfn_receiver, "never-created-job")
    run(cfn_receiver, sent)

    lines = _lines(logs)
    assert _decisions(lines, sent["RequestId"]) == [
        ("receive", "received"),
        ("describe", "not-found"),
        ("recheck", "not-found"),
        ("respond", "SUCCESS"),
        ("respond", "delivered"),
    ]
    assert {line["job_name"] for line in lines} == {"never-created-job"}
    recheck = next(line for line in lines if line["action"] == "recheck")
    assert recheck["looks"] >= 1
    _assert_nothing_secret(logs, _forbidden(cfn_receiver, [sent], credentials))


def test_a_delete_that_finds_the_job_on_its_second_look_logs_it(
    fake_sagemaker, cfn_receiver, credentials, logs
):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    # As if the job had not been there yet when the Delete first looked.
    fake_sagemaker.inject(
        "DescribeInferenceRecommendationsJob", Fault.validation("Could not find job.")
    )
    sent = delete(cfn_receiver, name)
    run(cfn_receiver, sent)

    lines = [line for line in _lines(logs) if line["request_id"] == sent["RequestId"]]
    assert _decisions(lines, sent["RequestId"]) == [
        ("receive", "received"),
        ("describe", "not-found"),
        ("recheck", "found"),
        ("owner", "ours"),
        ("stop", "stopping"),
        ("stop", "still-stopping"),
        ("respond", "SUCCESS"),
        ("respond", "delivered"),
    ]
    assert {line["job_name"] for line in lines} == {name}
    assert next(line for line in lines if line["action"] == "recheck")["status"] == "PENDING"
    _assert_nothing_secret(logs, _forbidden(cfn_receiver, [sent], credentials))
