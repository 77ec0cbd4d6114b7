"""Throttling and IAM propagation: the handler spends its budget on backoff, not a fixed count.

The pauses run on a virtual clock (for 50 concurrent Creates, one the 50 handlers share with
botocore's own pauses and the fake's rate limit) so that no test waits in real time for a backoff.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import boto3
import botocore.endpoint
import handler as handler_module
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from backoff import Backoff
from botocore.config import Config
from jobs import IAM_PROPAGATION_SECONDS, SageMakerError, default_client, retry_reason

from infrec_cdk import InferenceRecommendationsJob, ModelSource
from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.fakes.clock import BotocoreTime, InstantPauses, SharedVirtualTime
from tests.fakes.sagemaker import ApiError, Fault
from tests.handler_events import (
    REQUEST,
    LambdaContext,
    VirtualTime,
    delete,
    event,
    generated_name,
)
from tests.harness.deploy import LocalCloudFormation

CREATE = "CreateInferenceRecommendationsJob"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
DESCRIBE = "DescribeInferenceRecommendationsJob"
STOP = "StopInferenceRecommendationsJob"
PASS_ROLE_DENIED = ApiError(
    "AccessDeniedException",
    "User: arn:aws:sts::123456789012:assumed-role/app-Handler/app-Handler is not authorized to "
    "perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app-JobRole-1ABCDEF",
)
NOT_ASSUMABLE = ApiError.validation(
    "Could not assume role arn:aws:iam::123456789012:role/app-JobRole-1ABCDEF. Please ensure "
    "that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."
)


_CLIENTS = threading.Lock()


def locked_client(read_timeout: float) -> Any:
    """boto3's default session is not thread-safe (each Lambda invocation is its own process)."""
    with _CLIENTS:
        return default_client(read_timeout)


def single_attempt_client(read_timeout: float) -> Any:
    """A client without botocore's own retries, whose pauses are real time: only the handler's
    backoff, on the test's clock, tries again."""
    config = Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout)
    with _CLIENTS:
        return boto3.client("sagemaker", config=config)


@pytest.fixture
def fifty_handlers_time(
    monkeypatch: pytest.MonkeyPatch, botocore_pauses: InstantPauses
) -> Iterator[SharedVirtualTime]:
    """One virtual clock for 50 concurrent handlers, their botocore pauses included.

    Other threads' botocore pauses (none expected) pass at once, as in every fake SageMaker test.
    """
    with SharedVirtualTime(parties=50) as shared:
        monkeypatch.setattr(botocore.endpoint, "time", BotocoreTime(shared, botocore_pauses))
        yield shared


def run_with(
    receiver: CfnResponseReceiver,
    sent: dict[str, Any],
    time_: VirtualTime | SharedVirtualTime,
    client_factory: Any = locked_client,
) -> ReceivedResponse:
    handler_module.handle(
        sent,
        LambdaContext(120),
        client_factory=client_factory,
        delete_recheck_seconds=0.2,
        retry_clock=time_.clock,
        retry_sleep=time_.sleep,
    )
    return receiver.response_for(sent["RequestId"])


# --- the backoff --------------------------------------------------------------------------------


