"""The CloudFormation answer: bounded body, bounded retries, nothing signed in the logs."""

from __future__ import annotations

import email.message
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from cfn_response import MAX_BODY_BYTES, CfnResponse, encode, send
from log import DecisionLog, redacted, secrets_of

URL = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=s3cr3t"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f6f0f6e"


def _response(reason: str = "", **changes: Any) -> CfnResponse:
    fields = {
        "status": "FAILED",
        "reason": reason,
        "physical_resource_id": "app-1234-job-0123456789ab",
        "stack_id": STACK,
        "request_id": "4fe4ba1e-4d84-4c6b-8f3f-0d7c1c3b0d55",
        "logical_resource_id": "JobResource",
        "data": {"JobArn": "arn:aws:sagemaker:us-east-1:123456789012:x/y", "JobName": "y"},
    } | changes
    return CfnResponse(**fields)


def _log() -> DecisionLog:
    return DecisionLog(
        request_type="Create",
        request_id="r",
        logical_resource_id="JobResource",
        physical_resource_id="",
        secrets=secrets_of(URL),
    )


def test_body_has_every_field_cloudformation_needs():
    body = json.loads(encode(_response("because")))
    assert body == {
        "Status": "FAILED",
        "Reason": "because",
        "PhysicalResourceId": "app-1234-job-0123456789ab",
        "StackId": STACK,
        "RequestId": "4fe4ba1e-4d84-4c6b-8f3f-0d7c1c3b0d55",
        "LogicalResourceId": "JobResource",
        "NoEcho": False,
        "Data": {"JobArn": "arn:aws:sagemaker:us-east-1:123456789012:x/y", "JobName": "y"},
    }


@pytest.mark.parametrize("unit", ["x", "é", "\u2028", '"', "\\", "\U0001f600", "\x00"])
def test_huge_reason_is_truncated_and_marked_below_4096_bytes(unit):
    response = _response("start " + unit * 100_000)
    body = encode(response)
    assert len(body) < MAX_BODY_BYTES
    document = json.loads(body)
    assert document["Reason"].startswith("start ")
    assert document["Reason"].endswith("[... truncated]")
    assert document["PhysicalResourceId"] == response.physical_resource_id
    assert document["Data"] == dict(response.data)


def test_short_reason_is_kept_whole():
    assert json.loads(encode(_response("x" * 3000)))["Reason"] == "x" * 3000


def test_garbled_huge_event_fields_still_fit():
    big = "z" * 10_000
    body = encode(_response(big, stack_id=big, request_id=big, logical_resource_id=big))
    assert len(body) < MAX_BODY_BYTES


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Calls = list[tuple[urllib.request.Request, float]]


def _opener(answers: list[Any]) -> tuple[Callable[[urllib.request.Request, float], int], Calls]:
    calls: Calls = []

    def opener(request: urllib.request.Request, timeout: float) -> int:
        calls.append((request, timeout))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)

    return opener, calls


def _http_error(code: int) -> urllib.error.HTTPError:
    return urllib.error.HTTPError("http://x", code, "no", email.message.Message(), None)


def test_put_sends_the_body_with_an_empty_content_type():
    opener, calls = _opener([200])
    clock = _Clock()
    delivery = send(URL, b"{}", deadline=130, log=_log(), opener=opener, clock=clock)
    assert delivery.delivered
    request, timeout = calls[0]
    assert request.get_method() == "PUT"
    assert request.get_header("Content-type") == ""
    assert request.data == b"{}"
    assert timeout == 10.0


def test_put_is_retried_after_connection_errors_and_server_errors():
    opener, _ = _opener([urllib.error.URLError("refused"), _http_error(503), 200])
    clock = _Clock()
    delivery = send(
        URL, b"{}", deadline=130, log=_log(), opener=opener, clock=clock, sleep=clock.sleep
    )
    assert delivery.delivered
    assert delivery.attempts == 3
    assert len(clock.sleeps) == 2
    assert clock.sleeps[1] > clock.sleeps[0] / 2  # doubling, jittered


def test_put_gives_up_after_the_attempts():
    opener, calls = _opener([TimeoutError("slow")] * 5)
    clock = _Clock()
    delivery = send(
        URL, b"{}", deadline=1000, log=_log(), opener=opener, clock=clock, sleep=clock.sleep
    )
    assert not delivery.delivered
    assert len(calls) == 5


def test_put_is_not_retried_when_refused_with_4xx():
    opener, calls = _opener([_http_error(403)])
    clock = _Clock()
    delivery = send(URL, b"{}", deadline=130, log=_log(), opener=opener, clock=clock)
    assert not delivery.delivered
    assert delivery.detail == "HTTP 403"
    assert len(calls) == 1


def test_put_never_waits_past_the_deadline():
    opener, calls = _opener([urllib.error.URLError("down")] * 5)
    clock = _Clock()
    delivery = send(
        URL, b"{}", deadline=100.1, log=_log(), opener=opener, clock=clock, sleep=clock.sleep
    )
    assert not delivery.delivered
    assert clock.now <= 100.1
    assert len(calls) == 1


def test_put_is_tried_once_even_when_the_deadline_has_passed():
    opener, calls = _opener([urllib.error.URLError("down"), 200])
    clock = _Clock()
    delivery = send(
        URL, b"{}", deadline=99.0, log=_log(), opener=opener, clock=clock, sleep=clock.sleep
    )
    assert not delivery.delivered
    assert len(calls) == 1
    assert calls[0][1] == 0.5
    assert clock.sleeps == []


def test_put_refuses_urls_that_are_not_http():
    opener, calls = _opener([200])
    delivery = send("file:///etc/passwd", b"{}", deadline=130, log=_log(), opener=opener)
    assert not delivery.delivered
    assert calls == []


def test_errors_of_the_put_are_logged_without_the_signed_url(caplog):
    caplog.set_level(logging.DEBUG)
    opener, _ = _opener([urllib.error.URLError(f"cannot reach {URL}"), 200])
    clock = _Clock()
    send(URL, b"{}", deadline=130, log=_log(), opener=opener, clock=clock, sleep=clock.sleep)
    assert "retry" in caplog.text
    assert "s3cr3t" not in caplog.text


def test_redacted_event_hides_the_response_url():
    event = {"RequestType": "Create", "ResponseURL": URL}
    assert redacted(event) == {"RequestType": "Create", "ResponseURL": "<redacted>"}
    assert event["ResponseURL"] == URL


def test_decision_lines_are_json_with_the_agreed_keys(caplog):
    caplog.set_level(logging.INFO)
    _log().bind(physical_resource_id="p", job_name="j").decision("create", "created")
    line = json.loads(caplog.records[-1].getMessage())
    assert line == {
        "request_type": "Create",
        "request_id": "r",
        "logical_resource_id": "JobResource",
        "physical_resource_id": "p",
        "job_name": "j",
        "action": "create",
        "outcome": "created",
    }


def test_scrub_removes_the_url_its_query_and_each_signature_alone():
    url = f"{URL}&X-Amz-Security-Token=tok%2Fen&X-Amz-Credential=AKIA%2F20261127"
    log = DecisionLog(
        request_type="Create",
        request_id="r",
        logical_resource_id="L",
        physical_resource_id="",
        secrets=secrets_of(url),
    )
    text = log.scrub(f"a {url} b s3cr3t c tok/en d tok%2Fen e AKIA/20261127")
    for secret in ("s3cr3t", "tok/en", "tok%2Fen", "AKIA", "amazonaws"):
        assert secret not in text
