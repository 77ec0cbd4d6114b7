"""Small pure decisions: reasons users can act on, not-found detection, the time budget."""

from __future__ import annotations

import threading
import time

import pytest
from deadline import TIMED_OUT, remaining_seconds, response_reserve, run_within
from events import Envelope, EventError, parse_event
from jobs import JobInfo, SageMakerError
from lifecycle import (
    Progress,
    Recheck,
    _look_again,
    _until_stopped,
    initial_progress,
    invalid_event,
    sagemaker_reason,
)
from log import DecisionLog

CREATE = "CreateInferenceRecommendationsJob"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/guid"


def _log() -> DecisionLog:
    return DecisionLog(
        request_type="Create", request_id="r", logical_resource_id="L", physical_resource_id=""
    )


def test_resource_limit_reason_explains_the_quota():
    reason = sagemaker_reason(
        SageMakerError(CREATE, "ResourceLimitExceeded", "You have exceeded a limit"), "job-1"
    )
    assert reason.startswith(
        "SageMaker CreateInferenceRecommendationsJob failed for job job-1: "
        "ResourceLimitExceeded: You have exceeded a limit"
    )
    assert "account quota" in reason
    assert "Service Quotas" in reason


@pytest.mark.parametrize(
    ("operation", "code", "advice"),
    [
        (CREATE, "ValidationException", "Fix the request"),
        (CREATE, "ThrottlingException", "deploy again later"),
        (CREATE, "AccessDeniedException", "lacks this permission"),
        ("StopInferenceRecommendationsJob", "InternalFailure", "may still be running"),
    ],
)
def test_reasons_say_what_to_do(operation, code, advice):
    assert advice in sagemaker_reason(SageMakerError(operation, code, "text"), "job-1")


@pytest.mark.parametrize(
    ("code", "message", "not_found"),
    [
        ("ResourceNotFound", "Could not find job x.", True),
        ("ValidationException", "Could not find requested job with name x", True),
        ("ValidationException", "Job x does not exist.", True),
        ("ValidationException", "1 validation error detected", False),
        ("ThrottlingException", "not found", False),
    ],
)
def test_not_found_is_recognised_in_both_wordings(code, message, not_found):
    assert SageMakerError("DescribeInferenceRecommendationsJob", code, message).not_found is (
        not_found
    )


@pytest.mark.parametrize(
    ("remaining", "reserve"), [(900.0, 10.0), (50.0, 10.0), (20.0, 4.0), (3.0, 0.6)]
)
def test_reserve_is_ten_seconds_or_a_fifth_whichever_is_less(remaining, reserve):
    assert response_reserve(remaining) == pytest.approx(reserve)


class _Context:
    def __init__(self, millis: object) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> object:
        return self.millis


def test_remaining_time_comes_from_the_context_or_a_safe_default():
    assert remaining_seconds(_Context(120_000)) == 120.0
    assert remaining_seconds(_Context("soon")) == 30.0
    assert remaining_seconds(object()) == 30.0


def test_run_within_returns_the_result_or_times_out():
    assert run_within(lambda: 42, 1.0) == 42
    release = threading.Event()
    started = time.monotonic()
    assert run_within(lambda: release.wait(5), 0.1) is TIMED_OUT
    assert time.monotonic() - started < 1.0
    release.set()


def _event(request_type: str, **extra: object) -> dict[str, object]:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://example.com/r",
        "StackId": STACK,
        "RequestId": "req-1",
        "LogicalResourceId": "Job",
        "ResourceProperties": {"Request": {}, "JobNamePrefix": "app-job"},
        **extra,
    }


def test_a_create_answers_with_its_intended_name_before_anything_is_decided():
    parsed = parse_event(_event("Create"))
    progress = initial_progress(parsed)
    assert progress.snapshot() == (
        f"app-job-{parsed.envelope.digest[:12]}",
        f"app-job-{parsed.envelope.digest[:12]}",
    )


