"""The handler end to end: real events, the real boto3 client, the fake SageMaker over HTTP and a
receiver standing in for CloudFormation's response URL."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from typing import Any

import handler as handler_module
import names
import pytest
from handler import handler
from jobs import default_client
from request import CREATE_REQUEST_TAG

from tests.fakes.sagemaker import Fault
from tests.handler_events import (
    LOGICAL_ID,
    PREFIX,
    REQUEST,
    ROLE,
    STACK,
    LambdaContext,
)
from tests.handler_events import changed_request as _changed_request
from tests.handler_events import create as _create
from tests.handler_events import delete as _delete
from tests.handler_events import event as _event
from tests.handler_events import run as _run
from tests.handler_events import update as _update

# -- Create ----------------------------------------------------------------------------------------


def test_create_starts_a_job_under_a_generated_name(fake_sagemaker, cfn_receiver):
    event = _event(cfn_receiver, "Create")
    response = _run(cfn_receiver, event)

    digest = names.request_digest(STACK, LOGICAL_ID, event["RequestId"])
    name = f"{PREFIX}-{digest[:12]}"
    assert response.status == "SUCCESS", response.reason
    assert response.body["PhysicalResourceId"] == name
    job = fake_sagemaker.jobs[name]
    assert response.data == {"JobArn": job.arn, "JobName": name}
    assert job.status == "PENDING"
    assert job.request["InputConfig"]["JobDurationInSeconds"] == 7200
    assert {"Key": CREATE_REQUEST_TAG, "Value": digest} in job.tags
    assert {"Key": "team", "Value": "ml"} in job.tags
    assert response.headers.get("content-type", "") == ""
    assert cfn_receiver.rejected == []


def test_create_uses_the_users_job_name(fake_sagemaker, cfn_receiver):
    response = _create(cfn_receiver, {**copy.deepcopy(REQUEST), "JobName": "Bert-Load-1"})

    assert response.status == "SUCCESS", response.reason
    assert response.body["PhysicalResourceId"] == "Bert-Load-1"
    assert response.data["JobArn"].endswith("/bert-load-1")
    assert fake_sagemaker.running_jobs() == ["Bert-Load-1"]


def test_redelivered_create_adopts_the_job_instead_of_starting_another(
    fake_sagemaker, cfn_receiver
):
    event = _event(cfn_receiver, "Create")
    handler(event, LambdaContext())
    handler(copy.deepcopy(event), LambdaContext())

    answers = [r for r in cfn_receiver.responses if r.request_id == event["RequestId"]]
    assert [answer.status for answer in answers] == ["SUCCESS", "SUCCESS"]
    assert answers[0].body["PhysicalResourceId"] == answers[1].body["PhysicalResourceId"]
    assert answers[0].data == answers[1].data
    assert len(fake_sagemaker.jobs) == 1
    assert fake_sagemaker.operations().count("CreateInferenceRecommendationsJob") == 1


def test_create_refuses_a_name_taken_by_another_job(fake_sagemaker, cfn_receiver):
    first = _create(cfn_receiver, {**copy.deepcopy(REQUEST), "JobName": "taken"})
    assert first.status == "SUCCESS"

    second = _create(cfn_receiver, {**copy.deepcopy(REQUEST), "JobName": "taken"})

    assert second.status == "FAILED"
    assert "taken" in second.reason
    assert "never reuses" in second.reason
    assert "omit JobName" in second.reason
    assert len(fake_sagemaker.jobs) == 1
    # The rollback's Delete must leave the other job alone.
    rollback = _run(cfn_receiver, _delete(cfn_receiver, second.body["PhysicalResourceId"]))
    assert rollback.status == "SUCCESS"
    assert fake_sagemaker.running_jobs() == ["taken"]


def test_create_fails_with_sagemakers_validation_message(fake_sagemaker, cfn_receiver):
    response = _create(cfn_receiver, _changed_request(JobDurationInSeconds="99999"))

    assert response.status == "FAILED"
    assert "ValidationException" in response.reason
    assert "jobDurationInSeconds" in response.reason
    assert "Fix the request" in response.reason
    assert fake_sagemaker.jobs == {}


def test_create_fails_naming_a_property_that_is_no_number(fake_sagemaker, cfn_receiver):
    response = _create(cfn_receiver, _changed_request(JobDurationInSeconds="two hours"))

    assert response.status == "FAILED"
    assert "ResourceProperties.Request.InputConfig.JobDurationInSeconds" in response.reason
    assert "CreateInferenceRecommendationsJob" not in fake_sagemaker.operations()


def test_create_fails_on_an_unknown_member_with_botocores_message(fake_sagemaker, cfn_receiver):
    response = _create(cfn_receiver, {**copy.deepcopy(REQUEST), "JobTypo": "x"})

    assert response.status == "FAILED"
    assert "JobTypo" in response.reason
    assert fake_sagemaker.jobs == {}


def test_create_on_resource_limit_says_it_is_a_quota(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject("CreateInferenceRecommendationsJob", Fault.resource_limit_exceeded())
    event = _event(cfn_receiver, "Create")
    response = _run(cfn_receiver, event)

    assert response.status == "FAILED"
    assert "ResourceLimitExceeded" in response.reason
    assert "account quota" in response.reason
    assert "Service Quotas" in response.reason
    # SageMaker refused the only attempt: no job can exist, so the id says so and the
    # rollback's Delete does not look for one.
    digest = names.request_digest(STACK, LOGICAL_ID, event["RequestId"])
    assert response.body["PhysicalResourceId"] == names.no_job_marker(digest)


def test_throttled_create_is_retried_then_succeeds(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject("CreateInferenceRecommendationsJob", Fault.throttling())
    response = _create(cfn_receiver)

    assert response.status == "SUCCESS", response.reason
    assert fake_sagemaker.operations().count("CreateInferenceRecommendationsJob") == 2
    assert len(fake_sagemaker.jobs) == 1


def test_create_that_raced_its_redelivery_adopts_the_job(fake_sagemaker, cfn_receiver):
    event = _event(cfn_receiver, "Create")
    handler(event, LambdaContext())
    # As if the second delivery's Describe had come before the first one's Create.
    fake_sagemaker.inject(
        "DescribeInferenceRecommendationsJob", Fault.validation("Could not find job.")
    )
    handler(copy.deepcopy(event), LambdaContext())

    answers = [r for r in cfn_receiver.responses if r.request_id == event["RequestId"]]
    assert [answer.status for answer in answers] == ["SUCCESS", "SUCCESS"]
    assert len(fake_sagemaker.jobs) == 1


# -- Update ----------------------------------------------------------------------------------------


def test_update_with_unchanged_request_keeps_the_job(fake_sagemaker, cfn_receiver):
    created = _create(cfn_receiver)
    name = created.body["PhysicalResourceId"]
    event = _update(cfn_receiver, name, copy.deepcopy(REQUEST))
    event["ResourceProperties"]["JobNamePrefix"] = "other-prefix"  # not part of the request

    response = _run(cfn_receiver, event)

    assert response.status == "SUCCESS", response.reason
    assert response.body["PhysicalResourceId"] == name
    assert response.data == created.data
    assert fake_sagemaker.operations().count("CreateInferenceRecommendationsJob") == 1


def test_update_with_unchanged_request_of_a_vanished_job_builds_the_arn(
    fake_sagemaker, cfn_receiver
):
    response = _run(cfn_receiver, _update(cfn_receiver, "Gone-Job", copy.deepcopy(REQUEST)))

    assert response.status == "SUCCESS"
    assert response.data == {
        "JobArn": "arn:aws:sagemaker:us-east-1:123456789012:inference-recommendations-job/gone-job",
        "JobName": "Gone-Job",
    }
    assert fake_sagemaker.jobs == {}


def test_update_with_changed_request_starts_a_new_job_and_delete_stops_the_old(
    fake_sagemaker, cfn_receiver
):
    old_name = _create(cfn_receiver).body["PhysicalResourceId"]
    changed = _changed_request(JobDurationInSeconds="3600")

    update = _update(cfn_receiver, old_name, changed)
    response = _run(cfn_receiver, update)

    new_name = response.body["PhysicalResourceId"]
    digest = names.request_digest(STACK, LOGICAL_ID, update["RequestId"])
    assert response.status == "SUCCESS", response.reason
    assert new_name == f"{PREFIX}-{digest[:12]}" != old_name
    assert fake_sagemaker.jobs[new_name].request["InputConfig"]["JobDurationInSeconds"] == 3600
    assert response.data["JobName"] == new_name

    # CloudFormation then deletes the old physical id.
    cleanup = _run(cfn_receiver, _delete(cfn_receiver, old_name))
    assert cleanup.status == "SUCCESS"
    assert cleanup.body["PhysicalResourceId"] == old_name
    assert fake_sagemaker.jobs[old_name].status == "STOPPING"
    assert fake_sagemaker.running_jobs() == [new_name]


def test_update_reusing_the_users_job_name_fails_without_a_job(fake_sagemaker, cfn_receiver):
    named = {**copy.deepcopy(REQUEST), "JobName": "bert-load"}
    _create(cfn_receiver, named)
    changed = {**_changed_request(JobDurationInSeconds="3600"), "JobName": "bert-load"}

    response = _run(cfn_receiver, _update(cfn_receiver, "bert-load", changed, named))

    assert response.status == "FAILED"
    assert "JobName is still bert-load" in response.reason
    assert "change JobName" in response.reason
    assert response.body["PhysicalResourceId"] != "bert-load"
    assert list(fake_sagemaker.jobs) == ["bert-load"]
    assert fake_sagemaker.operations().count("CreateInferenceRecommendationsJob") == 1


def test_update_with_unreadable_old_properties_starts_a_new_job(fake_sagemaker, cfn_receiver):
    old_name = _create(cfn_receiver).body["PhysicalResourceId"]
    event = _update(cfn_receiver, old_name, copy.deepcopy(REQUEST))
    event["OldResourceProperties"] = {"Request": "garbled"}

    response = _run(cfn_receiver, event)

    assert response.status == "SUCCESS", response.reason
    assert response.body["PhysicalResourceId"] != old_name
    assert len(fake_sagemaker.running_jobs()) == 2


# -- Delete ----------------------------------------------------------------------------------------


def test_delete_stops_a_running_job(fake_sagemaker, cfn_receiver):
    name = _create(cfn_receiver).body["PhysicalResourceId"]
    fake_sagemaker.advance(120)
    assert fake_sagemaker.jobs[name].status == "IN_PROGRESS"

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "SUCCESS", response.reason
    assert response.body["PhysicalResourceId"] == name
    assert fake_sagemaker.jobs[name].status == "STOPPING"
    fake_sagemaker.advance(60)
    assert fake_sagemaker.jobs[name].status == "STOPPED"


@pytest.mark.parametrize("outcome", ["COMPLETED", "FAILED"])
def test_delete_of_a_finished_job_does_not_stop_it(fake_sagemaker, cfn_receiver, outcome):
    name = _create(cfn_receiver).body["PhysicalResourceId"]
    fake_sagemaker.set_outcome(name, outcome)
    fake_sagemaker.advance(10_000)

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "SUCCESS"
    assert fake_sagemaker.jobs[name].status == outcome
    assert "StopInferenceRecommendationsJob" not in fake_sagemaker.operations()


def test_delete_after_a_failed_create_succeeds(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject("CreateInferenceRecommendationsJob", Fault.resource_limit_exceeded())
    failed = _create(cfn_receiver)
    assert failed.status == "FAILED"

    response = _run(cfn_receiver, _delete(cfn_receiver, failed.body["PhysicalResourceId"]))

    assert response.status == "SUCCESS"
    assert response.body["PhysicalResourceId"] == failed.body["PhysicalResourceId"]
    assert "StopInferenceRecommendationsJob" not in fake_sagemaker.operations()


@pytest.mark.parametrize(
    "physical_id",
    ["never-created-job", "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED"],
)
def test_delete_of_a_job_that_never_existed_succeeds(fake_sagemaker, cfn_receiver, physical_id):
    response = _run(cfn_receiver, _delete(cfn_receiver, physical_id))

    assert response.status == "SUCCESS"
    assert response.body["PhysicalResourceId"] == physical_id
    assert "StopInferenceRecommendationsJob" not in fake_sagemaker.operations()


def test_delete_counts_a_job_that_ended_before_the_stop_as_done(fake_sagemaker, cfn_receiver):
    name = _create(cfn_receiver).body["PhysicalResourceId"]

    def finish() -> None:  # the job ends between the Delete's Describe and its Stop
        fake_sagemaker.set_outcome(name, "COMPLETED")
        fake_sagemaker.advance(100_000)

    fake_sagemaker.inject("DescribeInferenceRecommendationsJob", Fault.then(finish))

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "SUCCESS"
    assert response.reason == f"Job {name} no longer runs"
    assert fake_sagemaker.jobs[name].status == "COMPLETED"


def test_delete_fails_when_the_stop_is_refused_and_the_job_still_runs(fake_sagemaker, cfn_receiver):
    name = _create(cfn_receiver).body["PhysicalResourceId"]
    fake_sagemaker.inject("StopInferenceRecommendationsJob", Fault.validation("Bad request."))

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "FAILED"
    assert "ValidationException: Bad request." in response.reason
    assert "may still be running" in response.reason
    assert fake_sagemaker.running_jobs() == [name]


def test_a_refused_stop_that_mentions_a_status_is_not_taken_for_a_finished_job(
    fake_sagemaker, cfn_receiver
):
    # The wording of SageMaker's refusal decides nothing: Describe says the job still runs.
    name = _create(cfn_receiver).body["PhysicalResourceId"]
    fake_sagemaker.inject(
        "StopInferenceRecommendationsJob",
        Fault.validation("Upstream answered with an invalid status code; try again."),
    )

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "FAILED"
    assert "may still be running" in response.reason
    assert fake_sagemaker.running_jobs() == [name]


def test_delete_fails_when_sagemaker_keeps_failing(fake_sagemaker, cfn_receiver):
    name = _create(cfn_receiver).body["PhysicalResourceId"]
    fake_sagemaker.inject(
        "DescribeInferenceRecommendationsJob", Fault.server_error(), times=6
    )  # 1 + 5 retries

    response = _run(cfn_receiver, _delete(cfn_receiver, name))

    assert response.status == "FAILED"
    assert "InternalFailure" in response.reason
    assert response.body["PhysicalResourceId"] == name
    assert fake_sagemaker.running_jobs() == [name]


# -- Always answer, once, in time ------------------------------------------------------------------


def test_sagemaker_hanging_is_answered_failed_before_the_deadline(fake_sagemaker, cfn_receiver):
    # Every attempt hangs (1 + botocore's 4 retries): one hung call alone may be retried in time.
    fake_sagemaker.inject("DescribeInferenceRecommendationsJob", Fault.hang(), times=5)
    event = _event(cfn_receiver, "Create")
    started = time.monotonic()

    # 20 % (0.5 s) kept back to answer, a hundred times what answering takes: enough on a
    # loaded machine (the suite under `taskset -c 0` beside a CPU hog passes).
    response = _run(cfn_receiver, event, seconds=2.5)

    assert time.monotonic() - started < 2.5
    assert response.status == "FAILED"
    assert "SageMaker did not answer within 2.0 s" in response.reason
    digest = names.request_digest(STACK, LOGICAL_ID, event["RequestId"])
    assert response.body["PhysicalResourceId"] == f"{PREFIX}-{digest[:12]}"


def test_no_call_follows_the_answer_after_a_timeout(fake_sagemaker, cfn_receiver):
    fake_sagemaker.inject("CreateInferenceRecommendationsJob", Fault.hang())
    event = _event(cfn_receiver, "Create")
    workers: list[threading.Thread] = []

    def client(_read_timeout: float) -> Any:
        workers.append(threading.current_thread())  # the thread that makes the calls
        return default_client(read_timeout=0.6)

    # Answer after 0.5 s; botocore gives up on the hung Create after 0.6 s and would retry it.
    # The reserve is generous so a loaded machine still delivers the answer in time.
    handler_module.handle(event, LambdaContext(3.0), client_factory=client, reserve_seconds=2.5)
    failed = cfn_receiver.response_for(event["RequestId"])
    assert failed.status == "FAILED"
    assert "did not answer within 0.5 s" in failed.reason

    # Past botocore's read timeout, the work gives up without trying the Create again: its
    # thread ends, having sent one Create.
    (worker,) = workers
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert fake_sagemaker.operations().count("CreateInferenceRecommendationsJob") == 1
    assert fake_sagemaker.jobs == {}


def test_a_job_created_after_the_timeout_is_stopped_by_the_rollback(fake_sagemaker, cfn_receiver):
    create_may_land = threading.Event()  # SageMaker acts on the Create only after the answer
    fake_sagemaker.inject("CreateInferenceRecommendationsJob", Fault.held(create_may_land))
    event = _event(cfn_receiver, "Create")
    handler_module.handle(event, LambdaContext(3.0), reserve_seconds=2.5)
    failed = cfn_receiver.response_for(event["RequestId"])
    assert failed.status == "FAILED"
    assert fake_sagemaker.jobs == {}

    name = failed.body["PhysicalResourceId"]
    create_may_land.set()
    # SageMaker got the Create and starts the job after all.
    assert fake_sagemaker.wait_until(lambda: name in fake_sagemaker.jobs)
    assert fake_sagemaker.running_jobs() == [name]

    rollback = _run(cfn_receiver, _delete(cfn_receiver, name))
    assert rollback.status == "SUCCESS"
    assert fake_sagemaker.jobs[name].status == "STOPPING"


def test_response_put_failing_once_is_retried(fake_sagemaker, cfn_receiver):
    cfn_receiver.fail_next(1, status=503)
    event = _event(cfn_receiver, "Create")

    response = _run(cfn_receiver, event)

    assert response.status == "SUCCESS"
    outcomes = [r.outcome for r in cfn_receiver.received if r.request_id == event["RequestId"]]
    assert outcomes == ["failed", "accepted"]
    assert len(fake_sagemaker.jobs) == 1


def test_malformed_event_is_answered_failed_naming_the_property(fake_sagemaker, cfn_receiver):
    event = _event(cfn_receiver, "Create")
    del event["ResourceProperties"]["Request"]

    response = _run(cfn_receiver, event)

    assert response.status == "FAILED"
    assert "ResourceProperties.Request" in response.reason
    assert not names.is_job_name(response.body["PhysicalResourceId"])
    assert fake_sagemaker.calls == []


@pytest.mark.usefixtures("fake_sagemaker")
def test_bad_job_name_prefix_is_answered_failed(cfn_receiver):
    event = _event(cfn_receiver, "Create")
    event["ResourceProperties"]["JobNamePrefix"] = "Not_Valid"

    response = _run(cfn_receiver, event)

    assert response.status == "FAILED"
    assert "JobNamePrefix" in response.reason


@pytest.mark.parametrize("event", [None, "Create", [], {"RequestType": "Create"}])
def test_events_without_a_response_url_are_only_logged(fake_sagemaker, cfn_receiver, event):
    handler(event, LambdaContext())

    assert cfn_receiver.received == []
    assert fake_sagemaker.calls == []


@pytest.mark.usefixtures("fake_sagemaker")
def test_unexpected_errors_are_answered_failed(cfn_receiver):
    def broken_factory(_: float) -> Any:
        raise RuntimeError("no client today")

    event = _event(cfn_receiver, "Create")
    handler_module.handle(event, LambdaContext(), client_factory=broken_factory)

    response = cfn_receiver.response_for(event["RequestId"])
    assert response.status == "FAILED"
    assert "RuntimeError: no client today" in response.reason


@pytest.mark.usefixtures("fake_sagemaker")
def test_logs_are_json_and_never_show_the_signed_url(cfn_receiver, caplog, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    cfn_receiver.fail_next(1)
    created = _create(cfn_receiver)
    _run(cfn_receiver, _delete(cfn_receiver, created.body["PhysicalResourceId"]))
    bad = _event(cfn_receiver, "Create")
    bad["ResourceProperties"] = "oops"
    handler(bad, LambdaContext())

    assert cfn_receiver.signature not in caplog.text
    assert "X-Amz-Signature" not in caplog.text
    lines = [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "infrec_cdk.handler"
    ]
    actions = {(line["request_type"], line["action"], line["outcome"]) for line in lines}
    assert ("Create", "create", "created") in actions
    assert ("Delete", "stop", "stopping") in actions
    assert ("Create", "respond", "retry") in actions
    for line in lines:
        assert {"request_type", "request_id", "logical_resource_id", "action", "outcome"} <= set(
            line
        )
        assert {"physical_resource_id", "job_name"} <= set(line)


@pytest.mark.usefixtures("fake_sagemaker")
def test_info_logs_hold_no_full_payloads(cfn_receiver, caplog, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    caplog.set_level(logging.DEBUG)
    _create(cfn_receiver)

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name == "infrec_cdk.handler")
    assert "created" in ours
    assert ROLE not in ours
    assert "ResourceProperties" not in ours
