"""Updating a waiting stack's wait settings, deployed on the local CloudFormation.

CloudFormation cannot update a wait condition, and an update of a rule puts back the template's
state, ENABLED: a changed timeout or poll interval must come with fresh wait resources, and the
stack's poll rule must stop again once nothing waits (the first poll with nothing to wait for
disables it, without asking SageMaker anything).
"""

from __future__ import annotations

from typing import Any

import boto3

from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LocalCloudFormation, Report, WaitSignalReceiver
from tests.test_wait_synth import waiting_template
from tests.test_waiting import describe

DESCRIBE = "DescribeInferenceRecommendationsJob"


def of_type(report: Report, cloudformation: LocalCloudFormation, type_: str) -> set[str]:
    resources = cloudformation.template["Resources"]
    return {k for k in report.resources if resources[k]["Type"] == type_}


def poll_rules(endpoint: str) -> dict[str, str]:
    """The poll rules in the account (not the test's own) and their state."""
    events = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1")
    rules = events.list_rules()["Rules"]
    return {r["Name"]: r["State"] for r in rules if r["Name"] != "to-queue"}


def test_changing_only_the_timeout_waits_on_a_fresh_condition(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)
    first = waiting_cloudformation.deploy(waiting_template("default"))
    condition = "AWS::CloudFormation::WaitCondition"
    before = of_type(first, waiting_cloudformation, condition)

    second = waiting_cloudformation.deploy(waiting_template("timeout"))

    assert second.status == "UPDATE_COMPLETE", second.failure
    assert of_type(second, waiting_cloudformation, condition).isdisjoint(before)
    assert len(fake_sagemaker.jobs) == 1, "no new job"
    assert second.outputs == first.outputs
    assert len(captured_events(aws_services, queue)) == 1, "one event per job"
    polls = fake_sagemaker.operations().count(DESCRIBE)
    waiting_cloudformation.advance(300)  # the first poll with nothing to wait for disables it
    assert set(poll_rules(aws_services).values()) == {"DISABLED"}
    assert fake_sagemaker.operations().count(DESCRIBE) == polls  # and asks SageMaker nothing


def test_changing_only_the_poll_interval_does_not_restart_a_finished_poller(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)
    waiting_cloudformation.deploy(waiting_template("default"))
    waiting_cloudformation.advance(300)  # the first poll with nothing to wait for disables it
    assert set(poll_rules(aws_services).values()) == {"DISABLED"}

    second = waiting_cloudformation.deploy(waiting_template("poll_interval"))

    assert second.status == "UPDATE_COMPLETE", second.failure
    waiting_cloudformation.advance(600)
    assert set(poll_rules(aws_services).values()) == {"DISABLED"}, "no poller runs on"
    polls = fake_sagemaker.operations().count(DESCRIBE)
    for _ in range(6):
        waiting_cloudformation.advance(600)
    assert fake_sagemaker.operations().count(DESCRIBE) == polls
    assert len(captured_events(aws_services, queue)) == 1, "one event per job"


def test_changing_only_the_objective_and_limits_updates_the_results_in_place(
    waiting_cloudformation: LocalCloudFormation,
    fake_sagemaker: FakeSageMaker,
    wait_signals: WaitSignalReceiver,
    aws_services: str,
):
    queue = capture_completion_events(aws_services)
    first = waiting_cloudformation.deploy(waiting_template("default"))
    waits = {k for k in first.resources if "Wait" in k}
    signals = sum(len(s) for s in wait_signals.signals.values())

    # The highest max invocations, among real-time recommendations within (generous) limits.
    second = waiting_cloudformation.deploy(waiting_template("objective_and_limits"))

    assert second.status == "UPDATE_COMPLETE", second.failure
    assert {k for k in second.resources if "Wait" in k} == waits
    (job,) = fake_sagemaker.jobs.values()
    recommendations: list[dict[str, Any]] = describe(job.name)["InferenceRecommendations"]
    busiest = max(recommendations, key=lambda r: r["Metrics"]["MaxInvocations"])
    assert second.outputs["InstanceType"] == busiest["EndpointConfiguration"]["InstanceType"]
    assert second.outputs["InstanceType"] != first.outputs["InstanceType"]
    assert second.outputs["ArchiveUri"] == first.outputs["ArchiveUri"]
    updates = [e for e in second.events[len(first.events) :] if e.action == "Update"]
    assert [e.status for e in updates if "Results" in e.logical_id] == ["SUCCESS"]
    assert sum(len(s) for s in wait_signals.signals.values()) == signals, "no new wait"
    assert len(captured_events(aws_services, queue)) == 1
