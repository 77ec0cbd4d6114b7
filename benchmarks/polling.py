"""P4: how often a waiting job is polled, and the API calls each poll makes.

The rate comes from the synthesized template (the stack's poll rule and the wait conditions it
lists); the calls are counted by running the real sweep once, over jobs in progress, against the
tests' fake SageMaker and the harness's CloudFormation API, over HTTP through boto3.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.timing import ROOT

__all__ = ["PollingCost", "measure"]

_RATE = re.compile(r"rate\((?P<count>\d+) (?P<unit>minute|minutes|hour|hours)\)")


@dataclass(frozen=True)
class PollingCost:
    """Polls and API calls per waiting job per minute."""

    jobs: int
    rules: int
    polls_per_job_per_minute: float
    calls_per_poll: dict[str, float]  # SageMaker and CloudFormation calls per waiting job
    calls_per_sweep: dict[str, int]  # calls a sweep makes once, whatever the number of jobs
    calls_per_wait: dict[str, float]  # calls made once per wait, at its first poll

    @property
    def calls_per_job_per_minute(self) -> float:
        """API calls per waiting job per minute (SageMaker and CloudFormation)."""
        return self.polls_per_job_per_minute * sum(self.calls_per_poll.values())


def _polls_per_minute(schedule: str) -> float:
    match = _RATE.fullmatch(schedule)
    if match is None:
        raise ValueError(f"unexpected schedule {schedule!r}")
    minutes = int(match["count"]) * (60 if match["unit"].startswith("hour") else 1)
    return 1 / minutes


def _synthesized_rules(jobs: int) -> list[dict[str, Any]]:
    """The poll rules of a stack of ``jobs`` waiting jobs with the default ``Wait()``."""
    import aws_cdk as cdk  # noqa: PLC0415
    from aws_cdk.assertions import Template  # noqa: PLC0415

    from infrec_cdk import InferenceRecommendationsJob, ModelSource, Wait  # noqa: PLC0415

    stack = cdk.Stack(cdk.App(), "Polling")
    for index in range(jobs):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(
                "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/3"
            ),
            wait=Wait(),
        )
    rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
    return [
        rule["Properties"]
        for rule in rules.values()
        if "ScheduleExpression" in rule.get("Properties", {})
    ]


def _listed(rule: dict[str, Any]) -> int:
    """How many wait conditions the rule's input lists (each is polled once a fire)."""
    text = json.dumps(rule["Targets"][0]["Input"])
    return len(re.findall(r"WaitCondition", text))


def _calls_per_sweep(
    waiting: int,
) -> tuple[dict[str, float], dict[str, int], dict[str, float]]:
    """Run two sweeps over ``waiting`` jobs in progress, as one execution environment would.

    Return the second's calls per job and per sweep (every later poll makes the same), and the
    calls per job the first made besides (once per wait).
    """
    sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]
    import boto3  # noqa: PLC0415

    from tests.fakes.sagemaker import REGION, FakeSageMaker  # noqa: PLC0415
    from tests.harness.deploy import LambdaContext  # noqa: PLC0415
    from tests.harness.resolve import STACK_ID  # noqa: PLC0415
    from tests.harness.stack_api import StackApi, StackResource  # noqa: PLC0415

    resources = [
        StackResource(
            f"Wait{n}",
            f"Wait{n}",
            "AWS::CloudFormation::WaitCondition",
            "CREATE_IN_PROGRESS",
            {"infrec-cdk:wait": {"JobName": f"bench-job-{n}", "SignalUrl": "http://127.0.0.1:9/x"}},
        )
        for n in range(waiting)
    ]
    with FakeSageMaker() as fake, StackApi(lambda: resources) as api:
        os.environ.update(
            AWS_ENDPOINT_URL_SAGEMAKER=fake.endpoint_url,
            AWS_ENDPOINT_URL_CLOUDFORMATION=api.url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (the fake's)
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        import sweep  # noqa: PLC0415 (lambda/sweep.py, on the path above)

        for n in range(waiting):
            boto3.client("sagemaker").create_inference_recommendations_job(
                JobName=f"bench-job-{n}",
                JobType="Default",
                RoleArn="arn:aws:iam::123456789012:role/job",
                InputConfig={
                    "ModelPackageVersionArn": (
                        "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"
                    )
                },
            )
        fake.advance(120)
        event = {
            "StackId": STACK_ID,
            "RuleName": "r",
            "Conditions": [r.logical_id for r in resources],
        }
        sweep.handle(event, LambdaContext(60, "waiter"))
        first = list(api.calls)
        api.calls.clear()
        before = len(fake.operations())
        sweep.handle(event, LambdaContext(60, "waiter"))
        per_job: dict[str, float] = {}
        for operation in fake.operations()[before:]:
            per_job[operation] = per_job.get(operation, 0) + 1 / waiting
        once = {call: api.calls.count(call) for call in dict.fromkeys(api.calls)}
        if "DescribeStackResource" in once:
            per_job["DescribeStackResource"] = once.pop("DescribeStackResource") / waiting
        per_wait = {
            call: (first.count(call) - api.calls.count(call)) / waiting
            for call in dict.fromkeys(first)
            if first.count(call) > api.calls.count(call)
        }
        return per_job, once, per_wait


def measure(jobs: int = 3) -> PollingCost:
    """Synthesize ``jobs`` waiting jobs, read the poll rules, and count one sweep's calls."""
    rules = _synthesized_rules(jobs)
    polls = sum(
        _polls_per_minute(str(rule["ScheduleExpression"])) * _listed(rule) for rule in rules
    )
    per_job, per_sweep, per_wait = _calls_per_sweep(jobs)
    return PollingCost(
        jobs=jobs,
        rules=len(rules),
        polls_per_job_per_minute=polls / jobs,
        calls_per_poll=per_job,
        calls_per_sweep=per_sweep,
        calls_per_wait=per_wait,
    )
