"""The waiter's scheduled poll, called directly against the fake SageMaker and moto."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import poll as poll_module
import pytest
from poll import EVENT_DETAIL_TYPE, handle

from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LambdaContext, WaitSignalReceiver

RULE = "poll-rule"


@pytest.fixture
def rule(aws_services: str) -> Any:
    events = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    events.put_rule(Name=RULE, ScheduleExpression="rate(1 minute)", State="ENABLED")
    return events


@pytest.fixture
def queue(aws_services: str, rule: Any) -> str:
    del rule  # the poll rule exists first, as in a deployed stack
    return capture_completion_events(aws_services)


def start_job(name: str = "poll-job") -> str:
    boto3.client("sagemaker").create_inference_recommendations_job(
        JobName=name,
        JobType="Default",
        RoleArn="arn:aws:iam::123456789012:role/job",
        InputConfig={
            "ModelPackageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"
        },
    )
    return name


def poll(job: str, signal_url: str, **timing: Any) -> None:
    event = {"JobName": job, "SignalUrl": signal_url, "RuleName": RULE, "StackId": "stack"}
    handle(event, LambdaContext(60, "waiter"), **timing)


def state(rule: Any) -> str:
    return str(rule.describe_rule(Name=RULE)["State"])


def test_a_running_job_is_only_logged(
    fake_sagemaker, wait_signals: WaitSignalReceiver, rule, caplog: pytest.LogCaptureFixture
):
    job = start_job()
    fake_sagemaker.advance(120)
    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        poll(job, wait_signals.url("h1"))

    (line,) = [json.loads(r.getMessage()) for r in caplog.records]
    assert line["action"] == "poll"
    assert line["outcome"] == "IN_PROGRESS"
    assert line["steps"] == {"IN_PROGRESS": 3}
    assert wait_signals.signals == {}
    assert state(rule) == "ENABLED"


def test_a_finished_job_is_signalled_announced_once_and_polling_stops(
    fake_sagemaker, wait_signals, rule, queue, aws_services
):
    job = start_job()
    fake_sagemaker.advance(3000)
    poll(job, wait_signals.url("h2"))
    poll(job, wait_signals.url("h2"))  # a late second invocation does nothing

    (signal,) = wait_signals.signals["h2"]
    assert signal["Status"] == "SUCCESS"
    assert signal["UniqueId"] == job
    assert state(rule) == "DISABLED"
    (event,) = captured_events(aws_services, queue)
    assert event["detail-type"] == EVENT_DETAIL_TYPE
    assert event["detail"]["status"] == "COMPLETED"
    assert event["detail"]["recommendationCount"] == 3


@pytest.mark.usefixtures("rule")
def test_a_stopped_job_fails_the_wait(fake_sagemaker, wait_signals, queue, aws_services):
    job = start_job()
    boto3.client("sagemaker").stop_inference_recommendations_job(JobName=job)
    fake_sagemaker.advance(60)
    poll(job, wait_signals.url("h3"))

    (signal,) = wait_signals.signals["h3"]
    assert signal["Status"] == "FAILURE"
    assert signal["Reason"].startswith(f"job {job} ended STOPPED")
    (event,) = captured_events(aws_services, queue)
    assert event["detail"]["status"] == "STOPPED"


def test_an_undelivered_signal_keeps_polling(fake_sagemaker, rule, queue, aws_services):
    job = start_job()
    fake_sagemaker.advance(3000)
    now = [0.0]

    def sleep(seconds: float) -> None:  # the signal's retries pass on a fake clock
        now[0] += seconds

    url = "http://127.0.0.1:9/waitcondition/nowhere?X-Amz-Signature=x"
    poll(job, url, clock=lambda: now[0], sleep=sleep)

    assert state(rule) == "ENABLED", "the next poll retries the signal"
    assert captured_events(aws_services, queue) == []


@pytest.mark.usefixtures("fake_sagemaker", "rule")
def test_a_job_sagemaker_does_not_know_fails_the_wait_without_an_event(
    wait_signals, queue, aws_services
):
    poll("never-created", wait_signals.url("h4"))

    (signal,) = wait_signals.signals["h4"]
    assert signal["Status"] == "FAILURE"
    assert "SageMaker has no job of that name" in signal["Reason"]
    assert captured_events(aws_services, queue) == []


def test_a_bad_event_is_logged_not_raised(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        handle({"JobName": "x"}, LambdaContext(60, "waiter"))
    assert "the poll event has no SignalUrl" in caplog.text


@pytest.mark.usefixtures("rule")
def test_logs_never_show_the_signal_url(
    fake_sagemaker, wait_signals, caplog: pytest.LogCaptureFixture
):
    job = start_job()
    fake_sagemaker.advance(3000)
    with caplog.at_level(logging.DEBUG):
        poll(job, wait_signals.url("h5"))
    assert "SIGNAL-SECRET" not in caplog.text
    assert wait_signals.signals["h5"]


@pytest.mark.usefixtures("rule")
def test_a_failed_publication_is_retried_by_the_next_poll(
    fake_sagemaker, wait_signals, queue, aws_services, monkeypatch
):
    job = start_job()
    fake_sagemaker.advance(3000)
    real_publish = poll_module._publish
    monkeypatch.setattr(poll_module, "_publish", lambda *_: False)
    poll(job, wait_signals.url("h6"))
    assert captured_events(aws_services, queue) == []

    monkeypatch.setattr(poll_module, "_publish", real_publish)
    poll(job, wait_signals.url("h6"))
    (event,) = captured_events(aws_services, queue)
    assert event["detail"]["jobName"] == job
    assert len(wait_signals.signals["h6"]) == 2  # signalled again: harmless, same UniqueId


def test_a_job_already_announced_is_not_announced_again(
    fake_sagemaker, wait_signals, rule, queue, aws_services
):
    job = start_job()
    fake_sagemaker.advance(3000)
    poll(job, wait_signals.url("first-wait"))
    rule.enable_rule(Name=RULE)  # a later wait for the same job (e.g. a new handle)
    poll(job, wait_signals.url("second-wait"))

    assert wait_signals.signals["second-wait"][0]["Status"] == "SUCCESS"
    assert len(captured_events(aws_services, queue)) == 1
