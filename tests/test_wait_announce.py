"""Announcing a finished job, deployed on the local CloudFormation: the signal comes first.

The completion event and the step counts in the log must never keep the wait from ending, nor
make it end twice.
"""

from __future__ import annotations

import logging

import boto3
import pytest

from tests.fakes.sagemaker import ApiError, FakeSageMaker, Fault
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LocalCloudFormation
from tests.test_wait_synth import waiting_template


def poll_rule_states(endpoint: str) -> set[str]:
    events = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1")
    return {r["State"] for r in events.list_rules()["Rules"] if r["Name"] != "to-queue"}


def test_a_job_with_fifty_tags_is_announced_once_and_polling_stops(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)

    def fill_up() -> None:
        # The user's tags and the library's own reach SageMaker's maximum of 50: no room for
        # the waiter's "announced" tag.
        for job in fake_sagemaker.jobs.values():
            job.tags += [{"Key": f"team-{i}", "Value": "x"} for i in range(50 - len(job.tags))]

    # Once the waiter has looked for its tag (the job has ended), the job is full.
    fake_sagemaker.inject("ListTags", Fault.then(fill_up))

    report = waiting_cloudformation.deploy(waiting_template("default"))
    for _ in range(6):
        waiting_cloudformation.advance(300)

    assert report.status == "CREATE_COMPLETE", report.failure
    (job,) = fake_sagemaker.jobs.values()
    assert len(job.tags) == 50
    assert "AddTags" in fake_sagemaker.operations(), "the waiter tried to tag it"
    assert len(captured_events(aws_services, queue)) == 1, "one event, not one a minute"
    assert poll_rule_states(aws_services) == {"DISABLED"}


def test_a_failing_step_count_does_not_delay_the_signal(
    waiting_cloudformation: LocalCloudFormation,
    fake_sagemaker: FakeSageMaker,
    aws_services: str,
    caplog: pytest.LogCaptureFixture,
):
    queue = capture_completion_events(aws_services)
    denied = Fault("error", ApiError("AccessDeniedException", "not authorized to list steps"))
    fake_sagemaker.inject("ListInferenceRecommendationsJobSteps", denied, times=1000)

    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        report = waiting_cloudformation.deploy(waiting_template("default"))

    assert report.status == "CREATE_COMPLETE", report.failure
    # Signalled at the first poll after the job ended (PENDING, then 45 minutes of running).
    assert waiting_cloudformation.elapsed <= 60 + 2700 + waiting_cloudformation.tick
    assert len(captured_events(aws_services, queue)) == 1
    assert "AccessDeniedException" in caplog.text, "the failure to count is logged"
