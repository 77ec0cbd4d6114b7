"""A fake SageMaker Inference Recommender: a real HTTP server speaking the JSON 1.1 protocol.

The real boto3 client reaches it through ``AWS_ENDPOINT_URL_SAGEMAKER``. Every request is checked
against botocore's service model (including ``max``, ``pattern`` and ``enum``, which botocore's
client does not check); job statuses move on a clock the test controls
(:meth:`FakeSageMaker.advance`).
"""

from __future__ import annotations

import base64
import collections
import copy
import dataclasses
import functools
import hashlib
import json
import re
import sys
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from typing import Any, ClassVar, Final, Literal

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from tests.fakes.loopback import HttpReply, HttpRequest, LoopbackService

__all__ = [
    "ACCOUNT",
    "REGION",
    "SCALING_METRIC",
    "ApiError",
    "FakeSageMaker",
    "Fault",
    "Job",
    "ShapeValidator",
    "java_pattern",
]

REGION: Final = "us-east-1"
ACCOUNT: Final = "123456789012"
JSON_CONTENT_TYPE: Final = "application/x-amz-json-1.1"
TERMINAL: Final = frozenset({"COMPLETED", "FAILED", "STOPPED"})
SCALING_METRIC: Final = "SageMakerVariantInvocationsPerInstance"
RUNNING: Final = frozenset({"PENDING", "IN_PROGRESS"})


# --------------------------------------------------------------------------------------------------
# Model validation


_UNICODE_CLASS = re.compile(r"\\([pP])\{(\w+)\}")
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_QUANTIFIED_ANCHOR = re.compile(r"(?<!\\)\$\{\d+(?:,\d*)?\}")
_POSIX_CLASSES: Final = {
    "Alnum": "a-zA-Z0-9",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Lower": "a-z",
    "Upper": "A-Z",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    # Java's \p{Print}, printable US-ASCII (application-autoscaling's model uses it).
    "Print": "\\x20-\\x7e",
}