def test_an_update_answers_with_no_job_before_anything_is_decided():
    parsed = parse_event(_event("Update", PhysicalResourceId="old-job"))
    physical_id, job_name = initial_progress(parsed).snapshot()
    assert physical_id.startswith("infrec-cdk:no-job:")
    assert job_name == ""


def test_progress_changes_id_and_name_together():
    progress = Progress("marker")
    progress.name("job-2")
    assert progress.snapshot() == ("job-2", "job-2")


def test_invalid_delete_keeps_its_physical_id_others_get_the_marker():
    delete = Envelope.of(_event("Delete", PhysicalResourceId="job-1"))
    create = Envelope.of(_event("Create"))
    error = EventError("ResourceProperties.Request: missing")
    assert invalid_event(delete, error, _log()).physical_resource_id == "job-1"
    outcome = invalid_event(create, error, _log())
    assert outcome.status == "FAILED"
    assert outcome.reason == "ResourceProperties.Request: missing"
    assert outcome.physical_resource_id.startswith("infrec-cdk:no-job:")


class _NoJobs:
    """A ``Jobs`` stand-in that never finds the job; counts the Describe calls."""

    def __init__(self) -> None:
        self.describes = 0

    def describe(self, _name: str) -> None:
        self.describes += 1


def _recheck_at(now: list[float], window: float, budget: float = 110.0) -> Recheck:
    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return Recheck.within(window, budget, clock=clock, sleep=sleep)


def test_a_window_used_up_by_the_first_describe_still_gets_one_look():
    now = [1000.0]
    recheck = _recheck_at(now, 0.5)
    now[0] += 3.0  # the first Describe took longer than the whole window
    jobs = _NoJobs()

    assert _look_again("job-1", jobs, recheck, _log()) is None  # type: ignore[arg-type]

    assert jobs.describes == 1


def test_a_window_looks_until_it_ends_on_the_fake_clock():
    now = [1000.0]
    recheck = _recheck_at(now, 2.5)  # five looks, 0.5 s apart
    jobs = _NoJobs()

    _look_again("job-1", jobs, recheck, _log())  # type: ignore[arg-type]

    assert jobs.describes == 5
    assert now[0] == 1002.5


def test_a_window_of_zero_looks_no_more():
    now = [1000.0]
    jobs = _NoJobs()

    _look_again("job-1", jobs, _recheck_at(now, 0.0), _log())  # type: ignore[arg-type]

    assert jobs.describes == 0


class _StoppingJobs:
    """A ``Jobs`` stand-in whose job is STOPPING for ``describes`` Describe calls, then STOPPED."""

    def __init__(self, describes: int) -> None:
        self.left = describes
        self.describes = 0

    def describe(self, name: str) -> JobInfo:
        self.describes += 1
        self.left -= 1
        return JobInfo(
            name=name, arn=f"arn:job/{name}", status="STOPPING" if self.left else "STOPPED"
        )


def test_a_stopping_job_is_waited_for_past_the_look_again_window():
    # The look-again window is one SageMaker call's time; stopping may take longer, and the answer
    # (after which CloudFormation deletes the job's role) waits for it, within the budget.
    now = [1000.0]
    recheck = _recheck_at(now, 1.0, budget=285.0)
    jobs = _StoppingJobs(describes=12)  # stopping for about a minute, at 5 s a Describe

    reason = _until_stopped("job-1", jobs, recheck, _log())  # type: ignore[arg-type]

    assert reason == "Stopped job job-1 (STOPPED)"
    assert jobs.describes == 12
    assert recheck.until == 1001.0  # the look again ended long before


def test_the_stop_wait_ends_with_the_budget_and_says_so():
    now = [1000.0]
    jobs = _StoppingJobs(describes=10_000)

    reason = _until_stopped("job-1", jobs, _recheck_at(now, 1.0, budget=100.0), _log())  # type: ignore[arg-type]

    assert reason == "Stopping job job-1"
    assert now[0] <= 1000.0 + 100.0


def test_a_told_window_bounds_the_stop_wait_too():
    recheck = Recheck.within(0.5, 285.0, 0.5, clock=lambda: 0.0)
    assert recheck.until == recheck.stop_until == 0.5
