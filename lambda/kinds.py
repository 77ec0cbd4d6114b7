"""The kinds of SageMaker resource the job handler and the waiter serve: one table, by type.

Each kind names its operations, members and statuses exactly as botocore's SageMaker model
(``botocore/data/sagemaker/2017-07-24/service-2.json``) spells them; everything that acts on a job
(``jobs``, ``lifecycle``, ``events``, ``request``, ``poll``, ``sweep``, ``results``) reads them from
here, so a new kind is a new row, not a new module.

Sources, per kind (the SageMaker API Reference page of each operation,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_<Operation>.html, and the model):

- ``Custom::InferenceRecommendationsJob``: CreateInferenceRecommendationsJob & co. Names:
  ``RecommendationJobName`` (1-64, ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}``); statuses
  ``RecommendationJobStatus`` (PENDING ... DELETED). No Delete operation: the job stays.
- ``Custom::AIRecommendationJob`` and ``Custom::AIBenchmarkJob``: Create/Describe/Stop/Delete/
  List AIRecommendationJob(s) / AIBenchmarkJob(s). Names: ``AIEntityName`` (1-63,
  ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``); statuses ``AIRecommendationJobStatus`` /
  ``AIBenchmarkJobStatus``: InProgress, Completed, Failed, Stopping, Stopped (no pending state);
  the terminal ones are Completed, Failed and Stopped, and a job is deleted only in one of them
  ("Delete a job (must be in a terminal state)", and the status loop ends on exactly those:
  https://docs.aws.amazon.com/sagemaker/latest/dg/generative-ai-inference-recommendations-get-started.html,
  https://docs.aws.amazon.com/sagemaker/latest/dg/generative-ai-inference-recommendations-benchmark.html).
- ``Custom::AIWorkloadConfig``: Create/Describe/Delete/List AIWorkloadConfig(s); no status, no
  Stop. "You cannot delete a configuration that is referenced by an active benchmark job"
  (API_DeleteAIWorkloadConfig; its errors: ResourceNotFound, ResourceInUse).

Every kind takes ``Tags`` (``TagList``, at most 50) in its Create request and answers them in its
Describe. Whether SageMaker lowercases the name in an AI resource's ARN is not documented (the ARN
patterns allow capitals; it does for the classic job): generated names are lowercase anyway.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Final

from botocore import xform_name

__all__ = [
    "AI_BENCHMARK_JOB",
    "AI_RECOMMENDATION_JOB",
    "AI_WORKLOAD_CONFIG",
    "CLASSIC",
    "KINDS",
    "Kind",
    "of",
]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Kind:
    """One resource type the handler serves, and the SageMaker API behind it."""

    resource_type: str
    noun: str  # what a user calls one, for reasons: "job", "workload configuration"
    create: str
    describe: str
    stop: str | None  # None: nothing runs, nothing to stop
    delete: str | None  # None: SageMaker keeps the resource for good
    list: str
    name_member: str  # in every request, and in the Describe answer
    name_max: int
    create_arn_member: str  # in the Create answer
    arn_member: str  # in the Describe answer
    arn_resource: str  # the ARN's resource type: arn:...:<arn_resource>/<name>
    status_member: str | None  # None: no status, it exists or not
    running: frozenset[str] = frozenset()  # a Stop stops it
    stopping: frozenset[str] = frozenset()  # stopping: wait for it
    ended: frozenset[str] = frozenset()  # terminal: a wait ends, a Delete may delete it
    finished: frozenset[str] = frozenset()  # nothing to stop (ended, and any passing state)
    completed: str = ""  # the status of success
    end_time_member: str = ""
    type_member: str = ""  # the job's own type member, if any (JobType)
    recommendations_member: str = ""  # where a finished job lists its recommendations
    steps_operation: str = ""  # lists the job's steps, if SageMaker has such an operation
    takes_tags: bool = True
    arn_attributes: tuple[str, ...] = ("JobArn",)  # the custom resource's attribute names
    name_attributes: tuple[str, ...] = ("JobName",)
    event_detail_type: str = ""  # of the completion event the waiter publishes

    @property
    def is_classic(self) -> bool:
        """Whether this is the Inference Recommender job of earlier versions."""
        return self is CLASSIC

    def method(self, operation: str) -> str:
        """Return the boto3 client method of ``operation`` (``create_ai_recommendation_job``)."""
        return xform_name(operation)

    def is_name(self, name: str) -> bool:
        """Tell whether ``name`` is a valid name of this kind (never the no-job marker)."""
        return len(name) <= self.name_max and _NAME.fullmatch(name) is not None

    def attributes(self, arn: str, name: str) -> dict[str, str]:
        """Return the attributes a Create or Update answers: the ARN and the name, by each key."""
        return {
            **dict.fromkeys(self.arn_attributes, arn),
            **dict.fromkeys(self.name_attributes, name),
        }

    def cli(self, name: str) -> str:
        """Return the AWS CLI command that describes ``name``."""
        option = xform_name(self.name_member, "-")
        return f"aws sagemaker {xform_name(self.describe, '-')} --{option} {name}"


# botocore's RecommendationJobName and AIEntityName share the pattern; the kind bounds the length.
_NAME: Final = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")

CLASSIC: Final = Kind(
    resource_type="Custom::InferenceRecommendationsJob",
    noun="job",
    create="CreateInferenceRecommendationsJob",
    describe="DescribeInferenceRecommendationsJob",
    stop="StopInferenceRecommendationsJob",
    delete=None,
    list="ListInferenceRecommendationsJobs",
    name_member="JobName",
    name_max=64,
    create_arn_member="JobArn",
    arn_member="JobArn",
    arn_resource="inference-recommendations-job",
    status_member="Status",
    running=frozenset({"PENDING", "IN_PROGRESS"}),
    stopping=frozenset({"STOPPING"}),
    ended=frozenset({"COMPLETED", "FAILED", "STOPPED", "DELETED"}),
    finished=frozenset({"COMPLETED", "FAILED", "STOPPED", "DELETING", "DELETED"}),
    completed="COMPLETED",
    end_time_member="CompletionTime",
    type_member="JobType",
    recommendations_member="InferenceRecommendations",
    steps_operation="ListInferenceRecommendationsJobSteps",
    event_detail_type="Inference Recommendations Job State Change",
)

_AI_RUNNING: Final = frozenset({"InProgress"})
_AI_STOPPING: Final = frozenset({"Stopping"})
_AI_ENDED: Final = frozenset({"Completed", "Failed", "Stopped"})

AI_RECOMMENDATION_JOB: Final = Kind(
    resource_type="Custom::AIRecommendationJob",
    noun="job",
    create="CreateAIRecommendationJob",
    describe="DescribeAIRecommendationJob",
    stop="StopAIRecommendationJob",
    delete="DeleteAIRecommendationJob",
    list="ListAIRecommendationJobs",
    name_member="AIRecommendationJobName",
    name_max=63,
    create_arn_member="AIRecommendationJobArn",
    arn_member="AIRecommendationJobArn",
    arn_resource="ai-recommendation-job",
    status_member="AIRecommendationJobStatus",
    running=_AI_RUNNING,
    stopping=_AI_STOPPING,
    ended=_AI_ENDED,
    finished=_AI_ENDED,
    completed="Completed",
    end_time_member="EndTime",
    recommendations_member="Recommendations",
    arn_attributes=("JobArn", "Arn"),
    name_attributes=("JobName", "Name"),
    event_detail_type="AI Recommendation Job State Change",
)

AI_BENCHMARK_JOB: Final = Kind(
    resource_type="Custom::AIBenchmarkJob",
    noun="job",
    create="CreateAIBenchmarkJob",
    describe="DescribeAIBenchmarkJob",
    stop="StopAIBenchmarkJob",
    delete="DeleteAIBenchmarkJob",
    list="ListAIBenchmarkJobs",
    name_member="AIBenchmarkJobName",
    name_max=63,
    create_arn_member="AIBenchmarkJobArn",
    arn_member="AIBenchmarkJobArn",
    arn_resource="ai-benchmark-job",
    status_member="AIBenchmarkJobStatus",
    running=_AI_RUNNING,
    stopping=_AI_STOPPING,
    ended=_AI_ENDED,
    finished=_AI_ENDED,
    completed="Completed",
    end_time_member="EndTime",
    arn_attributes=("JobArn", "Arn"),
    name_attributes=("JobName", "Name"),
    event_detail_type="AI Benchmark Job State Change",
)

AI_WORKLOAD_CONFIG: Final = Kind(
    resource_type="Custom::AIWorkloadConfig",
    noun="workload configuration",
    create="CreateAIWorkloadConfig",
    describe="DescribeAIWorkloadConfig",
    stop=None,
    delete="DeleteAIWorkloadConfig",
    list="ListAIWorkloadConfigs",
    name_member="AIWorkloadConfigName",
    name_max=63,
    create_arn_member="AIWorkloadConfigArn",
    arn_member="AIWorkloadConfigArn",
    arn_resource="ai-workload-config",
    status_member=None,
    arn_attributes=("Arn", "AIWorkloadConfigArn"),
    name_attributes=("Name", "AIWorkloadConfigName"),
)

KINDS: Final[Mapping[str, Kind]] = {
    kind.resource_type: kind
    for kind in (CLASSIC, AI_RECOMMENDATION_JOB, AI_BENCHMARK_JOB, AI_WORKLOAD_CONFIG)
}


def of(resource_type: object) -> Kind:
    """Return the kind of ``resource_type``; the classic job for any other (or none).

    Stacks deployed by earlier versions send ``Custom::InferenceRecommendationsJob`` (or, in a
    wait's metadata, nothing): they keep the behaviour they had.
    """
    return KINDS.get(resource_type, CLASSIC) if isinstance(resource_type, str) else CLASSIC
