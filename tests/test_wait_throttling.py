"""The waiter throttled: back off with jitter within the invocation, lose nothing, repeat nothing.

A stack of 50 waiting jobs polls at once against APIs that allow a few calls a second. The poll
is called directly against the fake SageMaker (which throttles on demand) and moto; EventBridge
throttling is injected into the client. Pauses go to a fake clock: no test sleeps.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import boto3
import poll
import pytest
import results
from aws import Clients, Pacing, boto3_clients
from botocore.exceptions import ClientError

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LambdaContext, WaitSignalReceiver

RULE = "throttled-poll-rule"
Announced = Callable[[], list[dict[str, Any]]]
DESCRIBE = "DescribeInferenceRecommendationsJob"


class FakeClock:
    """Monotonic time that moves only when the code under test pauses."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


class Throttled:
    """A boto3 client whose operations in ``left`` answer ``ThrottlingException`` so many times."""

    def __init__(self, client: Any, left: dict[str, int]) -> None:
        self._client = client
        self._left = left

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in self._left:
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._left[name] > 0:
                self._left[name] -= 1
                raise ClientError(
                    {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, name
                )
            return method(*args, **kwargs)

        return call


class ThrottledEvents:
    """Builds the waiter's clients with an EventBridge client that throttles (moto cannot)."""

    def __init__(self, **times: int) -> None:
        self.left = dict(times)

    def clients(self, read_timeout: float, pacing: Pacing) -> Clients:
        real = boto3_clients(read_timeout)
        return dataclasses.replace(real, events=Throttled(real.events, self.left)).paced(pacing)


@pytest.fixture
def rule(aws_services: str) -> Any:
    events = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    events.put_rule(Name=RULE, ScheduleExpression="rate(1 minute)", State="ENABLED")
    return events


@pytest.fixture
def announced(aws_services: str, rule: Any) -> Announced:
    """The completion events published since the last call."""
    del rule  # the poll rule exists first, as in a deployed stack
    queue = capture_completion_events(aws_services)
    return lambda: captured_events(aws_services, queue)


@pytest.fixture
def finished_job(fake_sagemaker: FakeSageMaker) -> str:
    name = "throttled-job"
    boto3.client("sagemaker").create_inference_recommendations_job(
        JobName=name,
        JobType="Default",
        RoleArn="arn:aws:iam::123456789012:role/job",
        InputConfig={
            "ModelPackageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"
        },
    )
    fake_sagemaker.advance(3000)
    return name


def run_poll(
    job: str,
    signal_url: str,
    clock: FakeClock,
    *,
    jitter: float = 0.5,
    seconds: float = 60,
    **kwargs: Any,
) -> None:
    event = {"JobName": job, "SignalUrl": signal_url, "RuleName": RULE, "StackId": "stack"}
    poll.handle(
        event,
        LambdaContext(seconds, "waiter"),
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: jitter,
        **kwargs,
    )


def rule_state(rule: Any) -> str:
    return str(rule.describe_rule(Name=RULE)["State"])


def test_throttled_calls_back_off_with_jitter_and_the_job_is_announced_once(
    fake_sagemaker: FakeSageMaker,
    wait_signals: WaitSignalReceiver,
    rule: Any,
    announced: Announced,
    finished_job: str,
):
    # More throttling than botocore's standard mode rides out (3 retries), well within a minute.
    fake_sagemaker.inject(DESCRIBE, Fault.throttling(), times=6)
    fake_sagemaker.inject("ListTags", Fault.throttling(), times=2)
    fake_sagemaker.inject("AddTags", Fault.throttling(), times=1)
    clock = FakeClock()

    run_poll(finished_job, wait_signals.url("t1"), clock)

    # Each call's pauses: half (the jitter) of a cap that doubles from 1 s, up to 20 s.
    assert clock.pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 0.5, 1.0, 0.5]
    (signal,) = wait_signals.signals["t1"]
    assert signal["Status"] == "SUCCESS"
    assert len(announced()) == 1
    assert rule_state(rule) == "DISABLED"


def test_pauses_are_random_capped_and_bounded():
    draws = iter([0.9, 0.1, 0.7] + [1.0] * 7)
    clock = FakeClock()
    pacing = Pacing(deadline=1000, clock=clock, sleep=clock.sleep, jitter=lambda: next(draws))

    assert [pacing.pause(attempt, "throttled") for attempt in range(10)] == [True] * 9 + [False]
    assert clock.pauses == [0.9, 0.2, 2.8, 8.0, 16.0, 20.0, 20.0, 20.0, 20.0]
    # Other transient errors (5xx, connection) start from 50 ms.
    assert Pacing(deadline=1, clock=lambda: 0, sleep=clock.sleep, jitter=lambda: 1.0).pause(
        0, "transient"
    )
    assert clock.pauses[-1] == 0.05