def test_pauses_grow_exponentially_up_to_the_cap_with_full_jitter():
    backoff = Backoff.within(1000, clock=lambda: 0.0, jitter=lambda: 1.0)
    assert [backoff.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    jittered = Backoff.within(1000, clock=lambda: 0.0, jitter=lambda: 0.25)
    assert jittered.delay(3) == 2.0


def test_no_pause_is_taken_that_would_end_past_the_budget():
    virtual = VirtualTime()
    backoff = Backoff.within(10, clock=virtual.clock, sleep=virtual.sleep, jitter=lambda: 1.0)
    taken = [backoff.pause(n) for n in range(5)]
    assert taken == [1.0, 2.0, 4.0, None, None]  # 7 s slept; 8 more would end at 15 > 10
    assert virtual.now == 7.0


@pytest.mark.parametrize(
    ("code", "message", "elapsed", "reason"),
    [
        ("ThrottlingException", "Rate exceeded", 0.0, "throttled"),
        ("ThrottlingException", "Rate exceeded", 500.0, "throttled"),
        ("AccessDeniedException", PASS_ROLE_DENIED.message, 5.0, "iam-propagation"),
        ("ValidationException", NOT_ASSUMABLE.message, 5.0, "iam-propagation"),
        ("ValidationException", "Role cannot be assumed by SageMaker", 5.0, "iam-propagation"),
        ("AccessDeniedException", PASS_ROLE_DENIED.message, IAM_PROPAGATION_SECONDS, None),
        ("ValidationException", "Value 'x' at 'jobName' failed to satisfy constraint", 5.0, None),
        ("ResourceLimitExceeded", "You have exceeded a limit", 5.0, None),
        ("InternalFailure", "We encountered an internal error.", 5.0, None),  # botocore's own
    ],
)
def test_what_is_tried_again(code, message, elapsed, reason):
    assert retry_reason(SageMakerError(CREATE, code, message), elapsed) == reason


# --- through the handler, against the fake ------------------------------------------------------


@pytest.mark.parametrize("refusal", [PASS_ROLE_DENIED, NOT_ASSUMABLE], ids=["pass-role", "assume"])
def test_a_create_refused_while_iam_propagates_is_tried_again(
    fake_sagemaker, cfn_receiver, refusal
):
    fake_sagemaker.inject(CREATE, Fault("error", refusal), times=3)
    sent = event(cfn_receiver, "Create")
    virtual = VirtualTime()

    answer = run_with(cfn_receiver, sent, virtual)

    assert answer.status == "SUCCESS", answer.reason
    assert fake_sagemaker.operations().count(CREATE) == 4
    assert list(fake_sagemaker.jobs) == [generated_name(sent)]
    assert len(virtual.pauses) == 3


def test_a_denial_that_outlasts_iam_propagation_fails_naming_it(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(CREATE, Fault("error", PASS_ROLE_DENIED), times=1000)
    sent = event(cfn_receiver, "Create")
    virtual = VirtualTime()

    answer = run_with(cfn_receiver, sent, virtual)

    assert answer.status == "FAILED"
    assert "AccessDeniedException" in answer.reason
    assert "lacks this permission" in answer.reason
    assert IAM_PROPAGATION_SECONDS <= virtual.now < IAM_PROPAGATION_SECONDS + 20
    assert fake_sagemaker.jobs == {}


def test_throttling_is_retried_for_as_long_as_the_budget_allows(fake_sagemaker, cfn_receiver):
    # 11 throttled answers in a row: more than botocore's 5 attempts; even the longest pauses
    # (1 + 2 + 4 + 8 + 10 x 7 = 85 s) fit the 95 s the handler may spend on them.
    fake_sagemaker.inject(CREATE, Fault.throttling(), times=11)
    sent = event(cfn_receiver, "Create")

    answer = run_with(cfn_receiver, sent, VirtualTime(), single_attempt_client)

    assert answer.status == "SUCCESS", answer.reason
    assert list(fake_sagemaker.jobs) == [generated_name(sent)]


def test_throttling_past_the_budget_fails_with_time_left_to_answer(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(DESCRIBE, Fault.throttling(), times=10_000)
    sent = event(cfn_receiver, "Create")
    virtual = VirtualTime()

    answer = run_with(cfn_receiver, sent, virtual, single_attempt_client)

    assert answer.status == "FAILED"
    assert "ThrottlingException" in answer.reason
    assert "deploy again later" in answer.reason
    assert virtual.now < 110  # the budget of a 120 s invocation, less the reserved answer time
    assert CREATE not in fake_sagemaker.operations()


def test_a_throttled_stop_is_tried_again(fake_sagemaker, cfn_receiver):
    sent = event(cfn_receiver, "Create")
    name = run_with(cfn_receiver, sent, VirtualTime()).body["PhysicalResourceId"]
    fake_sagemaker.inject(STOP, Fault.throttling(), times=12)

    answer = run_with(
        cfn_receiver, delete(cfn_receiver, name), VirtualTime(), single_attempt_client
    )

    assert answer.status == "SUCCESS", answer.reason
    assert fake_sagemaker.running_jobs() == []


def test_fifty_creates_at_once_under_a_rate_limit_start_fifty_jobs_once_each(
    fake_sagemaker, cfn_receiver, fifty_handlers_time
):
    # SageMaker-like limits: 2 calls a second per operation, 5 at once, and 50 handlers that all
    # start at the same moment, as CloudFormation starts them. The limit, the handlers' pauses
    # and botocore's share a virtual clock that moves only while all 50 handlers pause.
    shared = fifty_handlers_time
    limit = fake_sagemaker.limit_rate(2.0, 5, clock=shared.clock)
    sent = [
        event(cfn_receiver, "Create", request=copy.deepcopy(REQUEST), LogicalResourceId=f"Job{n}")
        for n in range(50)
    ]
    clients = [locked_client(60.0) for _ in sent]  # made beforehand: boto3's session is shared
    start = threading.Barrier(len(sent))

    def invoke(one: dict[str, Any]) -> None:
        client = clients.pop()

        def joined_client(_timeout: float) -> Any:
            shared.join()  # the handler's work thread takes part in the shared time
            return client

        start.wait()
        run_with(cfn_receiver, one, shared, joined_client)

    threads = [threading.Thread(target=invoke, args=(one,)) for one in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    answers = [cfn_receiver.response_for(one["RequestId"]) for one in sent]
    assert [a.reason for a in answers if a.status != "SUCCESS"] == []
    names = {str(a.body["PhysicalResourceId"]) for a in answers}
    assert names == set(fake_sagemaker.jobs)  # 50 jobs, one per resource: no duplicate
    assert len(names) == 50
    assert limit.throttled[DESCRIBE] > 0  # the limit did bite


def fifty_job_template() -> dict[str, Any]:
    """A stack of 50 jobs (sharing a role, key and bucket, as a platform team's would)."""
    stack = cdk.Stack(cdk.App(), "TestStack")
    role = iam.Role.from_role_arn(
        stack, "Role", "arn:aws:iam::123456789012:role/shared", mutable=False
    )
    key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234"
    )
    bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "shared-outputs")
    for index in range(50):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(PACKAGE),
            role=role,
            encryption_key=key,
            output_bucket=bucket,
        )
    return dict(Template.from_stack(stack).to_json())


def test_a_fifty_job_stack_deploys_through_the_harness_under_a_rate_limit(
    fake_sagemaker, cfn_receiver, fifty_handlers_time
):
    # CloudFormation creates the 50 job resources at once (parallel=True); SageMaker allows 2
    # calls a second per operation, 5 at once. The limit, the handlers' pauses and botocore's
    # share a virtual clock that moves only while all 50 handlers pause.
    shared = fifty_handlers_time
    template = fifty_job_template()
    limit = fake_sagemaker.limit_rate(2.0, 5, clock=shared.clock)

    def joined_client(read_timeout: float) -> Any:
        shared.join()  # the handler's work thread takes part in the shared time
        return locked_client(read_timeout)

    stack = LocalCloudFormation(
        fake=fake_sagemaker,
        receiver=cfn_receiver,
        parallel=True,
        handler_options={
            "handler": {
                "client_factory": joined_client,
                "retry_clock": shared.clock,
                "retry_sleep": shared.sleep,
            }
        },
    )

    report = stack.deploy(template)

    assert report.status == "CREATE_COMPLETE", report.failure
    assert [e for e in report.events if e.status == "FAILED"] == []
    started = {
        e.physical_id for e in report.events if e.action == "Create" and e.status == "SUCCESS"
    } & set(fake_sagemaker.jobs)
    assert len(started) == 50
    assert set(fake_sagemaker.jobs) == started  # one job per resource: no duplicate
    assert sum(limit.throttled.values()) > 0
