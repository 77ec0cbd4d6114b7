"""P4: how often a waiting job is polled, and the SageMaker calls each poll makes.

The rate comes from the synthesized template (the EventBridge rules that invoke the waiter);
the calls per poll are counted by running the real poll once, for a job in progress, against
the tests' fake SageMaker over HTTP through boto3.
"""

from __future__ import annotations

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
    """Polls and SageMaker calls per waiting job per minute."""

    jobs: int
    rules: int
    polls_per_job_per_minute: float
    calls_per_poll: dict[str, int]

    @property
    def calls_per_job_per_minute(self) -> float:
        """SageMaker API calls per waiting job per minute."""
        return self.polls_per_job_per_minute * sum(self.calls_per_poll.values())


def _polls_per_minute(schedule: str) -> float:
    match = _RATE.fullmatch(schedule)
    if match is None:
        raise ValueError(f"unexpected schedule {schedule!r}")
    minutes = int(match["count"]) * (60 if match["unit"].startswith("hour") else 1)
    return 1 / minutes


def _synthesized_rules(jobs: int) -> list[dict[str, Any]]:
    """The poll rules of a stack of ``jobs`` waiting jobs with the default ``Wait()``."""
    from infrec_cdk import InferenceRecommendationsJob, ModelSource, Wait  # noqa: PLC0415

    import aws_cdk as cdk  # noqa: PLC0415
    from aws_cdk.assertions import Template  # noqa: PLC0415

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


def _calls_per_poll() -> dict[str, int]:
    """Run one poll of a job in progress against the fake SageMaker; count its calls."""
    sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]
    import boto3  # noqa: PLC0415

    from tests.fakes.sagemaker import REGION, FakeSageMaker  # noqa: PLC0415
    from tests.harness.deploy import LambdaContext  # noqa: PLC0415

    with FakeSageMaker() as fake:
        os.environ.update(
            AWS_ENDPOINT_URL_SAGEMAKER=fake.endpoint_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (the fake's)
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        import poll  # noqa: PLC0415 (lambda/poll.py, on the path above)

        boto3.client("sagemaker").create_inference_recommendations_job(
            JobName="bench-job",
            JobType="Default",
            RoleArn="arn:aws:iam::123456789012:role/job",
            InputConfig={
                "ModelPackageVersionArn": (
                    "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"
                )
            },
        )
        fake.advance(120)
        before = len(fake.operations())
        poll.handle(
            {"JobName": "bench-job", "SignalUrl": "http://127.0.0.1:9/unused", "RuleName": "r"},
            LambdaContext(60, "waiter"),
        )
        calls: dict[str, int] = {}
        for operation in fake.operations()[before:]:
            calls[operation] = calls.get(operation, 0) + 1
        return calls


def measure(jobs: int = 3) -> PollingCost:
    """Synthesize ``jobs`` waiting jobs, read their poll rules, and count one poll's calls."""
    rules = _synthesized_rules(jobs)
    polls = sum(_polls_per_minute(str(rule["ScheduleExpression"])) for rule in rules)
    return PollingCost(
        jobs=jobs,
        rules=len(rules),
        polls_per_job_per_minute=polls / jobs,
        calls_per_poll=_calls_per_poll(),
    )