def test_a_poll_throttled_past_its_budget_gives_up_in_time_and_the_next_poll_signals(
    fake_sagemaker: FakeSageMaker,
    wait_signals: WaitSignalReceiver,
    rule: Any,
    announced: Announced,
    finished_job: str,
):
    fake_sagemaker.inject(DESCRIBE, Fault.throttling(), times=8)
    clock = FakeClock()

    run_poll(finished_job, wait_signals.url("t2"), clock, jitter=1.0, seconds=30)

    assert clock.now <= 28, "it gave up before the invocation's end"
    assert clock.pauses == [1.0, 2.0, 4.0, 8.0]  # the next, 16 s, would end past it
    assert "t2" not in wait_signals.signals
    assert rule_state(rule) == "ENABLED", "the next poll tries again"

    run_poll(finished_job, wait_signals.url("t2"), FakeClock(), jitter=0.01)

    assert [s["Status"] for s in wait_signals.signals["t2"]] == ["SUCCESS"]
    assert len(announced()) == 1
    assert rule_state(rule) == "DISABLED"


def test_a_tag_that_cannot_be_added_still_ends_the_polling_after_one_event(
    fake_sagemaker: FakeSageMaker,
    wait_signals: WaitSignalReceiver,
    rule: Any,
    announced: Announced,
    finished_job: str,
):
    fake_sagemaker.inject("AddTags", Fault.throttling(), times=1000)

    run_poll(finished_job, wait_signals.url("t3"), FakeClock(), jitter=0.01)
    run_poll(finished_job, wait_signals.url("t3"), FakeClock(), jitter=0.01)

    assert len(wait_signals.signals["t3"]) == 1
    assert len(announced()) == 1
    assert rule_state(rule) == "DISABLED"


def test_throttled_event_calls_are_retried_without_a_second_event(
    wait_signals: WaitSignalReceiver, rule: Any, announced: Announced, finished_job: str
):
    events = ThrottledEvents(put_events=2, describe_rule=1, disable_rule=2)
    clock = FakeClock()

    run_poll(finished_job, wait_signals.url("t4"), clock, clients=events.clients)

    assert clock.pauses == [0.5, 0.5, 1.0, 0.5, 1.0]
    assert len(announced()) == 1
    assert rule_state(rule) == "DISABLED"


def test_a_rule_that_cannot_be_disabled_is_disabled_by_the_next_poll_without_a_second_event(
    wait_signals: WaitSignalReceiver, rule: Any, announced: Announced, finished_job: str
):
    events = ThrottledEvents(disable_rule=1000)
    clock = FakeClock()

    run_poll(finished_job, wait_signals.url("t5"), clock, clients=events.clients)
    assert rule_state(rule) == "ENABLED"
    events.left["disable_rule"] = 0
    run_poll(finished_job, wait_signals.url("t5"), clock, clients=events.clients)

    assert len(announced()) == 1
    assert rule_state(rule) == "DISABLED"
    assert len(wait_signals.signals["t5"]) == 2  # signalled again: harmless, same UniqueId


def test_a_throttled_results_describe_is_retried(
    fake_sagemaker: FakeSageMaker,
    cfn_receiver: CfnResponseReceiver,
    aws_services: str,
    finished_job: str,
):
    boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1").create_bucket(
        Bucket="results"
    )
    fake_sagemaker.inject(DESCRIBE, Fault.throttling(), times=3)
    pauses: list[float] = []
    event = {
        "RequestType": "Create",
        "ResponseURL": cfn_receiver.url("r1"),
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/S/1",
        "RequestId": "r1",
        "LogicalResourceId": "Results",
        "ResourceType": "Custom::InferenceRecommendationsResults",
        "ResourceProperties": {"ServiceToken": "x", "JobName": finished_job, "Bucket": "results"},
    }

    results.handle(event, LambdaContext(60, "waiter"), sleep=pauses.append, jitter=lambda: 0.5)

    answer = cfn_receiver.response_for("r1")
    assert answer.status == "SUCCESS", json.dumps(answer.body)
    assert pauses == [0.5, 1.0, 2.0]
