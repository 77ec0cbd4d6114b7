"""The fault matrix: every way a deploy can go wrong, and what CloudFormation hears about it.

One test per row. Each asserts the answer (Status, PhysicalResourceId), a Reason a user can act on,
and the fake's jobs afterwards; every scenario ends with the Delete CloudFormation would send next
(stack delete or rollback, for the physical id the last answer gave) and no job left running.

| Row                                        | Test                                                |
|--------------------------------------------|-----------------------------------------------------|
| throttling on Create                       | test_throttled_create_is_retried_then_succeeds      |
| 5xx on Create                              | test_server_error_on_create_is_retried_then_succeeds|
| ResourceInUse on Create (redelivery raced) | test_resource_in_use_on_create_adopts_the_job_...   |
| ResourceInUse on Create (nothing to adopt) | test_resource_in_use_without_a_job_fails_...        |
| ResourceLimitExceeded                      | test_resource_limit_exceeded_fails_naming_the_quota |
| ValidationException                        | test_validation_exception_fails_naming_the_field    |
| response PUT failing once                  | test_response_put_failing_once_is_retried_...       |
| SageMaker hangs before the Create lands    | test_hang_before_the_create_is_answered_in_time_... |
| the Create lands after the answer          | test_create_landing_after_the_timeout_is_stopped_...|
| the same Create delivered twice            | test_create_delivered_twice_starts_one_job          |
| Delete of a job never created              | test_delete_of_a_job_never_created_succeeds         |
| Delete of a finished job                   | test_delete_of_a_finished_job_succeeds_without_stop |
| Update, request unchanged                  | test_update_with_unchanged_request_starts_no_job    |
| Update, request changed                    | test_update_with_changed_request_starts_a_new_job...|
| Update reusing the user's JobName          | test_update_reusing_the_users_job_name_fails_...    |
| Delete while a Create is in flight         | test_delete_while_a_create_is_in_flight_stops_...   |
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import handler
import lifecycle
import names
import pytest
from handler import handle
from jobs import default_client

from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.handler_events import (
    RECHECK_SECONDS,
    REQUEST,
    LambdaContext,
    changed_request,
    delete,
    event,
    generated_name,
    run,
    update,
)

CREATE = "CreateInferenceRecommendationsJob"
DESCRIBE = "DescribeInferenceRecommendationsJob"
STOP = "StopInferenceRecommendationsJob"


def _tear_down(
    receiver: CfnResponseReceiver,
    fake: FakeSageMaker,
    physical_id: str,
    delete_recheck_seconds: float = RECHECK_SECONDS,
) -> ReceivedResponse:
    """Send the Delete CloudFormation sends next; it succeeds and leaves no job running."""
    sent = delete(receiver, physical_id)
    answer = run(receiver, sent, delete_recheck_seconds=delete_recheck_seconds)
    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == physical_id
    assert fake.running_jobs() == []
    return answer


def _landing(create_may_land: threading.Event, fake: FakeSageMaker, name: str):
    """An action that lets a held Create land and returns once its job exists."""

    def land() -> None:
        create_may_land.set()
        assert fake.wait_until(lambda: name in fake.jobs), "the held Create never landed"

    return land


# -- SageMaker errors on Create --------------------------------------------------------------------


def test_throttled_create_is_retried_then_succeeds(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(CREATE, Fault.throttling())
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.reason == f"Started job {name}"
    assert fake_sagemaker.operations().count(CREATE) == 2
    assert fake_sagemaker.running_jobs() == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)
    assert fake_sagemaker.jobs[name].status == "STOPPING"


def test_server_error_on_create_is_retried_then_succeeds(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(CREATE, Fault.server_error(503))
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.data["JobName"] == name
    assert fake_sagemaker.operations().count(CREATE) == 2
    assert fake_sagemaker.running_jobs() == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)
    assert fake_sagemaker.jobs[name].status == "STOPPING"


def test_resource_in_use_on_create_adopts_the_job_its_redelivery_started(
    fake_sagemaker, cfn_receiver
):
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)
    first = run(cfn_receiver, sent)
    # The second delivery's Describe came before the first one's Create landed.
    fake_sagemaker.inject(DESCRIBE, Fault.validation("Could not find job."))

    second = run(cfn_receiver, copy.deepcopy(sent))

    assert second.status == first.status == "SUCCESS", second.reason
    assert second.body["PhysicalResourceId"] == name
    assert second.data == first.data
    assert second.reason == f"Job {name} already started by this request"
    assert fake_sagemaker.operations().count(CREATE) == 2  # the second answered ResourceInUse
    assert list(fake_sagemaker.jobs) == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)


def test_resource_in_use_without_a_job_fails_and_the_rollback_finds_nothing(
    fake_sagemaker, cfn_receiver
):
    fake_sagemaker.inject(CREATE, Fault.resource_in_use())
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"] == name
    assert f"failed for job {name}: ResourceInUse" in answer.reason
    assert "deploy again, or set another JobName" in answer.reason
    assert fake_sagemaker.jobs == {}
    _tear_down(cfn_receiver, fake_sagemaker, name)
    assert STOP not in fake_sagemaker.operations()


def test_resource_limit_exceeded_fails_naming_the_quota(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(CREATE, Fault.resource_limit_exceeded())
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "FAILED"
    # SageMaker refused the only attempt: no job exists, and the id says so.
    assert answer.body["PhysicalResourceId"] == names.no_job_marker(
        names.request_digest(sent["StackId"], sent["LogicalResourceId"], sent["RequestId"])
    )
    assert f"failed for job {name}: ResourceLimitExceeded" in answer.reason
    assert "account quota" in answer.reason
    assert "request a higher limit in Service Quotas" in answer.reason
    assert fake_sagemaker.jobs == {}
    _tear_down(cfn_receiver, fake_sagemaker, answer.body["PhysicalResourceId"])
    assert STOP not in fake_sagemaker.operations()


def test_validation_exception_fails_naming_the_field(fake_sagemaker, cfn_receiver):
    sent = event(cfn_receiver, "Create", request=changed_request(JobDurationInSeconds="99999"))
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"].startswith("infrec-cdk:no-job:")
    assert name in answer.reason
    assert "ValidationException" in answer.reason
    assert "inputConfig.jobDurationInSeconds" in answer.reason
    assert "less than or equal to 18000" in answer.reason
    assert "Fix the request and deploy again" in answer.reason
    assert fake_sagemaker.jobs == {}
    _tear_down(cfn_receiver, fake_sagemaker, answer.body["PhysicalResourceId"])


# -- The answer itself -----------------------------------------------------------------------------


def test_response_put_failing_once_is_retried_and_delivered(fake_sagemaker, cfn_receiver):
    cfn_receiver.fail_next(1, status=503)
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.reason == f"Started job {name}"
    attempts = [r.outcome for r in cfn_receiver.received if r.request_id == sent["RequestId"]]
    assert attempts == ["failed", "accepted"]
    assert fake_sagemaker.running_jobs() == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)


def test_hang_before_the_create_is_answered_in_time_and_starts_no_job(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(DESCRIBE, Fault.hang())
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)
    context = LambdaContext(2.7)  # a 0.7 s budget, and time to answer on a loaded machine
    workers: list[threading.Thread] = []

    def client(read_timeout: float) -> Any:
        # The thread that makes the calls: recorded here, as it may end before handle returns.
        workers.append(threading.current_thread())
        return default_client(read_timeout)

    handle(sent, context, client_factory=client, reserve_seconds=2.0)
    answered = time.monotonic()
    answer = cfn_receiver.response_for(sent["RequestId"])

    assert answered < context.deadline  # before Lambda would stop the invocation
    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"] == name
    assert f"SageMaker did not answer within 0.7 s about job {name}" in answer.reason
    assert "stopped by the Delete that follows" in answer.reason
    _tear_down(cfn_receiver, fake_sagemaker, name)
    # Once the client gives up on the hung Describe, the worker must not go on to Create.
    assert len(workers) == 1
    workers[0].join(timeout=5)
    assert not workers[0].is_alive()
    assert CREATE not in fake_sagemaker.operations()
    assert fake_sagemaker.jobs == {}


def test_create_landing_after_the_timeout_is_stopped_by_the_immediate_rollback(
    fake_sagemaker, cfn_receiver
):
    # The race, ordered by events: SageMaker holds the Create until the rollback's first Describe
    # has found nothing, and lets that Describe answer only once the job has landed.
    create_may_land = threading.Event()
    fake_sagemaker.inject(CREATE, Fault.held(create_may_land))
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    failed = run(cfn_receiver, sent, 2.5, reserve_seconds=2.0)  # 0.5 s to work

    assert failed.status == "FAILED"
    assert failed.body["PhysicalResourceId"] == name
    assert f"SageMaker did not answer within 0.5 s about job {name}" in failed.reason
    assert fake_sagemaker.jobs == {}

    fake_sagemaker.inject(DESCRIBE, Fault.then(_landing(create_may_land, fake_sagemaker, name)))
    rollback = _tear_down(cfn_receiver, fake_sagemaker, name)
    assert rollback.reason.startswith(f"Stopping job {name}: a Create still in flight")
    assert fake_sagemaker.jobs[name].status == "STOPPING"


def test_create_delivered_twice_starts_one_job(fake_sagemaker, cfn_receiver):
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)

    first = run(cfn_receiver, sent)
    second = run(cfn_receiver, copy.deepcopy(sent))

    assert [first.status, second.status] == ["SUCCESS", "SUCCESS"]
    assert first.body["PhysicalResourceId"] == second.body["PhysicalResourceId"] == name
    assert first.data == second.data
    assert second.reason == f"Job {name} already started by this request"
    assert fake_sagemaker.operations().count(CREATE) == 1
    assert fake_sagemaker.running_jobs() == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)


# -- Delete ----------------------------------------------------------------------------------------


def test_delete_of_a_job_never_created_succeeds(fake_sagemaker, cfn_receiver):
    answer = _tear_down(cfn_receiver, fake_sagemaker, "never-created-job")

    assert answer.reason == "Job never-created-job does not exist"
    assert fake_sagemaker.operations().count(DESCRIBE) >= 2  # looked again for a late Create
    assert STOP not in fake_sagemaker.operations()
    assert fake_sagemaker.jobs == {}


def test_delete_of_a_finished_job_succeeds_without_stopping_it(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    fake_sagemaker.set_outcome(name, "COMPLETED")
    fake_sagemaker.advance(10_000)

    answer = _tear_down(cfn_receiver, fake_sagemaker, name)

    assert answer.reason == f"Job {name} is COMPLETED"
    assert STOP not in fake_sagemaker.operations()
    assert fake_sagemaker.jobs[name].status == "COMPLETED"


# -- Update ----------------------------------------------------------------------------------------


def test_update_with_unchanged_request_starts_no_job(fake_sagemaker, cfn_receiver):
    created = run(cfn_receiver, event(cfn_receiver, "Create"))
    name = created.body["PhysicalResourceId"]

    answer = run(cfn_receiver, update(cfn_receiver, name, copy.deepcopy(REQUEST)))

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.data == created.data
    assert answer.reason == f"Request unchanged: job {name} kept"
    assert fake_sagemaker.operations().count(CREATE) == 1
    assert fake_sagemaker.running_jobs() == [name]
    _tear_down(cfn_receiver, fake_sagemaker, name)


def test_update_with_changed_request_starts_a_new_job_and_the_delete_stops_the_old(
    fake_sagemaker, cfn_receiver
):
    old = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    sent = update(cfn_receiver, old, changed_request(JobDurationInSeconds="3600"))
    new = generated_name(sent)

    answer = run(cfn_receiver, sent)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == new != old
    assert answer.reason == f"Started job {new}"
    assert fake_sagemaker.jobs[new].request["InputConfig"]["JobDurationInSeconds"] == 3600
    # CloudFormation's clean-up deletes the old physical id.
    cleanup = run(cfn_receiver, delete(cfn_receiver, old))
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert cleanup.body["PhysicalResourceId"] == old
    assert cleanup.reason == f"Stopping job {old}"
    assert fake_sagemaker.jobs[old].status == "STOPPING"
    assert fake_sagemaker.running_jobs() == [new]
    _tear_down(cfn_receiver, fake_sagemaker, new)


def test_update_reusing_the_users_job_name_fails_with_a_clear_message(fake_sagemaker, cfn_receiver):
    named = {**copy.deepcopy(REQUEST), "JobName": "bert-load"}
    run(cfn_receiver, event(cfn_receiver, "Create", request=named))
    changed = {**changed_request(JobDurationInSeconds="3600"), "JobName": "bert-load"}

    answer = run(cfn_receiver, update(cfn_receiver, "bert-load", changed, named))

    assert answer.status == "FAILED"
    marker = answer.body["PhysicalResourceId"]
    assert not names.is_job_name(marker)  # no job of this Update to stop
    assert "The request changed but JobName is still bert-load" in answer.reason
    assert "SageMaker never reuses job names" in answer.reason
    assert "change JobName as well, or omit it" in answer.reason
    assert fake_sagemaker.operations().count(CREATE) == 1
    # The clean-up of the failed id leaves the resource's job alone; the stack delete stops it.
    cleanup = run(cfn_receiver, delete(cfn_receiver, marker))
    assert cleanup.status == "SUCCESS"
    assert fake_sagemaker.running_jobs() == ["bert-load"]
    _tear_down(cfn_receiver, fake_sagemaker, "bert-load")


# -- Delete racing Create --------------------------------------------------------------------------


def test_delete_while_a_create_is_in_flight_stops_the_job_it_starts(fake_sagemaker, cfn_receiver):
    create_may_land = threading.Event()
    fake_sagemaker.inject(CREATE, Fault.held(create_may_land))
    sent = event(cfn_receiver, "Create")
    name = generated_name(sent)
    creating = threading.Thread(target=run, args=(cfn_receiver, sent), daemon=True)
    creating.start()
    # SageMaker is working on it.
    assert fake_sagemaker.wait_until(lambda: CREATE in fake_sagemaker.operations())
    # The Delete's first Describe finds nothing; the job lands before that answer is sent.
    fake_sagemaker.inject(DESCRIBE, Fault.then(_landing(create_may_land, fake_sagemaker, name)))

    answer = run(cfn_receiver, delete(cfn_receiver, name))

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.reason.startswith(f"Stopping job {name}: a Create still in flight")
    creating.join(timeout=5)
    created = cfn_receiver.response_for(sent["RequestId"])  # too late: CloudFormation ignores it
    assert created.status == "SUCCESS"
    assert created.body["PhysicalResourceId"] == name
    assert list(fake_sagemaker.jobs) == [name]
    assert fake_sagemaker.jobs[name].status == "STOPPING"
    assert fake_sagemaker.running_jobs() == []


# -- The Delete's look for a late job: bounded, and configurable -----------------------------------


def test_the_look_for_a_late_job_ends_within_the_budget_leaving_time_for_the_stop():
    now = 1000.0

    def clock() -> float:
        return now

    long_budget = lifecycle.Recheck.within(65.0, 110.0, clock=clock)
    short_budget = lifecycle.Recheck.within(65.0, 2.0, clock=clock)
    none = lifecycle.Recheck.within(0.0, 110.0, clock=clock)

    assert long_budget.until == now + 65.0  # the whole window: 15 s are left for the Stop
    assert long_budget.interval == 2.0
    assert short_budget.until == now + 1.5  # a quarter of the budget is kept for the Stop
    assert short_budget.interval == pytest.approx(0.3)
    assert none.until == now


def test_the_look_for_a_late_job_is_set_by_an_environment_variable(
    fake_sagemaker, cfn_receiver, monkeypatch
):
    monkeypatch.setenv(handler.RECHECK_VARIABLE, "0")
    sent = delete(cfn_receiver, "never-created-job")
    started = time.monotonic()

    handler.handler(sent, LambdaContext())  # the Lambda entrypoint, with no test knob

    assert time.monotonic() - started < 1.0
    answer = cfn_receiver.response_for(sent["RequestId"])
    assert answer.status == "SUCCESS"
    assert fake_sagemaker.operations() == [DESCRIBE]


def test_a_create_sagemaker_surely_refused_needs_no_late_job_search(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject(CREATE, Fault.validation("bad model"))
    answer = run(cfn_receiver, event(cfn_receiver, "Create"))
    assert answer.status == "FAILED"
    marker = answer.body["PhysicalResourceId"]
    assert marker.startswith("infrec-cdk:no-job:")

    started = time.monotonic()
    # The production window (a minute), not the tests' short one: it must not be spent.
    _tear_down(cfn_receiver, fake_sagemaker, marker, delete_recheck_seconds=60.0)
    assert time.monotonic() - started < 5.0, "no time spent looking for a job that cannot exist"
    assert fake_sagemaker.operations().count(DESCRIBE) == 1  # the Create's own look only


def test_a_create_retried_after_a_server_error_keeps_the_job_name(fake_sagemaker, cfn_receiver):
    # A 5xx may hide a Create that was carried out: the rollback must look for the job.
    fake_sagemaker.inject(CREATE, Fault.server_error(500), times=20)
    sent = event(cfn_receiver, "Create")
    answer = run(cfn_receiver, sent)
    assert answer.status == "FAILED"
    assert answer.body["PhysicalResourceId"] == generated_name(sent)


def test_delete_waits_for_the_stop_to_finish_before_answering(fake_sagemaker, cfn_receiver):
    # Inference Recommender deletes its benchmark endpoints with the job's role: the answer (after
    # which CloudFormation deletes that role) waits for STOPPED, within the Delete's window.
    created = run(cfn_receiver, event(cfn_receiver, "Create"))
    name = created.body["PhysicalResourceId"]
    fake_sagemaker.advance(120)  # IN_PROGRESS

    # Once SageMaker has taken the Stop, its clock runs past the 30 s a job takes to stop.
    fake_sagemaker.inject(STOP, Fault.then(lambda: fake_sagemaker.advance(60)))

    answer = run(cfn_receiver, delete(cfn_receiver, name), delete_recheck_seconds=5.0)

    assert answer.status == "SUCCESS"
    assert answer.reason == f"Stopped job {name} (STOPPED)"
    assert fake_sagemaker.jobs[name].status == "STOPPED"
