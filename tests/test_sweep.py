"""The stack's shared poll (``lambda/sweep.py``) against fake SageMaker, moto and a stack API."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from sweep import METADATA_KEY, handle

from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LambdaContext, WaitSignalReceiver
from tests.harness.resolve import STACK_ID
from tests.harness.stack_api import StackApi, StackResource
from tests.test_poll import start_job

RULE = "stack-poll-1m"
DESCRIBE = "DescribeInferenceRecommendationsJob"
WAIT_CONDITION = "AWS::CloudFormation::WaitCondition"


class Stack:
    """The resources the stack API reports; tests set them."""

    def __init__(self) -> None:
        self.resources: list[StackResource] = []
        self.calls: list[str] = []  # the stack API's, by action

    def waiting(self, condition: str, job: str, signal_url: str) -> None:
        metadata = {
            METADATA_KEY: {"JobName": job, "SignalUrl": signal_url, "LogicalResourceId": "Job"}
        }
        self.resources.append(
            StackResource(condition, condition, WAIT_CONDITION, "CREATE_IN_PROGRESS", metadata)
        )

    def complete(self, condition: str) -> None:
        self.resources.append(
            StackResource(condition, condition, WAIT_CONDITION, "CREATE_COMPLETE")
        )


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    described = Stack()
    with StackApi(lambda: list(described.resources)) as api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", api.url)
        described.calls = api.calls
        yield described


@pytest.fixture
def rule(aws_services: str) -> Any:
    events = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    events.put_rule(Name=RULE, ScheduleExpression="rate(1 minute)", State="ENABLED")
    return events


def sweep(*conditions: str) -> None:
    event = {"StackId": STACK_ID, "RuleName": RULE, "Conditions": list(conditions)}
    handle(event, LambdaContext(60, "waiter"))


def state(rule: Any) -> str:
    return str(rule.describe_rule(Name=RULE)["State"])


def test_a_waited_on_job_that_ended_is_signalled_and_announced(
    fake_sagemaker, wait_signals: WaitSignalReceiver, stack: Stack, rule, aws_services
):
    queue = capture_completion_events(aws_services)
    done = start_job("done-job")
    fake_sagemaker.advance(3000)
    running = start_job("running-job")  # started later: still running
    stack.waiting("DoneCondition", done, wait_signals.url("done"))
    stack.waiting("RunningCondition", running, wait_signals.url("running"))

    sweep("DoneCondition", "RunningCondition")

    (signal,) = wait_signals.signals["done"]
    assert (signal["Status"], signal["UniqueId"]) == ("SUCCESS", done)
    assert "running" not in wait_signals.signals
    (event,) = captured_events(aws_services, queue)
    assert event["detail"]["jobName"] == done
    assert state(rule) == "ENABLED"  # a condition still waits


@pytest.mark.usefixtures("rule")
def test_a_waiting_conditions_metadata_is_read_once_while_it_waits(
    fake_sagemaker, wait_signals: WaitSignalReceiver, stack: Stack
):
    stack.waiting("Condition", start_job("long-job"), wait_signals.url("long"))

    for _ in range(3):  # three minutes of polls in one execution environment
        sweep("Condition")

    assert stack.calls.count("ListStackResources") == 3
    assert stack.calls.count("DescribeStackResource") == 1
    assert fake_sagemaker.operations().count(DESCRIBE) == 3  # the job itself is polled each time


@pytest.mark.usefixtures("rule")
def test_a_condition_created_again_is_read_again(
    fake_sagemaker, wait_signals: WaitSignalReceiver, stack: Stack
):
    # After a rollback, a later deployment creates the condition again (same logical id), for
    # another job: CloudFormation gives its status a new LastUpdatedTimestamp.
    stack.waiting("Condition", start_job("first-job"), wait_signals.url("first"))
    sweep("Condition")
    stack.resources.clear()
    fake_sagemaker.advance(3000)  # both jobs ended by the next poll
    stack.waiting("Condition", start_job("second-job"), wait_signals.url("second"))
    fake_sagemaker.advance(3000)

    sweep("Condition")

    assert stack.calls.count("DescribeStackResource") == 2
    (signal,) = wait_signals.signals["second"]
    assert signal["UniqueId"] == "second-job"
    assert "first" not in wait_signals.signals


def test_the_rule_stops_once_no_listed_condition_waits_or_is_to_come(
    fake_sagemaker, stack: Stack, rule
):
    stack.complete("FirstCondition")
    stack.complete("SecondCondition")

    sweep("FirstCondition", "SecondCondition")

    assert state(rule) == "DISABLED"
    assert DESCRIBE not in fake_sagemaker.operations()  # ended waits cost SageMaker nothing


def test_a_condition_not_created_yet_keeps_the_rule_going(fake_sagemaker, stack: Stack, rule):
    # A paced job's condition, or one whose job resource CloudFormation still creates.
    stack.complete("FirstCondition")

    sweep("FirstCondition", "NextCondition")

    assert state(rule) == "ENABLED"
    assert DESCRIBE not in fake_sagemaker.operations()


@pytest.mark.usefixtures("fake_sagemaker")
def test_a_condition_without_wait_metadata_is_logged_and_kept(
    stack: Stack, rule, caplog: pytest.LogCaptureFixture
):
    stack.resources.append(
        StackResource("Odd", "Odd", WAIT_CONDITION, "CREATE_IN_PROGRESS", {"other": 1})
    )
    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        sweep("Odd")

    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(line["action"], line["outcome"]) for line in lines] == [
        ("sweep", "unreadable"),
        ("sweep", "polled"),
    ]
    assert state(rule) == "ENABLED"


@pytest.mark.parametrize(
    ("event", "error"),
    [
        ({"RuleName": RULE, "Conditions": []}, "no StackId"),
        ({"StackId": STACK_ID, "Conditions": []}, "no RuleName"),
        ({"StackId": STACK_ID, "RuleName": RULE, "Conditions": [1]}, "not a list of logical ids"),
    ],
)
@pytest.mark.usefixtures("stack")
def test_an_invalid_event_is_logged_and_touches_nothing(
    event, error, fake_sagemaker, rule, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        handle(event, LambdaContext(60, "waiter"))

    (line,) = [json.loads(r.getMessage()) for r in caplog.records]
    assert (line["action"], line["outcome"]) == ("sweep", "invalid-event")
    assert error in line["error"]
    assert state(rule) == "ENABLED"
    assert fake_sagemaker.operations() == []
