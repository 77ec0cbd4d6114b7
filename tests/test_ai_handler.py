"""The job handler's AI kinds end to end: Create, Update and Delete against the fake SageMaker.

The rows of the fault matrix (``tests/test_fault_matrix.py``) for ``Custom::AIRecommendationJob``,
``Custom::AIBenchmarkJob`` and ``Custom::AIWorkloadConfig``: each test asserts the answer
(status, physical id, a reason a user can act on, attributes) and what the fake holds after.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any

import kinds
import names
import pytest
from handler import handle
from jobs import JobInfo, default_client
from lifecycle import Recheck, _wait_stopped
from log import DecisionLog
from request import CREATE_REQUEST_TAG, OWNER_TAG

from tests.ai_events import (
    BENCHMARK,
    CONFIG,
    KINDS,
    RECOMMENDATION,
    SHARED_CONFIG,
    AIKindCase,
    ai_delete,
    ai_event,
    ai_update,
    shared_config,
)
from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.handler_events import STACK, LambdaContext, generated_name, run

JOBS = (RECOMMENDATION, BENCHMARK)
by_kind = pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
by_job = pytest.mark.parametrize("kind", JOBS, ids=lambda k: k.id)


@pytest.fixture
def fake(fake_sagemaker: FakeSageMaker, sagemaker_client: Any) -> FakeSageMaker:
    """The fake, holding the workload configuration the job requests name."""
    shared_config(sagemaker_client)
    fake_sagemaker.calls.clear()  # the tests count the handler's calls only
    return fake_sagemaker


def create(receiver: CfnResponseReceiver, kind: AIKindCase, **extra: Any) -> ReceivedResponse:
    return run(receiver, ai_event(receiver, kind, "Create", **extra))


def resource(fake: FakeSageMaker, kind: AIKindCase, name: str) -> Any:
    return fake.ai_resource(kind.fake_kind, name)


def stop_takes_effect(fake: FakeSageMaker, kind: AIKindCase) -> None:
    """The job the handler stops next has stopped by its next Describe."""
    fake.inject(
        kind.stop_operation, Fault.then(lambda: fake.advance(FakeSageMaker.STOPPING_SECONDS))
    )


# -- Create ----------------------------------------------------------------------------------------


@by_kind
def test_create_generates_a_name_and_answers_arn_and_name(fake, cfn_receiver, kind):
    sent = ai_event(cfn_receiver, kind, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert len(name) <= 40  # the unique part within SageMaker's derived-name limit
    created = resource(fake, kind, name)
    arn = created.arn
    expected = (
        {"JobArn": arn, "Arn": arn, "JobName": name, "Name": name}
        if kind.is_job
        else {"Arn": arn, "AIWorkloadConfigArn": arn, "Name": name, "AIWorkloadConfigName": name}
    )
    assert answer.data == expected
    tags = {tag["Key"]: tag["Value"] for tag in created.tags}
    digest = names.request_digest(STACK, sent["LogicalResourceId"], sent["RequestId"])
    assert tags == {
        "team": "ml",
        CREATE_REQUEST_TAG: digest,
        OWNER_TAG: names.owner(STACK, sent["LogicalResourceId"]),
    }
    assert len(answer.raw) < 1500  # far below CloudFormation's 4096 bytes


def test_create_restores_the_types_cloudformation_stringified(fake, cfn_receiver):
    name = create(cfn_receiver, RECOMMENDATION).body["PhysicalResourceId"]

    request = resource(fake, RECOMMENDATION, name).request

    assert request["OptimizeModel"] is False  # "false", coerced against botocore's input shape
    assert request["AIRecommendationJobName"] == name


@by_kind
def test_a_redelivered_create_adopts_what_it_started(fake, cfn_receiver, kind):
    sent = ai_event(cfn_receiver, kind, "Create")
    name = generated_name(sent)

    first = run(cfn_receiver, sent)
    second = run(cfn_receiver, copy.deepcopy(sent))

    assert [first.status, second.status] == ["SUCCESS", "SUCCESS"]
    assert second.body["PhysicalResourceId"] == name
    assert second.data == first.data
    verb = "started" if kind.is_job else "created"
    assert second.reason.endswith(f"{name} already {verb} by this request")
    assert fake.operations().count(kind.create_operation) == 1


def test_a_name_taken_by_another_is_refused_and_left_alone(fake, cfn_receiver, sagemaker_client):
    sent = ai_event(cfn_receiver, BENCHMARK, "Create")
    name = generated_name(sent)
    request = {**BENCHMARK.request(), "AIBenchmarkJobName": name, "Tags": []}
    sagemaker_client.create_ai_benchmark_job(**request)  # someone else's job, same name

    answer = run(cfn_receiver, sent)

    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"] == names.no_job_marker(
        names.request_digest(STACK, sent["LogicalResourceId"], sent["RequestId"])
    )
    assert f"Job name {name} is taken by a job this resource did not start." in answer.reason
    assert "never reuses" not in answer.reason  # documented of the classic job only
    assert fake.running_jobs() == [name]  # untouched


def test_a_user_name_too_long_for_the_kind_fails_naming_the_member(fake, cfn_receiver):
    request = {**RECOMMENDATION.request(), "AIRecommendationJobName": "n" * 64}

    answer = create(cfn_receiver, RECOMMENDATION, request=request)

    assert answer.status == "FAILED"
    assert "Request.AIRecommendationJobName" in answer.reason
    assert "1 to 63 letters" in answer.reason
    assert "CreateAIRecommendationJob" not in fake.operations()


def test_a_missing_workload_config_fails_the_create_and_its_rollback_does_nothing(
    fake, cfn_receiver
):
    request = {**BENCHMARK.request(), "AIWorkloadConfigIdentifier": "no-such-config"}

    answer = create(cfn_receiver, BENCHMARK, request=request)
    rollback = run(
        cfn_receiver, ai_delete(cfn_receiver, BENCHMARK, answer.body["PhysicalResourceId"])
    )

    assert answer.status == "FAILED"
    assert "ResourceNotFound" in answer.reason
    assert "AIWorkloadConfigIdentifier" in answer.reason  # what to fix
    assert answer.body["PhysicalResourceId"].startswith("infrec-cdk:no-job:")
    assert rollback.status == "SUCCESS"
    assert rollback.reason == "No job was started under this id"
    assert fake.operations().count("DescribeAIBenchmarkJob") == 1  # the Create's look only


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault.resource_limit_exceeded(), "Service Quotas"),
        (Fault.validation("Inline: bad workload"), "Fix the request"),
    ],
    ids=["quota", "validation"],
)
def test_a_refused_create_fails_with_sagemakers_reason_and_rolls_back_cleanly(
    fake, cfn_receiver, fault, words
):
    fake.inject(CONFIG.create_operation, fault)
    sent = ai_event(cfn_receiver, CONFIG, "Create")

    answer = run(cfn_receiver, sent)
    rollback = run(cfn_receiver, ai_delete(cfn_receiver, CONFIG, answer.body["PhysicalResourceId"]))

    assert answer.status == "FAILED"
    assert "SageMaker CreateAIWorkloadConfig failed for workload configuration" in answer.reason
    assert words in answer.reason
    assert (rollback.status, rollback.reason) == (
        "SUCCESS",
        "No workload configuration was created under this id",
    )
    assert fake.ai_resource("AIWorkloadConfig", generated_name(sent)) is None


def test_throttling_is_retried_on_create_and_delete(fake, cfn_receiver):
    fake.inject(RECOMMENDATION.create_operation, Fault.throttling(), times=6)  # past botocore's
    created = create(cfn_receiver, RECOMMENDATION)
    name = created.body["PhysicalResourceId"]
    fake.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)
    fake.inject(RECOMMENDATION.delete_operation, Fault.throttling(), times=6)

    deleted = run(cfn_receiver, ai_delete(cfn_receiver, RECOMMENDATION, name))

    assert created.status == "SUCCESS", created.reason
    assert deleted.status == "SUCCESS", deleted.reason
    assert resource(fake, RECOMMENDATION, name) is None
    assert fake.operations().count(RECOMMENDATION.delete_operation) == 7


def test_a_hung_sagemaker_is_answered_in_time(fake, cfn_receiver):
    fake.inject(CONFIG.describe_operation, Fault.hang())
    sent = ai_event(cfn_receiver, CONFIG, "Create")
    name = generated_name(sent)
    context = LambdaContext(2.7)  # a 0.7 s budget, and time to answer on a loaded machine
    workers: list[threading.Thread] = []

    def client(read_timeout: float) -> Any:
        workers.append(threading.current_thread())
        return default_client(read_timeout)

    handle(sent, context, client_factory=client, reserve_seconds=2.0)
    answer = cfn_receiver.response_for(sent["RequestId"])

    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"] == name
    assert f"did not answer within 0.7 s about workload configuration {name}" in answer.reason
    assert "deleted by the Delete that follows" in answer.reason
    workers[0].join(timeout=10)
    assert CONFIG.create_operation not in fake.operations()


# -- Update ----------------------------------------------------------------------------------------


@by_kind
def test_a_changed_request_creates_a_new_one_and_cleanup_deletes_the_old(fake, cfn_receiver, kind):
    old = create(cfn_receiver, kind)
    old_name = old.body["PhysicalResourceId"]
    changed = kind.request()
    changed["Tags"] = [{"Key": "team", "Value": "ml"}]
    if kind is CONFIG:
        changed["AIWorkloadConfigs"]["WorkloadSpec"]["Inline"] = '{"benchmark": {"type": "aiperf"}}'
    else:
        changed["OutputConfig"]["S3OutputLocation"] = "s3://app-output/v2/"

    updated = run(cfn_receiver, ai_update(cfn_receiver, kind, old_name, changed))
    new_name = updated.body["PhysicalResourceId"]
    if kind.is_job:
        stop_takes_effect(fake, kind)
    cleanup = run(cfn_receiver, ai_delete(cfn_receiver, kind, old_name))

    assert updated.status == "SUCCESS", updated.reason
    assert new_name != old_name
    assert resource(fake, kind, new_name) is not None
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert resource(fake, kind, old_name) is None
    assert fake.ai_deleted(kind.fake_kind) == {old_name}


def test_an_unchanged_request_keeps_the_job(fake, cfn_receiver):
    created = create(cfn_receiver, RECOMMENDATION)
    name = created.body["PhysicalResourceId"]

    answer = run(
        cfn_receiver, ai_update(cfn_receiver, RECOMMENDATION, name, RECOMMENDATION.request())
    )

    assert (answer.status, answer.body["PhysicalResourceId"]) == ("SUCCESS", name)
    assert answer.reason == f"Request unchanged: job {name} kept"
    assert answer.data == created.data
    assert fake.operations().count(RECOMMENDATION.create_operation) == 1


def test_changed_tags_only_retag_in_place(fake, cfn_receiver):
    name = create(cfn_receiver, CONFIG).body["PhysicalResourceId"]
    retagged = {**CONFIG.request(), "Tags": [{"Key": "team", "Value": "search"}]}

    answer = run(cfn_receiver, ai_update(cfn_receiver, CONFIG, name, retagged))

    assert (answer.status, answer.body["PhysicalResourceId"]) == ("SUCCESS", name)
    assert answer.reason == f"Tags of workload configuration {name} updated in place"
    tags = {tag["Key"]: tag["Value"] for tag in resource(fake, CONFIG, name).tags}
    assert tags["team"] == "search"
    assert OWNER_TAG in tags


def test_a_changed_request_keeping_the_users_name_is_refused(fake, cfn_receiver):
    own = {**BENCHMARK.request(), "AIBenchmarkJobName": "nightly-bench"}
    created = create(cfn_receiver, BENCHMARK, request=own)
    changed = {**own, "BenchmarkTarget": {"Endpoint": {"Identifier": "other-endpoint"}}}

    answer = run(cfn_receiver, ai_update(cfn_receiver, BENCHMARK, "nightly-bench", changed, own))

    assert created.status == "SUCCESS", created.reason
    assert answer.status == "FAILED"
    assert "AIBenchmarkJobName is still nightly-bench" in answer.reason
    assert "change AIBenchmarkJobName as well, or omit it" in answer.reason
    assert fake.operations().count(BENCHMARK.create_operation) == 1


# -- Delete ----------------------------------------------------------------------------------------


@by_job
def test_delete_stops_a_running_job_then_deletes_it(fake, cfn_receiver, kind):
    name = create(cfn_receiver, kind).body["PhysicalResourceId"]
    stop_takes_effect(fake, kind)

    answer = run(cfn_receiver, ai_delete(cfn_receiver, kind, name))

    assert answer.status == "SUCCESS", answer.reason
    assert answer.reason == f"Stopped job {name} (Stopped); deleted job {name}"
    operations = fake.operations()
    assert operations.index(kind.stop_operation) < operations.index(kind.delete_operation)
    assert resource(fake, kind, name) is None
    assert fake.running_jobs() == []


def test_delete_of_an_ended_job_deletes_it_without_a_stop(fake, cfn_receiver):
    name = create(cfn_receiver, BENCHMARK).body["PhysicalResourceId"]
    fake.advance(FakeSageMaker.AI_BENCHMARK_RUN_SECONDS)

    answer = run(cfn_receiver, ai_delete(cfn_receiver, BENCHMARK, name))

    assert answer.reason == f"Job {name} is Completed; deleted job {name}"
    assert BENCHMARK.stop_operation not in fake.operations()
    assert resource(fake, BENCHMARK, name) is None


def test_a_job_still_stopping_at_the_end_of_the_budget_is_left_to_stop(fake, cfn_receiver):
    name = create(cfn_receiver, RECOMMENDATION).body["PhysicalResourceId"]

    answer = run(cfn_receiver, ai_delete(cfn_receiver, RECOMMENDATION, name))

    assert answer.status == "SUCCESS"  # a rollback never gets stuck
    assert answer.reason == (
        f"Stopping job {name}; not deleted: SageMaker deletes only a job that has ended"
    )
    assert resource(fake, RECOMMENDATION, name).status == "Stopping"
    assert fake.running_jobs() == []


def test_delete_of_something_never_created_succeeds(fake, cfn_receiver):
    # The same decision for every kind: one is enough (each look again takes its window).
    answer = run(cfn_receiver, ai_delete(cfn_receiver, CONFIG, "never-created"))

    assert answer.status == "SUCCESS"
    assert answer.reason == "Workload configuration never-created does not exist"
    assert fake.operations().count(CONFIG.describe_operation) >= 2  # looked again: a late Create
    assert CONFIG.delete_operation not in fake.operations()


def test_a_delete_sagemaker_keeps_failing_answers_failed_with_its_message(fake, cfn_receiver):
    name = create(cfn_receiver, BENCHMARK).body["PhysicalResourceId"]
    fake.advance(FakeSageMaker.AI_BENCHMARK_RUN_SECONDS)
    fake.inject(BENCHMARK.delete_operation, Fault.server_error(), times=6)  # every attempt

    answer = run(cfn_receiver, ai_delete(cfn_receiver, BENCHMARK, name))

    assert answer.status == "FAILED"  # CloudFormation tries again; the job has ended meanwhile
    assert answer.body["PhysicalResourceId"] == name
    assert answer.reason.startswith(
        f"SageMaker DeleteAIBenchmarkJob failed for job {name}: InternalFailure"
    )
    assert resource(fake, BENCHMARK, name) is not None


@pytest.mark.parametrize("kind", [BENCHMARK, CONFIG], ids=lambda k: k.id)
def test_delete_leaves_what_this_resource_did_not_create(
    fake, cfn_receiver, sagemaker_client, kind
):
    # Someone else's job or configuration under the resource's name (or tags it cannot read).
    name = "someone-elses"
    if kind is CONFIG:
        spec = CONFIG.request()["AIWorkloadConfigs"]
        sagemaker_client.create_ai_workload_config(
            AIWorkloadConfigName=name, AIWorkloadConfigs=spec
        )
    else:
        sagemaker_client.create_ai_benchmark_job(
            **{**BENCHMARK.request(), "AIBenchmarkJobName": name, "Tags": []}
        )

    answer = run(cfn_receiver, ai_delete(cfn_receiver, kind, name))

    assert answer.status == "SUCCESS"
    assert answer.reason.endswith("by this resource: left as it is")
    assert resource(fake, kind, name) is not None
    assert kind.delete_operation not in fake.operations()
    assert "StopAIBenchmarkJob" not in fake.operations()


def test_a_config_in_use_is_deleted_once_the_job_using_it_stopped(
    fake, cfn_receiver, sagemaker_client
):
    config = create(cfn_receiver, CONFIG).body["PhysicalResourceId"]
    request = {**BENCHMARK.request(), "AIWorkloadConfigIdentifier": config}
    sagemaker_client.create_ai_benchmark_job(**{**request, "AIBenchmarkJobName": "user"})
    sagemaker_client.stop_ai_benchmark_job(AIBenchmarkJobName="user")  # stopping still
    # The first Delete is refused (in use); the job stops before the next try.
    fake.inject(
        CONFIG.delete_operation,
        Fault.then(lambda: fake.advance(FakeSageMaker.STOPPING_SECONDS)),
    )

    # A window that outlasts the first refusal even on a loaded machine (the answer comes sooner).
    answer = run(cfn_receiver, ai_delete(cfn_receiver, CONFIG, config), delete_recheck_seconds=1)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.reason == f"Deleted workload configuration {config}"
    assert fake.operations().count(CONFIG.delete_operation) == 2
    assert resource(fake, CONFIG, config) is None


def test_a_config_an_active_job_keeps_using_is_left_in_place(fake, cfn_receiver, sagemaker_client):
    config = create(cfn_receiver, CONFIG).body["PhysicalResourceId"]
    request = {**BENCHMARK.request(), "AIWorkloadConfigIdentifier": config}
    sagemaker_client.create_ai_benchmark_job(**{**request, "AIBenchmarkJobName": "user"})

    answer = run(cfn_receiver, ai_delete(cfn_receiver, CONFIG, config))

    assert answer.status == "SUCCESS"  # never stuck: the configuration costs nothing
    assert answer.reason.startswith(
        f"Workload configuration {config} left in place: SageMaker refused to delete it: "
    )
    assert "referenced by active jobs: user" in answer.reason
    assert resource(fake, CONFIG, config) is not None


def test_a_job_started_by_a_create_still_in_flight_is_stopped_and_deleted(fake, cfn_receiver):
    # The Delete's first look finds nothing; the job appears at its second look.
    sent = ai_event(cfn_receiver, BENCHMARK, "Create")
    name = generated_name(sent)

    def late_create() -> None:
        run(cfn_receiver, copy.deepcopy(sent))

    fake.inject(BENCHMARK.describe_operation, Fault.then(late_create))
    stop_takes_effect(fake, BENCHMARK)

    answer = run(cfn_receiver, ai_delete(cfn_receiver, BENCHMARK, name), delete_recheck_seconds=0.5)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.reason.endswith("a Create still in flight started it after a first look")
    assert resource(fake, BENCHMARK, name) is None
    assert fake.running_jobs() == []


def test_the_shared_config_is_untouched(fake):
    assert fake.ai_resource("AIWorkloadConfig", SHARED_CONFIG) is not None


# -- pure ------------------------------------------------------------------------------------------


class _StoppedJobs:
    """A ``Jobs`` stand-in whose job has already stopped; counts the Describe calls."""

    def __init__(self) -> None:
        self.describes = 0

    def describe(self, name: str) -> JobInfo:
        self.describes += 1
        return JobInfo(name=name, arn=f"arn:job/{name}", status="Stopped")


@pytest.mark.parametrize(
    ("kind", "looks", "status"),
    [(kinds.AI_BENCHMARK_JOB, 1, "Stopped"), (kinds.CLASSIC, 0, "STOPPING")],
    ids=["deleted-once-stopped", "classic"],
)
def test_a_stop_that_used_up_the_window_still_gets_one_look_if_a_delete_follows(
    kind, looks, status
):
    # The Stop took the whole window (a loaded Lambda, a slow SageMaker): an AI job that stopped
    # at once is still seen stopped, and deleted; a classic job is not looked at again.
    recheck = Recheck.within(0.1, 100.0, 0.1, clock=lambda: 1000.0)
    late = dataclasses.replace(recheck, clock=lambda: 2000.0)
    jobs = _StoppedJobs()
    log = DecisionLog(
        request_type="Delete", request_id="r", logical_resource_id="L", physical_resource_id=""
    )

    found = _wait_stopped("job-1", jobs, late, log, kind)  # type: ignore[arg-type]

    assert jobs.describes == looks
    assert found == status