@functools.cache
def _unicode_ranges() -> dict[str, list[tuple[int, int]]]:
    """Code-point ranges of every two-letter Unicode general category (one scan, cached)."""
    ranges: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    current, start = unicodedata.category("\0"), 0
    for code in range(1, sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category != current:
            ranges[current].append((start, code - 1))
            current, start = category, code
    ranges[current].append((start, sys.maxunicode))
    return dict(ranges)


def _class_body(name: str) -> str:
    """Character-class body (no brackets) for a Java ``\\p{name}``."""
    if name in _POSIX_CLASSES:
        return _POSIX_CLASSES[name]
    spans = [
        span for cat, found in _unicode_ranges().items() if cat.startswith(name) for span in found
    ]
    if not spans:
        raise ValueError(f"unsupported Java character class \\p{{{name}}}")
    return "".join(
        f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"
        for first, last in spans
    )


def _translate(pattern: str) -> str:
    """Rewrite the Java-only parts of a model pattern into Python ``re`` syntax."""
    pattern = _SURROGATE_PAIR.sub(
        lambda m: f"\\U{0x10000 + ((int(m[1], 16) - 0xD800) << 10) + int(m[2], 16) - 0xDC00:08x}",
        pattern,
    )
    pattern = _QUANTIFIED_ANCHOR.sub("$", pattern)  # Java accepts `${1,128}`; it means `$`
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            match = _UNICODE_CLASS.match(pattern, index)
            if match is None:
                out.append(pattern[index : index + 2])
                index += 2
                continue
            negated, body = match[1] == "P", _class_body(match[2])
            if negated and in_class:
                raise ValueError(f"unsupported negated class inside a class: {pattern}")
            out.append(body if in_class else f"[{'^' if negated else ''}{body}]")
            index = match.end()
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@functools.cache
def java_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a botocore model pattern (Java syntax; ``\\w``, ``\\d``, ``\\s`` are ASCII)."""
    return re.compile(_translate(pattern), re.ASCII)


def _camel(member: str) -> str:
    return member[:1].lower() + member[1:]


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


class ShapeValidator:
    """Checks JSON values against botocore shapes; errors name the AWS-style member path."""

    _TYPES: ClassVar[dict[str, tuple[type, ...]]] = {
        "string": (str,),
        "blob": (str,),
        "boolean": (bool,),
        "integer": (int,),
        "long": (int,),
        "float": (int, float),
        "double": (int, float),
        "timestamp": (int, float, str),
        "structure": (dict,),
        "map": (dict,),
        "list": (list,),
    }

    def errors(self, shape: Shape, value: object, path: str = "") -> list[str]:
        """Every constraint ``value`` violates, as ``Value ... at 'path' failed ...`` texts."""
        expected = self._TYPES.get(shape.type_name, (object,))
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            return [self._fail(value, path, f"Member must be of type {shape.type_name}")]
        if isinstance(shape, StructureShape):
            return self._structure(shape, _as_dict(value), path)
        if isinstance(shape, ListShape):
            return self._size(shape, value, path) + [
                error
                for number, item in enumerate(_as_list(value), start=1)
                for error in self.errors(shape.member, item, f"{path}.{number}.member")
            ]
        if isinstance(shape, MapShape):
            return self._size(shape, value, path) + [
                error
                for key, item in _as_dict(value).items()
                for error in self.errors(shape.key, key, path)
                + self.errors(shape.value, item, f"{path}.{key}")
            ]
        if isinstance(value, str):
            return self._string(shape, value, path)
        return self._number(shape, value, path)

    def check(self, shape: Shape, value: object) -> None:
        """Raise a ``ValidationException`` ApiError listing every violation."""
        errors = self.errors(shape, value)
        if errors:
            count = len(errors)
            plural = "s" if count > 1 else ""
            raise ApiError.validation(
                f"{count} validation error{plural} detected: " + "; ".join(errors)
            )

    @staticmethod
    def _fail(value: object, path: str, constraint: str) -> str:
        shown = "null" if value is None else f"'{_shown(value)}'"
        return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"

    def _structure(self, shape: StructureShape, value: dict[str, Any], path: str) -> list[str]:
        prefix = f"{path}." if path else ""
        errors = [
            self._fail(None, prefix + _camel(name), "Member must not be null")
            for name in shape.required_members
            if value.get(name) is None
        ]
        for name, item in value.items():
            if name not in shape.members:
                errors.append(self._fail(item, prefix + _camel(name), f"Unknown member {name!r}"))
            elif item is not None:
                errors.extend(self.errors(shape.members[name], item, prefix + _camel(name)))
        if shape.metadata.get("union") and sum(item is not None for item in value.values()) != 1:
            errors.append(self._fail(value, path, "Exactly one member must be set"))
        return errors

    def _size(self, shape: Shape, value: object, path: str) -> list[str]:
        size = len(value) if isinstance(value, str | list | dict) else 0
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and size < low:
            return [
                self._fail(value, path, f"Member must have length greater than or equal to {low}")
            ]
        if high is not None and size > high:
            return [
                self._fail(value, path, f"Member must have length less than or equal to {high}")
            ]
        return []

    def _string(self, shape: Shape, value: str, path: str) -> list[str]:
        if shape.type_name == "timestamp":
            return []
        errors = self._size(shape, value, path)
        enum: list[str] = shape.metadata.get("enum", [])
        if enum and value not in enum:
            listed = ", ".join(enum[:10]) + (", ..." if len(enum) > 10 else "")
            errors.append(
                self._fail(value, path, f"Member must satisfy enum value set: [{listed}]")
            )
        pattern = shape.metadata.get("pattern")
        if pattern and not java_pattern(pattern).fullmatch(value):
            constraint = f"Member must satisfy regular expression pattern: {pattern}"
            errors.append(self._fail(value, path, constraint))
        return errors

    def _number(self, shape: Shape, value: object, path: str) -> list[str]:
        if not isinstance(value, int | float) or shape.type_name == "timestamp":
            return []
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            return [
                self._fail(value, path, f"Member must have value greater than or equal to {low}")
            ]
        if high is not None and value > high:
            return [self._fail(value, path, f"Member must have value less than or equal to {high}")]
        return []


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


# --------------------------------------------------------------------------------------------------
# Errors and faults


class ApiError(Exception):
    """An error answer in the JSON 1.1 shape: ``{"__type": code, "message": message}``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status

    @classmethod
    def validation(cls, message: str) -> ApiError:
        """A ``ValidationException``."""
        return cls("ValidationException", message)

    def reply(self) -> HttpReply:
        """The HTTP answer boto3 turns into ``ClientError``."""
        body = json.dumps({"__type": self.code, "message": self.message}).encode()
        headers = {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-ErrorType": self.code}
        return HttpReply(self.status, body, {**headers, "x-amzn-RequestId": str(uuid.uuid4())})


@dataclasses.dataclass(frozen=True)
class Fault:
    """One injected misbehaviour for one call; build with the class-method helpers."""

    kind: Literal["error", "slow", "hang", "held", "then"]
    error: ApiError | None = None
    seconds: float = 0.0
    gate: threading.Event | None = None
    action: Callable[[], None] | None = None

    @classmethod
    def throttling(cls) -> Fault:
        """HTTP 400 ``ThrottlingException`` (boto3 retries it)."""
        return cls("error", ApiError("ThrottlingException", "Rate exceeded"))

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """HTTP 5xx (``InternalFailure`` for 500, else ``ServiceUnavailable``)."""
        code = "InternalFailure" if status == 500 else "ServiceUnavailable"
        return cls("error", ApiError(code, "We encountered an internal error.", status))

    @classmethod
    def resource_in_use(cls) -> Fault:
        """HTTP 400 ``ResourceInUse``."""
        return cls("error", ApiError("ResourceInUse", "Resource being accessed is in use."))

    @classmethod
    def resource_limit_exceeded(cls) -> Fault:
        """HTTP 400 ``ResourceLimitExceeded``."""
        message = "You have exceeded an SageMaker resource limit."
        return cls("error", ApiError("ResourceLimitExceeded", message))

    @classmethod
    def validation(cls, message: str) -> Fault:
        """HTTP 400 ``ValidationException`` with ``message``."""
        return cls("error", ApiError.validation(message))

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait ``seconds`` (real time) in the server thread, then answer normally."""
        return cls("slow", seconds=seconds)

    @classmethod
    def hang(cls) -> Fault:
        """Never answer; the connection is closed unanswered when the fake stops."""
        return cls("hang")

    @classmethod
    def held(cls, gate: threading.Event) -> Fault:
        """Act on the call only once ``gate`` is set: a race ordered by the test, not by timing."""
        return cls("held", gate=gate)

    @classmethod
    def then(cls, action: Callable[[], None]) -> Fault:
        """Act on the call, then run ``action`` before the answer is sent."""
        return cls("then", action=action)


# --------------------------------------------------------------------------------------------------
# Jobs and their results


@dataclasses.dataclass(frozen=True)
class _Outcome:
    status: Literal["COMPLETED", "FAILED"] = "COMPLETED"
    failure_reason: str | None = None


@dataclasses.dataclass(eq=False)
class Job:
    """One inference recommendations job; its status follows the fake clock."""

    name: str
    arn: str
    request: dict[str, Any]
    created_at: float
    run_seconds: float
    outcome: _Outcome
    tags: list[dict[str, str]] = dataclasses.field(default_factory=list)
    status: str = "PENDING"
    last_modified: float = 0.0
    completion_time: float | None = None
    failure_reason: str | None = None
    stop_requested_at: float | None = None

    @property
    def job_type(self) -> str:
        """``Default`` or ``Advanced``."""
        return str(self.request["JobType"])

    @property
    def input_config(self) -> dict[str, Any]:
        """The request's ``InputConfig``."""
        return _as_dict(self.request.get("InputConfig"))

    @property
    def started_at(self) -> float:
        """When the job leaves PENDING."""
        return self.created_at + FakeSageMaker.PENDING_SECONDS

    @property
    def finishes_at(self) -> float:
        """When the job completes (or fails) unless stopped."""
        return self.started_at + self.run_seconds

    def refresh(self, now: float) -> None:
        """Move the status to where the clock says it is; a terminal status never changes."""
        if self.status in TERMINAL:
            return
        if self.stop_requested_at is not None:
            stopped_at = self.stop_requested_at + FakeSageMaker.STOPPING_SECONDS
            if now >= stopped_at:
                self._enter("STOPPED", stopped_at, terminal=True)
        elif now >= self.finishes_at:
            self._enter(self.outcome.status, self.finishes_at, terminal=True)
            self.failure_reason = self.outcome.failure_reason if self.status == "FAILED" else None
        elif now >= self.started_at:
            self._enter("IN_PROGRESS", self.started_at)

    def stop(self, now: float) -> None:
        """Begin stopping, or raise ``ValidationException`` if the job cannot be stopped."""
        self.refresh(now)
        if self.status not in RUNNING:
            raise ApiError.validation(
                f"The job is not in a stoppable state: job {self.name} is {self.status}."
            )
        self.stop_requested_at = now
        self._enter("STOPPING", now)

    def _enter(self, status: str, at: float, *, terminal: bool = False) -> None:
        if status != self.status:
            self.status, self.last_modified = status, at
        if terminal:
            self.completion_time = at


_DEFAULT_INSTANCE_TYPES: Final = (
    "ml.c5.xlarge",
    "ml.m5.xlarge",
    "ml.c6i.xlarge",
    "ml.g4dn.xlarge",
    "ml.m5.2xlarge",
    "ml.c5.2xlarge",
    "ml.g5.xlarge",
    "ml.r5.xlarge",
    "ml.inf1.xlarge",
    "ml.c6i.2xlarge",
)


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


class _Results:
    """Plausible, deterministic results for a job, in wire format (epoch-second timestamps)."""

    def __init__(self, job: Job, default_count: int, instance_types: frozenset[str]) -> None:
        self.job = job
        self.variants = self._variants(default_count, instance_types)

    def _variants(self, count: int, instance_types: frozenset[str]) -> list[dict[str, Any]]:
        """One endpoint input configuration per benchmark."""
        config = self.job.input_config
        if self.job.job_type == "Advanced":
            return [_as_dict(item) for item in _as_list(config.get("EndpointConfigurations"))]
        container = _as_dict(config.get("ContainerConfig"))
        if container.get("SupportedEndpointType") == "Serverless":
            return [
                {"ServerlessConfig": {"MemorySizeInMB": 1024 * (1 + i % 6), "MaxConcurrency": 20}}
                for i in range(count)
            ]
        wanted = [
            t for t in _as_list(container.get("SupportedInstanceTypes")) if t in instance_types
        ]
        candidates = wanted or list(_DEFAULT_INSTANCE_TYPES)
        return [{"InstanceType": candidates[i % len(candidates)]} for i in range(count)]

    def recommendations(self) -> list[dict[str, Any]]:
        """``InferenceRecommendations`` of a COMPLETED job."""
        return [
            {
                "RecommendationId": f"{self.job.name}/{_digest(self.job.arn, i)[:8]}",
                "Metrics": self._metrics(i, variant),
                "EndpointConfiguration": self._endpoint(i, variant),
                "ModelConfiguration": self._model(variant),
                **self._window(i),
            }
            for i, variant in enumerate(self.variants)
        ]

    def endpoint_performances(self) -> list[dict[str, Any]]:
        """``EndpointPerformances`` for the job's existing endpoints."""
        return [
            {
                "Metrics": {"MaxInvocations": 1200 + 100 * i, "ModelLatency": 35 + i},
                "EndpointInfo": {"EndpointName": _as_dict(info).get("EndpointName", "")},
            }
            for i, info in enumerate(_as_list(self.job.input_config.get("Endpoints")))
        ]

    def steps(self) -> list[dict[str, Any]]:
        """``BENCHMARK`` steps whose statuses follow the job."""
        steps = []
        for i, variant in enumerate(self.variants or [{}]):
            benchmark: dict[str, Any] = {"ModelConfiguration": self._model(variant)}
            if self.job.status == "COMPLETED":
                benchmark["Metrics"] = self._metrics(i, variant)
                benchmark["EndpointMetrics"] = {
                    "MaxInvocations": 1000 + 250 * i,
                    "ModelLatency": 20,
                }
                benchmark["EndpointConfiguration"] = self._endpoint(i, variant)
                benchmark.update(self._window(i))
            if self.job.status == "FAILED":
                benchmark["FailureReason"] = self.job.failure_reason or "Benchmark failed"
            steps.append(
                {
                    "StepType": "BENCHMARK",
                    "JobName": self.job.name,
                    "Status": self.job.status,
                    "InferenceBenchmark": benchmark,
                }
            )
        return steps

    def _window(self, i: int) -> dict[str, float]:
        share = self.job.run_seconds / max(1, len(self.variants))
        start = self.job.started_at + i * share
        return {"InvocationStartTime": start, "InvocationEndTime": start + share}

    @staticmethod
    def _metrics(i: int, variant: dict[str, Any]) -> dict[str, Any]:
        cost_per_hour = round(0.2 + 0.115 * i, 4)
        invocations = 1000 + 250 * i
        metrics: dict[str, Any] = {
            "CostPerHour": cost_per_hour,
            "CostPerInference": round(cost_per_hour / (invocations * 60), 10),
            "MaxInvocations": invocations,
            "ModelLatency": 20 + 3 * i,
            "CpuUtilization": 40.0 + i % 50,
            "MemoryUtilization": 30.0 + i % 60,
        }
        if "ServerlessConfig" in variant:
            metrics["ModelSetupTime"] = 1500 + 10 * i
        return metrics

    def _endpoint(self, i: int, variant: dict[str, Any]) -> dict[str, Any]:
        digest = _digest(self.job.arn, "endpoint", i)
        endpoint: dict[str, Any] = {
            "EndpointName": f"sm-epc-{digest[:32]}",
            "VariantName": f"sm-epv-{digest[32:64]}",
        }
        if "ServerlessConfig" in variant:
            endpoint["ServerlessConfig"] = copy.deepcopy(variant["ServerlessConfig"])
        else:
            endpoint["InstanceType"] = variant.get("InstanceType", "ml.c5.xlarge")
            endpoint["InitialInstanceCount"] = 1
        return endpoint

    @staticmethod
    def _model(variant: dict[str, Any]) -> dict[str, Any]:
        model: dict[str, Any] = {}
        if "InferenceSpecificationName" in variant:
            model["InferenceSpecificationName"] = variant["InferenceSpecificationName"]
        ranges = _as_dict(variant.get("EnvironmentParameterRanges"))
        parameters = [
            {"Key": item["Name"], "ValueType": "String", "Value": item["Value"][0]}
            for item in _as_list(ranges.get("CategoricalParameterRanges"))
        ]
        if parameters:
            model["EnvironmentParameters"] = parameters
        return model


# --------------------------------------------------------------------------------------------------
# AI recommendation jobs, AI benchmark jobs and AI workload configurations


AI_TERMINAL: Final = frozenset({"Completed", "Failed", "Stopped"})
# A workload configuration that an active job references cannot be deleted
# (API_DeleteAIWorkloadConfig: "referenced by an active benchmark job"; the fake holds
# recommendation jobs to it as well, which reference a configuration the same way).
AI_ACTIVE: Final = frozenset({"InProgress", "Stopping"})


@dataclasses.dataclass(frozen=True)
class AIKind:
    """How one AI resource type is named in botocore's model (operations ``<verb><kind>``)."""

    kind: str  # "AIRecommendationJob", "AIBenchmarkJob", "AIWorkloadConfig"
    arn_resource: str
    is_job: bool

    @property
    def name_member(self) -> str:
        """``AIRecommendationJobName``, ..."""
        return f"{self.kind}Name"

    @property
    def arn_member(self) -> str:
        """``AIRecommendationJobArn``, ..."""
        return f"{self.kind}Arn"

    @property
    def status_member(self) -> str:
        """``AIRecommendationJobStatus``, ... (jobs only)."""
        return f"{self.kind}Status"

    @property
    def list_operation(self) -> str:
        """``ListAIRecommendationJobs``, ..."""
        return f"List{self.kind}s"


AI_KINDS: Final = {
    kind.kind: kind
    for kind in (
        AIKind("AIRecommendationJob", "ai-recommendation-job", is_job=True),
        AIKind("AIBenchmarkJob", "ai-benchmark-job", is_job=True),
        AIKind("AIWorkloadConfig", "ai-workload-config", is_job=False),
    )
}


@dataclasses.dataclass(eq=False)
class AIResource:
    """One AI job or workload configuration; a job's status follows the fake clock.

    A job is InProgress from its creation (the model's status enums have no pending state), ends
    Completed (or Failed, as told) after ``run_seconds``, and a Stop makes it Stopping, then
    Stopped after ``FakeSageMaker.STOPPING_SECONDS``.
    """

    kind: AIKind
    name: str
    arn: str
    request: dict[str, Any]
    created_at: float
    run_seconds: float = 0.0
    outcome: _Outcome = dataclasses.field(default_factory=_Outcome)
    tags: list[dict[str, str]] = dataclasses.field(default_factory=list)
    status: str = ""
    end_time: float | None = None
    failure_reason: str | None = None
    stop_requested_at: float | None = None

    def __post_init__(self) -> None:
        """Jobs start InProgress; a workload configuration has no status."""
        if self.kind.is_job and not self.status:
            self.status = "InProgress"

    @property
    def workload_config(self) -> str:
        """The ``AIWorkloadConfigIdentifier`` of a job (a name or an ARN)."""
        return str(self.request.get("AIWorkloadConfigIdentifier", ""))

    def refresh(self, now: float) -> None:
        """Move the status to where the clock says it is; a terminal status never changes."""
        if not self.kind.is_job or self.status in AI_TERMINAL:
            return
        if self.stop_requested_at is not None:
            stopped_at = self.stop_requested_at + FakeSageMaker.STOPPING_SECONDS
            if now >= stopped_at:
                self.status, self.end_time = "Stopped", stopped_at
        elif now >= self.created_at + self.run_seconds:
            failed = self.outcome.status == "FAILED"
            self.status = "Failed" if failed else "Completed"
            self.end_time = self.created_at + self.run_seconds
            self.failure_reason = self.outcome.failure_reason if failed else None

    def stop(self, now: float) -> None:
        """Begin stopping, or raise ``ValidationException`` if the job does not run."""
        self.refresh(now)
        if self.status != "InProgress":
            raise ApiError.validation(
                f"The job is not in a stoppable state: job {self.name} is {self.status}."
            )
        self.stop_requested_at = now
        self.status = "Stopping"


_AI_INSTANCE_TYPES: Final = ("ml.g5.2xlarge", "ml.g6.2xlarge", "ml.g6e.2xlarge")
_AI_IMAGES: Final = {
    "LMI": "763104351884.dkr.ecr.{region}.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128",
    "VLLM": "763104351884.dkr.ecr.{region}.amazonaws.com/vllm:0.9.1-gpu-py312",
}


class _AIRecommendations:
    """Deterministic recommendations of an AI recommendation job, derived from its request.

    One per instance type of ``ComputeSpec.InstanceTypes`` (else three GPU types), ordered for
    the first ``PerformanceTarget`` constraint (``cost``: cheapest first, ``ttft-ms``: quickest
    first, ``throughput``: highest first). The ``ExpectedPerformance`` metric names are the
    fake's own: SageMaker's are not documented beyond "Time to First Token (TTFT), request
    latency at P90 and P99, throughput in tokens per second, and request throughput"
    (https://docs.aws.amazon.com/sagemaker/latest/dg/generative-ai-inference-recommendations-get-started.html);
    the fake borrows the benchmark results' names (time_to_first_token, request_latency,
    output_token_throughput) and adds request_throughput and cost_per_hour.
    """

    def __init__(self, job: AIResource) -> None:
        self.job = job
        request = job.request
        types = _as_list(_as_dict(request.get("ComputeSpec")).get("InstanceTypes"))
        self.instance_types = [str(t) for t in types] or list(_AI_INSTANCE_TYPES)
        constraints = _as_list(_as_dict(request.get("PerformanceTarget")).get("Constraints"))
        self.goal = str(_as_dict(constraints[0]).get("Metric", "cost")) if constraints else "cost"
        self.optimize = request.get("OptimizeModel", True) is not False
        framework = _as_dict(request.get("InferenceSpecification")).get("Framework", "LMI")
        self.image = _AI_IMAGES.get(str(framework), _AI_IMAGES["LMI"]).format(region=REGION)

    def _numbers(self, i: int) -> dict[str, float]:
        salt = int(_digest(self.job.arn, self.instance_types[i])[:4], 16) / 65536
        return {
            "ttft": round(180 + 35 * i + 20 * salt, 1),
            "latency": round(900 + 120 * i + 50 * salt, 1),
            "throughput": round(2400 - 300 * i + 100 * salt, 1),
            "requests": round(12 - i + salt, 2),
            "cost": round(1.5 + 1.1 * i + salt / 10, 4),
        }

    def _order(self) -> list[int]:
        numbers = [self._numbers(i) for i in range(len(self.instance_types))]
        key = {
            "ttft-ms": lambda i: numbers[i]["ttft"],
            "throughput": lambda i: -numbers[i]["throughput"],
        }.get(self.goal, lambda i: numbers[i]["cost"])
        return sorted(range(len(self.instance_types)), key=key)

    def recommendations(self) -> list[dict[str, Any]]:
        """``Recommendations`` of a Completed job, in wire format."""
        return [self._recommendation(rank, i) for rank, i in enumerate(self._order())]

    def _recommendation(self, rank: int, i: int) -> dict[str, Any]:
        instance_type = self.instance_types[i]
        numbers = self._numbers(i)
        copies = 1 + i % 2
        details: dict[str, Any] = {
            "InferenceSpecificationName": f"spec-{rank + 1}",
            "InstanceDetails": [
                {"InstanceType": instance_type, "InstanceCount": 1, "CopyCountPerInstance": copies}
            ],
        }
        output = _as_dict(self.job.request.get("OutputConfig"))
        group = str(output.get("ModelPackageGroupIdentifier", ""))
        if group:
            group_name = group.rsplit("/", 1)[-1]
            details["ModelPackageArn"] = (
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group_name}/{rank + 1}"
            )
        model_uri = str(
            _as_dict(_as_dict(self.job.request.get("ModelSource")).get("S3")).get("S3Uri", "")
        )
        recommendation: dict[str, Any] = {
            "RecommendationDescription": (
                f"{instance_type} with {copies} model cop{'y' if copies == 1 else 'ies'} per "
                f"instance, ranked {rank + 1} for {self.goal}"
            ),
            "ModelDetails": details,
            "DeploymentConfiguration": {
                "S3": [{"ChannelName": "model", "Uri": model_uri}] if model_uri else [],
                "ImageUri": self.image,
                "InstanceType": instance_type,
                "InstanceCount": 1,
                "CopyCountPerInstance": copies,
                "EnvironmentVariables": {
                    "OPTION_TENSOR_PARALLEL_DEGREE": "1",
                    "OPTION_MAX_ROLLING_BATCH_SIZE": str(32 * (rank + 1)),
                },
                "MinCpuMemoryRequiredInMb": 2048,
            },
            "AIBenchmarkJobArn": (
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:ai-benchmark-job/"
                f"{self.job.name[:56]}-b{rank + 1}"
            ),
            "ExpectedPerformance": [
                {
                    "Metric": "time_to_first_token",
                    "Stat": "p50",
                    "Value": str(numbers["ttft"]),
                    "Unit": "ms",
                },
                {
                    "Metric": "request_latency",
                    "Stat": "p90",
                    "Value": str(numbers["latency"]),
                    "Unit": "ms",
                },
                {
                    "Metric": "request_latency",
                    "Stat": "p99",
                    "Value": str(round(numbers["latency"] * 1.4, 1)),
                    "Unit": "ms",
                },
                {
                    "Metric": "output_token_throughput",
                    "Stat": "average",
                    "Value": str(numbers["throughput"]),
                    "Unit": "tokens/s",
                },
                {
                    "Metric": "request_throughput",
                    "Stat": "average",
                    "Value": str(numbers["requests"]),
                    "Unit": "requests/s",
                },
                {
                    "Metric": "cost_per_hour",
                    "Stat": "average",
                    "Value": str(numbers["cost"]),
                    "Unit": "USD",
                },
            ],
        }
        if self.optimize and rank % 2 == 0:
            optimization = "SpeculativeDecoding" if self.goal == "throughput" else "KernelTuning"
            recommendation["OptimizationDetails"] = [
                {"OptimizationType": optimization, "OptimizationConfig": {"source": "fake"}}
            ]
        return recommendation


def _ai_selected(resource: AIResource, params: dict[str, Any]) -> bool:
    """Whether ``resource`` passes a List call's filters."""
    checks: list[tuple[str, Callable[[Any], bool]]] = [
        ("NameContains", lambda v: str(v).lower() in resource.name.lower()),
        ("StatusEquals", lambda v: v == resource.status),
        ("CreationTimeAfter", lambda v: resource.created_at > _epoch(v)),
        ("CreationTimeBefore", lambda v: resource.created_at < _epoch(v)),
    ]
    return all(check(params[key]) for key, check in checks if key in params)


def _check_workload_spec(params: dict[str, Any]) -> None:
    """Refuse an inline JSON workload specification SageMaker documents as invalid.

    "Unknown keys are rejected"; ``benchmark`` is required and ``benchmark/type`` can only be
    ``aiperf`` (https://docs.aws.amazon.com/sagemaker/latest/dg/generative-ai-inference-recommendations-workload-config.html).
    A specification that is not JSON (YAML is allowed) is not checked.
    """
    spec = _as_dict(_as_dict(params.get("AIWorkloadConfigs")).get("WorkloadSpec"))
    try:
        document = json.loads(str(spec.get("Inline", "")))
    except ValueError:
        return
    if not isinstance(document, dict):
        return
    unknown = sorted(set(document) - {"benchmark", "parameters", "secrets", "tooling"})
    if unknown:
        raise ApiError.validation(f"WorkloadSpec: unknown keys {', '.join(unknown)}.")
    if _as_dict(document.get("benchmark")).get("type") != "aiperf":
        raise ApiError.validation("WorkloadSpec: benchmark.type is required and must be aiperf.")


# --------------------------------------------------------------------------------------------------
# The fake service


_OPERATIONS: Final = (
    "CreateInferenceRecommendationsJob",
    "DescribeInferenceRecommendationsJob",
    "StopInferenceRecommendationsJob",
    "ListInferenceRecommendationsJobs",
    "ListInferenceRecommendationsJobSteps",
    "ListTags",
    "AddTags",
    "DeleteTags",
    "GetScalingConfigurationRecommendation",
    *(
        f"{verb}{kind}"
        for kind in ("AIRecommendationJob", "AIBenchmarkJob", "AIWorkloadConfig")
        for verb in ("Create", "Describe", "Delete")
    ),
    "StopAIRecommendationJob",
    "StopAIBenchmarkJob",
    "ListAIRecommendationJobs",
    "ListAIBenchmarkJobs",
    "ListAIWorkloadConfigs",
)
_MAX_JOB_SECONDS: Final = 18_000
_MAX_TAGS: Final = 50


@functools.cache
def _service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


def _epoch(value: object) -> float:
    """A request timestamp (epoch seconds or ISO 8601) as epoch seconds."""
    if isinstance(value, int | float):
        return float(value)
    from botocore.utils import parse_timestamp  # noqa: PLC0415 (rarely needed)

    return parse_timestamp(str(value)).timestamp()


def _page(items: list[Any], params: dict[str, Any], key: str, default: int) -> dict[str, Any]:
    """Slice ``items`` by ``MaxResults``/``NextToken``; the token is an opaque offset."""
    offset = 0
    if params.get("NextToken"):
        try:
            offset = int(base64.urlsafe_b64decode(params["NextToken"]).decode().split(":")[1])
        except (ValueError, IndexError, UnicodeDecodeError) as error:
            raise ApiError.validation("Invalid pagination token (NextToken).") from error
    end = offset + int(params.get("MaxResults") or default)
    answer: dict[str, Any] = {key: items[offset:end]}
    if end < len(items):
        answer["NextToken"] = base64.urlsafe_b64encode(f"{key}:{end}".encode()).decode()
    return answer


class RateLimit:
    """A token bucket per operation: ``rate`` calls a second, ``burst`` at once, on ``clock``.

    SageMaker's API rate limits are per account, Region and operation; a call over the limit is
    answered ``ThrottlingException`` (and not acted on).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._tokens: dict[str, float] = {}
        self._since: dict[str, float] = {}
        self.throttled: collections.Counter[str] = collections.Counter()

    def take(self, operation: str) -> bool:
        """Take one call's token for ``operation``; False (and counted) if there is none."""
        now = self.clock()
        tokens = self._tokens.get(operation, float(self.burst))
        tokens = min(
            float(self.burst), tokens + (now - self._since.get(operation, now)) * self.rate
        )
        self._since[operation] = now
        if tokens < 1:
            self._tokens[operation] = tokens
            self.throttled[operation] += 1
            return False
        self._tokens[operation] = tokens - 1
        return True


def _wait_for_either(first: threading.Event, second: threading.Event) -> None:
    """Block until ``first`` or ``second`` is set."""
    while not (first.wait(0.05) or second.is_set()):
        pass


class FakeSageMaker(LoopbackService):
    """The fake service: state, clock, fault injection and the HTTP front end.

    Use as a context manager or call :meth:`start` / :meth:`stop`. ``jobs``, ``calls`` and the
    knobs (``recommendations_per_job``) may be read or set by tests at any time.
    """

    PENDING_SECONDS: ClassVar[float] = 60
    STOPPING_SECONDS: ClassVar[float] = 30
    DEFAULT_RUN_SECONDS: ClassVar[float] = 2700
    ADVANCED_RUN_SECONDS: ClassVar[float] = 7200
    AI_RECOMMENDATION_RUN_SECONDS: ClassVar[float] = 3600
    AI_BENCHMARK_RUN_SECONDS: ClassVar[float] = 1200

    def __init__(self, *, start_time: float | None = None) -> None:
        """Create a stopped fake; its clock starts at ``start_time`` (default: now, in seconds)."""
        self.jobs: dict[str, Job] = {}
        # AI jobs and workload configurations by kind ("AIRecommendationJob", ...) and lowercase
        # name; the names of deleted ones stay taken (``_ai_deleted``).
        self.ai: dict[str, dict[str, AIResource]] = {kind: {} for kind in AI_KINDS}
        self._ai_deleted: dict[str, set[str]] = {kind: set() for kind in AI_KINDS}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.recommendations_per_job = 3
        # What GetScalingConfigurationRecommendation recommends policies for, in order: a
        # predefined metric type, or "Customized:<MetricName>" (see ``_scaling``).
        self.scaling_metrics: tuple[str, ...] = (SCALING_METRIC,)
        self.validator = ShapeValidator()
        self.model = _service_model()
        self._now = float(int(time.time()) if start_time is None else start_time)
        self._lock = threading.RLock()
        # Notified (lock held) whenever a call is received or acted on: see ``wait_until``.
        self._changed = threading.Condition(self._lock)
        self._faults: dict[str, collections.deque[Fault]] = collections.defaultdict(
            collections.deque
        )
        self._default_outcome = _Outcome()
        self._outcomes: dict[str, _Outcome] = {}
        self.rate_limit: RateLimit | None = None
        super().__init__()
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "CreateInferenceRecommendationsJob": self._create,
            "DescribeInferenceRecommendationsJob": self._describe,
            "StopInferenceRecommendationsJob": self._stop,
            "ListInferenceRecommendationsJobs": self._list_jobs,
            "ListInferenceRecommendationsJobSteps": self._list_steps,
            "ListTags": self._list_tags,
            "AddTags": self._add_tags,
            "DeleteTags": self._delete_tags,
            "GetScalingConfigurationRecommendation": self._scaling,
        }
        for kind in AI_KINDS.values():
            verbs = (
                ("Create", "Describe", "Delete", "Stop")
                if kind.is_job
                else ("Create", "Describe", "Delete")
            )
            actions = {
                "Create": self._ai_create,
                "Describe": self._ai_describe,
                "Delete": self._ai_delete,
                "Stop": self._ai_stop,
            }
            for verb in verbs:
                self._handlers[f"{verb}{kind.kind}"] = functools.partial(actions[verb], kind)
            self._handlers[kind.list_operation] = functools.partial(self._ai_list, kind)

    @property
    def endpoint_url(self) -> str:
        """The value for ``AWS_ENDPOINT_URL_SAGEMAKER``."""
        return self._server.base_url

    # -- test controls -------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The fake clock, in epoch seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward; jobs change status accordingly."""
        with self._lock:
            self._now += seconds
            for job in self.jobs.values():
                job.refresh(self._now)
            for resources in self.ai.values():
                for resource in resources.values():
                    resource.refresh(self._now)

    def set_outcome(
        self,
        name: str | None,
        status: Literal["COMPLETED", "FAILED"] = "FAILED",
        failure_reason: str = "ClientError: the fake was told to fail this job",
    ) -> None:
        """Make job ``name`` (existing or future), or every later job if None, end so."""
        outcome = _Outcome(status, failure_reason if status == "FAILED" else None)
        with self._lock:
            if name is None:
                self._default_outcome = outcome
                return
            job = self._find(name) or next(
                (found for kind in self.ai.values() if (found := kind.get(name.lower()))), None
            )
            if job is None:
                self._outcomes[name.lower()] = outcome
            else:
                job.outcome = outcome

    def limit_rate(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> RateLimit:
        """Throttle each operation beyond ``rate`` calls a second (``burst`` at once)."""
        with self._lock:
            self.rate_limit = RateLimit(rate, burst, clock)
            return self.rate_limit

    def inject(self, operation: str, fault: Fault, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``operation`` with ``fault`` (queued in order)."""
        if operation not in _OPERATIONS:
            raise ValueError(f"{operation} is not an operation of the fake: {_OPERATIONS}")
        with self._lock:
            self._faults[operation].extend([fault] * times)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait at most ``timeout`` real seconds for ``condition()``; return whether it holds.

        ``condition`` is checked with the fake's lock held, at once and after every call the fake
        receives or acts on: it may read ``jobs``, ``calls`` and ``operations()``. For a test that
        waits for another thread's call to reach the fake, without polling or sleeping.
        """
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def running_jobs(self) -> list[str]:
        """Names of the jobs in PENDING or IN_PROGRESS (InProgress, for AI jobs)."""
        with self._lock:
            return [name for name, job in self.jobs.items() if job.status in RUNNING] + [
                job.name
                for kind in self.ai.values()
                for job in kind.values()
                if job.status == "InProgress"
            ]

    def ai_resource(self, kind: str, name: str) -> AIResource | None:
        """The AI job or workload configuration ``name`` of ``kind`` (``AIBenchmarkJob``, ...)."""
        with self._lock:
            return self.ai[kind].get(name.lower())

    def ai_deleted(self, kind: str) -> set[str]:
        """The (lowercase) names of the deleted AI resources of ``kind``."""
        with self._lock:
            return set(self._ai_deleted[kind])

    def operations(self) -> list[str]:
        """The operations received, in order (faulted ones included)."""
        with self._lock:
            return [operation for operation, _ in self.calls]

    # -- HTTP ----------------------------------------------------------------------------------

    def _respond(self, request: HttpRequest) -> HttpReply | None:
        target = request.headers.get("x-amz-target", "")
        operation = target.removeprefix("SageMaker.")
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            params = None
        with self._lock:
            self.calls.append((operation, params if isinstance(params, dict) else {}))
            fault = self._next_fault(operation)
            self._changed.notify_all()
        if fault is not None:
            if fault.error is not None:
                return fault.error.reply()
            if fault.kind == "hang":
                self._server.stopping.wait()
                return None
            if fault.gate is not None:
                _wait_for_either(fault.gate, self._server.stopping)
                if self._server.stopping.is_set():
                    return None
            elif self._server.stopping.wait(fault.seconds):
                return None
        try:
            reply = self._answer(request.method, target, operation, params)
        except ApiError as error:
            reply = error.reply()
        if fault is not None and fault.action is not None:
            fault.action()
        return reply

    def _next_fault(self, operation: str) -> Fault | None:
        """The injected fault for this call, else throttling over the rate limit (lock held)."""
        queue = self._faults.get(operation)
        if queue:
            return queue.popleft()
        if self.rate_limit is not None and not self.rate_limit.take(operation):
            return Fault.throttling()
        return None

    def _answer(self, method: str, target: str, operation: str, params: object) -> HttpReply:
        handler = self._handlers.get(operation)
        if method != "POST" or not target.startswith("SageMaker.") or handler is None:
            raise ApiError("UnknownOperationException", f"Unknown operation {target!r}")
        if not isinstance(params, dict):
            raise ApiError("SerializationException", "The request body is not a JSON object")
        shape = self.model.operation_model(operation).input_shape
        assert shape is not None  # every operation of the fake has an input
        self.validator.check(shape, params)
        with self._lock:
            try:
                result = handler(params)
            finally:
                self._changed.notify_all()
        body = b"" if result is None else json.dumps(result).encode()
        headers = {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": str(uuid.uuid4())}
        return HttpReply(200, body, headers)

    # -- operations (called with the lock held) ------------------------------------------------

    def _find(self, name: str) -> Job | None:
        lowered = name.lower()
        return next((job for job in self.jobs.values() if job.name.lower() == lowered), None)

    def _job(self, name: str) -> Job:
        job = self._find(name)
        if job is None:
            raise ApiError("ResourceNotFound", f"Could not find job {name}.")
        job.refresh(self._now)
        return job

    def _create(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["JobName"]
        if self._find(name) is not None:
            raise ApiError("ResourceInUse", f"Job name {name} is already in use.")
        config = params["InputConfig"]
        if ("ModelName" in config) == ("ModelPackageVersionArn" in config):
            raise ApiError.validation("Provide exactly one of ModelName or ModelPackageVersionArn.")
        duration = config.get("JobDurationInSeconds")
        if duration is not None and duration > _MAX_JOB_SECONDS:
            raise ApiError.validation(
                f"Value '{duration}' at 'inputConfig.jobDurationInSeconds' failed to satisfy "
                f"constraint: Member must have value less than or equal to {_MAX_JOB_SECONDS}"
            )
        default_run = (
            self.ADVANCED_RUN_SECONDS
            if params["JobType"] == "Advanced"
            else self.DEFAULT_RUN_SECONDS
        )
        job = Job(
            name=name,
            arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:inference-recommendations-job/{name.lower()}",
            request=copy.deepcopy(params),
            created_at=self._now,
            run_seconds=float(duration or default_run),
            outcome=self._outcomes.pop(name.lower(), self._default_outcome),
            tags=copy.deepcopy(params.get("Tags", [])),
            last_modified=self._now,
        )
        self.jobs[name] = job
        return {"JobArn": job.arn}

    def _describe(self, params: dict[str, Any]) -> dict[str, Any]:
        job = self._job(params["JobName"])
        answer = self._summary(job)
        answer.pop("ModelName", None)
        answer.pop("SamplePayloadUrl", None)
        answer.pop("ModelPackageVersionArn", None)
        if not job.request.get("JobDescription"):
            answer.pop("JobDescription")
        answer["InputConfig"] = copy.deepcopy(job.input_config)
        if "StoppingConditions" in job.request:
            answer["StoppingConditions"] = copy.deepcopy(job.request["StoppingConditions"])
        if job.status == "COMPLETED":
            results = self._results(job)
            recommendations = results.recommendations()
            if recommendations:
                answer["InferenceRecommendations"] = recommendations
            if job.input_config.get("Endpoints"):
                answer["EndpointPerformances"] = results.endpoint_performances()
        return answer

    def _summary(self, job: Job) -> dict[str, Any]:
        config = job.input_config
        answer: dict[str, Any] = {
            "JobName": job.name,
            "JobDescription": job.request.get("JobDescription", ""),
            "JobType": job.job_type,
            "JobArn": job.arn,
            "RoleArn": job.request["RoleArn"],
            "Status": job.status,
            "CreationTime": job.created_at,
            "LastModifiedTime": job.last_modified,
        }
        optional = {
            "CompletionTime": job.completion_time,
            "FailureReason": job.failure_reason,
            "ModelName": config.get("ModelName"),
            "ModelPackageVersionArn": config.get("ModelPackageVersionArn"),
            "SamplePayloadUrl": _as_dict(
                _as_dict(config.get("ContainerConfig")).get("PayloadConfig")
            ).get("SamplePayloadUrl"),
        }
        answer.update({key: value for key, value in optional.items() if value is not None})
        return answer

    def _results(self, job: Job) -> _Results:
        shape = self.model.shape_for("ProductionVariantInstanceType")
        return _Results(job, self.recommendations_per_job, frozenset(shape.metadata["enum"]))

    def _stop(self, params: dict[str, Any]) -> None:
        self._job(params["JobName"]).stop(self._now)

    def _list_jobs(self, params: dict[str, Any]) -> dict[str, Any]:
        for job in self.jobs.values():
            job.refresh(self._now)
        jobs = [self._summary(job) for job in self.jobs.values() if self._selected(job, params)]
        sort_key = {"Name": "JobName", "Status": "Status"}.get(
            params.get("SortBy", ""), "CreationTime"
        )
        jobs.sort(key=lambda item: item[sort_key], reverse=params.get("SortOrder") != "Ascending")
        return _page(jobs, params, "InferenceRecommendationsJobs", 10)

    def _selected(self, job: Job, params: dict[str, Any]) -> bool:
        checks: list[tuple[str, Callable[[Any], bool]]] = [
            ("NameContains", lambda v: str(v).lower() in job.name.lower()),
            ("StatusEquals", lambda v: v == job.status),
            ("CreationTimeAfter", lambda v: job.created_at > _epoch(v)),
            ("CreationTimeBefore", lambda v: job.created_at < _epoch(v)),
            ("LastModifiedTimeAfter", lambda v: job.last_modified > _epoch(v)),
            ("LastModifiedTimeBefore", lambda v: job.last_modified < _epoch(v)),
            ("ModelNameEquals", lambda v: v == job.input_config.get("ModelName")),
            (
                "ModelPackageVersionArnEquals",
                lambda v: v == job.input_config.get("ModelPackageVersionArn"),
            ),
        ]
        return all(check(params[key]) for key, check in checks if key in params)

    def _list_steps(self, params: dict[str, Any]) -> dict[str, Any]:
        job = self._job(params["JobName"])
        steps = [
            step
            for step in self._results(job).steps()
            if params.get("Status", step["Status"]) == step["Status"]
            and params.get("StepType", "BENCHMARK") == "BENCHMARK"
        ]
        return _page(steps, params, "Steps", 10)

    def _tagged(self, arn: str) -> Job | AIResource:
        resources: list[Job | AIResource] = [*self.jobs.values()]
        resources += [resource for kind in self.ai.values() for resource in kind.values()]
        job = next((job for job in resources if job.arn == arn.lower()), None)
        if job is None:
            raise ApiError.validation(f"Resource {arn} does not exist.")
        return job

    def _list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = copy.deepcopy(self._tagged(params["ResourceArn"]).tags)
        return _page(tags, params, "Tags", 50)

    def _delete_tags(self, params: dict[str, Any]) -> None:
        job = self._tagged(params["ResourceArn"])
        job.tags = [tag for tag in job.tags if tag["Key"] not in params["TagKeys"]]

    def _add_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        job = self._tagged(params["ResourceArn"])
        merged = {tag["Key"]: tag["Value"] for tag in job.tags + params["Tags"]}
        if len(merged) > _MAX_TAGS:
            raise ApiError.validation(f"A resource can have at most {_MAX_TAGS} tags.")
        job.tags = [{"Key": key, "Value": value} for key, value in merged.items()]
        return {"Tags": copy.deepcopy(params["Tags"])}

    # -- AI resources (called with the lock held) ----------------------------------------------

    def _ai_find(self, kind: AIKind, identifier: str) -> AIResource | None:
        """The resource of this kind named (or with the ARN) ``identifier``, if any."""
        name = identifier.rsplit("/", 1)[-1] if identifier.startswith("arn:") else identifier
        return self.ai[kind.kind].get(name.lower())

    def _ai_get(self, kind: AIKind, name: str) -> AIResource:
        found = self._ai_find(kind, name)
        if found is None:
            raise ApiError("ResourceNotFound", f"Could not find {kind.kind} {name}.")
        found.refresh(self._now)
        return found

    def _checked(self, operation: str, answer: dict[str, Any]) -> dict[str, Any]:
        """``answer``, checked against the operation's output shape (a fake's bug otherwise)."""
        output = self.model.operation_model(operation).output_shape
        assert output is not None
        errors = self.validator.errors(output, answer)
        if errors:  # a bug of the fake: say so rather than answer what SageMaker cannot
            raise ApiError("FakeAnswerInvalid", "; ".join(errors))
        return answer

    def _ai_create(self, kind: AIKind, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params[kind.name_member])
        lowered = name.lower()
        if lowered in self.ai[kind.kind] or lowered in self._ai_deleted[kind.kind]:
            # Whether a deleted resource's name can be used again is not documented: the fake
            # keeps it taken, as SageMaker does for recommendation jobs.
            raise ApiError("ResourceInUse", f"{kind.kind} name {name} is already in use.")
        if kind.is_job:
            identifier = str(params["AIWorkloadConfigIdentifier"])
            if self._ai_find(AI_KINDS["AIWorkloadConfig"], identifier) is None:
                raise ApiError(
                    "ResourceNotFound", f"Could not find AI workload configuration {identifier}."
                )
        else:
            _check_workload_spec(params)
        runs = {
            "AIRecommendationJob": self.AI_RECOMMENDATION_RUN_SECONDS,
            "AIBenchmarkJob": self.AI_BENCHMARK_RUN_SECONDS,
        }
        resource = AIResource(
            kind=kind,
            name=name,
            arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.arn_resource}/{lowered}",
            request=copy.deepcopy(params),
            created_at=self._now,
            run_seconds=float(runs.get(kind.kind, 0.0)),
            outcome=self._outcomes.pop(lowered, self._default_outcome),
            tags=copy.deepcopy(params.get("Tags", [])),
        )
        self.ai[kind.kind][lowered] = resource
        return self._checked(f"Create{kind.kind}", {kind.arn_member: resource.arn})

    def _ai_describe(self, kind: AIKind, params: dict[str, Any]) -> dict[str, Any]:
        resource = self._ai_get(kind, params[kind.name_member])
        operation = f"Describe{kind.kind}"
        answer: dict[str, Any] = {
            kind.name_member: resource.name,
            kind.arn_member: resource.arn,
            "CreationTime": resource.created_at,
            "Tags": copy.deepcopy(resource.tags),
        }
        output_shape = self.model.operation_model(operation).output_shape
        assert isinstance(output_shape, StructureShape)
        for member, value in resource.request.items():
            if member in output_shape.members and member not in {*answer, "OutputConfig"}:
                answer[member] = copy.deepcopy(value)
        if kind.is_job:
            answer[kind.status_member] = resource.status
            answer["StartTime"] = resource.created_at
            optional = {"EndTime": resource.end_time, "FailureReason": resource.failure_reason}
            answer.update({key: value for key, value in optional.items() if value is not None})
            output = copy.deepcopy(_as_dict(resource.request.get("OutputConfig")))
            output.setdefault(
                "S3OutputLocation",
                f"s3://sagemaker-{REGION}-{ACCOUNT}/{kind.arn_resource}/{resource.name}/",
            )
            if kind.kind == "AIBenchmarkJob":
                output["CloudWatchLogs"] = [
                    {
                        "LogGroupArn": (
                            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/AIBenchmarkJobs"
                        ),
                        "LogStreamName": resource.name,
                    }
                ]
            answer["OutputConfig"] = output
        if kind.kind == "AIRecommendationJob" and resource.status == "Completed":
            answer["Recommendations"] = _AIRecommendations(resource).recommendations()
        return self._checked(operation, answer)

    def _ai_stop(self, kind: AIKind, params: dict[str, Any]) -> dict[str, Any]:
        resource = self._ai_get(kind, params[kind.name_member])
        resource.stop(self._now)
        return self._checked(f"Stop{kind.kind}", {kind.arn_member: resource.arn})

    def _ai_delete(self, kind: AIKind, params: dict[str, Any]) -> dict[str, Any]:
        resource = self._ai_get(kind, params[kind.name_member])
        if kind.is_job and resource.status not in AI_TERMINAL:
            # "Delete a job (must be in a terminal state)" (the developer guide); the error
            # SageMaker answers is not documented (Delete declares only ResourceNotFound).
            raise ApiError.validation(
                f"Job {resource.name} is {resource.status}: only a job in a terminal state "
                "(Completed, Failed, Stopped) can be deleted."
            )
        if not kind.is_job:
            users = []
            for jobs in (self.ai["AIRecommendationJob"], self.ai["AIBenchmarkJob"]):
                for job in jobs.values():
                    job.refresh(self._now)
                    if (
                        job.status in AI_ACTIVE
                        and self._ai_find(kind, job.workload_config) is resource
                    ):
                        users.append(job.name)
            if users:
                raise ApiError(
                    "ResourceInUse",
                    f"AI workload configuration {resource.name} is referenced by active jobs: "
                    f"{', '.join(sorted(users))}.",
                )
        del self.ai[kind.kind][resource.name.lower()]
        self._ai_deleted[kind.kind].add(resource.name.lower())
        return self._checked(f"Delete{kind.kind}", {kind.arn_member: resource.arn})

    def _ai_list(self, kind: AIKind, params: dict[str, Any]) -> dict[str, Any]:
        summaries = []
        for resource in self.ai[kind.kind].values():
            resource.refresh(self._now)
            if not _ai_selected(resource, params):
                continue
            summary: dict[str, Any] = {
                kind.name_member: resource.name,
                kind.arn_member: resource.arn,
                "CreationTime": resource.created_at,
            }
            if kind.is_job:
                summary[kind.status_member] = resource.status
                if resource.end_time is not None:
                    summary["EndTime"] = resource.end_time
            if kind.kind == "AIBenchmarkJob":
                summary["AIWorkloadConfigName"] = resource.workload_config.rsplit("/", 1)[-1]
            summaries.append(summary)
        sort_key = {"Name": kind.name_member, "Status": kind.status_member}.get(
            params.get("SortBy", ""), "CreationTime"
        )
        summaries.sort(
            key=lambda item: item[sort_key], reverse=params.get("SortOrder") != "Ascending"
        )
        return self._checked(kind.list_operation, _page(summaries, params, f"{kind.kind}s", 10))

    def _scaling(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetScalingConfigurationRecommendation: plausible, deterministic, checked by the model.

        For recommendation ``i`` of the job (benchmarked at ``MaxInvocations`` = 1000 + 250 i a
        minute), with ``cpu`` = ``TargetCpuUtilizationPerCore`` (default 50): the target value
        is ``MaxInvocations * cpu / 100`` invocations per instance, ``MinCapacity`` covers
        ``MinInvocationsPerMinute`` at that target (at least 1), ``MaxCapacity`` covers
        ``MaxInvocationsPerMinute`` (else one more than the minimum), cooldowns are 240 + 60 i
        (in) and 60 + 30 i (out) seconds. One policy per ``scaling_metrics`` entry.
        """
        job = self._job(params["InferenceRecommendationsJobName"])
        if job.status != "COMPLETED":
            raise ApiError.validation(
                f"Inference recommendations job {job.name} is {job.status}, not COMPLETED."
            )
        if ("RecommendationId" in params) == ("EndpointName" in params):
            raise ApiError.validation("Specify either RecommendationId or EndpointName.")
        recommendations = self._results(job).recommendations()
        index = next(
            (
                i
                for i, item in enumerate(recommendations)
                if item["RecommendationId"] == params.get("RecommendationId")
                or item["EndpointConfiguration"]["EndpointName"] == params.get("EndpointName")
            ),
            None,
        )
        if index is None:
            wanted = params.get("RecommendationId") or params.get("EndpointName")
            raise ApiError("ResourceNotFound", f"Could not find recommendation {wanted}.")
        chosen = recommendations[index]
        cpu = int(params.get("TargetCpuUtilizationPerCore", 50))
        objective = _as_dict(params.get("ScalingPolicyObjective"))
        target = float(round(chosen["Metrics"]["MaxInvocations"] * cpu / 100))
        low = max(1, -(-int(objective.get("MinInvocationsPerMinute", 0)) // int(target)))
        high = low + 1
        if "MaxInvocationsPerMinute" in objective:
            high = max(low, -(-int(objective["MaxInvocationsPerMinute"]) // int(target)))
        policies = [
            {
                "TargetTracking": {
                    "MetricSpecification": (
                        {
                            "Customized": {
                                "MetricName": metric.removeprefix("Customized:"),
                                "Namespace": "/aws/sagemaker/Endpoints",
                                "Statistic": "Average",
                            }
                        }
                        if metric.startswith("Customized:")
                        else {"Predefined": {"PredefinedMetricType": metric}}
                    ),
                    "TargetValue": target if metric == SCALING_METRIC else float(cpu),
                }
            }
            for metric in self.scaling_metrics
        ]
        answer: dict[str, Any] = {
            "InferenceRecommendationsJobName": job.name,
            "TargetCpuUtilizationPerCore": cpu,
            "Metric": {
                "InvocationsPerInstance": int(target),
                "ModelLatency": chosen["Metrics"]["ModelLatency"],
            },
            "DynamicScalingConfiguration": {
                "MinCapacity": low,
                "MaxCapacity": high,
                "ScaleInCooldown": 240 + 60 * index,
                "ScaleOutCooldown": 60 + 30 * index,
                "ScalingPolicies": policies,
            },
        }
        for member in ("RecommendationId", "EndpointName", "ScalingPolicyObjective"):
            if member in params:
                answer[member] = copy.deepcopy(params[member])
        output = self.model.operation_model("GetScalingConfigurationRecommendation").output_shape
        assert output is not None
        errors = self.validator.errors(output, answer)
        if errors:  # a bug of the fake: say so rather than answer what SageMaker cannot
            raise ApiError("FakeAnswerInvalid", "; ".join(errors))
        return answer
