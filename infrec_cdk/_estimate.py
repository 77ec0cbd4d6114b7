"""A worst-case estimate of the instance-hours one CreateInferenceRecommendationsJob request buys.

Inference Recommender "only charges you for the instances used while your jobs are executing"
(https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender.html): every load test
runs on an endpoint it creates. This module reads a request (a dict in the API's own syntax,
possibly holding CDK tokens) and bounds those instance-hours per instance type, so a construct
can warn before a deployment starts an expensive job. Pure Python: no CDK call for plain values.

Every rule cites its source next to it; where the documentation is silent, the estimate says
what it assumed (``InstanceHoursEstimate.assumptions``) instead of guessing silently. A value
that cannot be read at synth time (a token) is named in ``InstanceHoursEstimate.unknown`` and
replaced by its documented worst case where one exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from infrec_cdk._checks import Path, Reader, render_path
from infrec_cdk._tokens import is_unresolved

__all__ = [
    "ENDPOINT_SETUP_SECONDS",
    "SERVERLESS",
    "UNKNOWN_INSTANCE_TYPE",
    "InstanceHoursEstimate",
    "estimate_instance_hours",
]

SERVERLESS: Final = "serverless"
"""The ``per_instance_type`` key of serverless endpoints: endpoint-hours, billed per use."""
UNKNOWN_INSTANCE_TYPE: Final = "unknown"
"""The ``per_instance_type`` key of instances whose type is not known at synth time."""

# "Inference recommendation jobs complete within 45 minutes":
# https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-recommendation-jobs.html
# (the figure of _waiting.DEFAULT_JOB_SECONDS).
DEFAULT_JOB_SECONDS: Final = 2_700
# JobDurationInSeconds: "The maximum value is 18,000 seconds" (_waiting.MAX_JOB_SECONDS):
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobInputConfig.html
MAX_JOB_SECONDS: Final = 18_000
# A phase's DurationInSeconds: "For custom load tests, the value should be between 120 and 3600"
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Phase.html); the developer guide
# gives a stairs pattern's DurationInSeconds the same range.
MAX_TRAFFIC_SECONDS: Final = 3_600
# botocore's model: CategoricalParameterRanges holds 1..5 parameters, each Value 1..3 strings:
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_EnvironmentParameterRanges.html
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CategoricalParameter.html
MAX_PARAMETERS: Final = 5
MAX_VALUES_PER_PARAMETER: Final = 3
# An assumption: no document says how long Inference Recommender takes to create (launch the
# instance, pull the image, load the model) and delete a test endpoint, while its instance is
# held. A quarter of an hour covers a typical real-time endpoint.
ENDPOINT_SETUP_SECONDS: Final = 900

_SECONDS_PER_HOUR: Final = 3_600
_TIMES: Final = " \N{MULTIPLICATION SIGN} "
_INPUT: Path = ("InputConfig",)
_CONFIGURATIONS: Path = (*_INPUT, "EndpointConfigurations")
_TRAFFIC: Path = (*_INPUT, "TrafficPattern")
_CONTAINER: Path = (*_INPUT, "ContainerConfig")
_LIMIT: Path = (*_INPUT, "ResourceLimit")

# What the estimate assumes where the documentation is silent; each added only when it applies.
_ONE_INSTANCE = (
    "each load test runs on its own endpoint with one instance (EndpointInputConfiguration has "
    "no instance count and the docs do not say otherwise)"
)
_SETUP = (
    f"each test endpoint is held {ENDPOINT_SETUP_SECONDS // 60} min beyond its traffic for "
    "creation and deletion (the docs give no figure)"
)
_COMBINATIONS = (
    "each combination of an endpoint configuration's EnvironmentParameterRanges values is a "
    "load test of its own (the docs say only that each endpoint configuration is one)"
)
_STAIRS = (
    f"Stairs traffic lasts DurationInSeconds{_TIMES}NumberOfSteps: the API reference defines "
    "DurationInSeconds per step, the developer guide as the whole pattern; the longer is used"
)
_CUTOFF = (
    "JobDurationInSeconds stops the scheduling of new tests, not running ones (archived "
    "developer guide), so a test started last may run a whole test length past it"
)
_NO_PARALLEL_LIMIT = (
    "without ResourceLimit.MaxParallelOfTests every load test may run at once (no documented "
    "default)"
)
_DEFAULT_ENDPOINTS = (
    "a Default job holds one single-instance endpoint per candidate instance type (the docs "
    'say only that it runs "a set of load tests on the recommended instance types")'
)
_DEFAULT_DURATION = (
    "a Default job honours a JobDurationInSeconds shorter than 45 minutes (not documented)"
)
_DEFAULT_SERVERLESS = (
    "a Default job's serverless benchmarks are not counted (billed per use; how many it runs "
    "is not documented)"
)
_NO_TRAFFIC = "without a readable traffic pattern a load test's traffic may last the whole job"
_EXISTING_ENDPOINT = (
    "the existing endpoint in InputConfig.Endpoints runs on instances already paid for and is "
    "not counted"
)


@dataclass(frozen=True, slots=True)
class InstanceHoursEstimate:
    """Worst-case instance-hours of one recommendation job, per instance type.

    Attributes
    ----------
    per_instance_type
        Instance type (``"ml.c5.xlarge"``) to the most instance-hours the job may use of it.
        ``"serverless"`` holds endpoint-hours of serverless endpoints (billed per use, not per
        instance-hour); ``"unknown"`` holds instances whose type is not known at synth time (for
        a Default job without ``SupportedInstanceTypes``: the hours of *one* candidate type,
        chosen at run time from the model package).
    tests
        Load tests (or Default candidates) counted, after ``MaxNumberOfTests`` and with
        documented maxima standing in for unknown counts; None when their number is unknown
        (then, without ``limit``, the figures are per test or candidate and ``total`` bounds
        nothing).
    bound
        Which bound applied, in words.
    assumptions
        What the estimate assumed where the documentation is silent.
    unknown
        Field paths that could not be read at synth time (their documented worst case was used
        where there is one).
    limit
        Instance-hours of all instance types together, when a whole-job bound (``MaxNumberOfTests``,
        or ``JobDurationInSeconds`` times ``MaxParallelOfTests``) is below the sum of
        ``per_instance_type``: each type may reach its own figure, but not all at once. None when
        the sum is the bound.

    """

    per_instance_type: Mapping[str, float]
    tests: int | None
    bound: str
    assumptions: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    limit: float | None = None

    @property
    def total(self) -> float:
        """Worst-case instance-hours over all instance types (serverless endpoints excluded).

        Bounds nothing when ``tests`` and ``limit`` are both None (see ``tests``).
        """
        hours = sum(h for name, h in self.per_instance_type.items() if name != SERVERLESS)
        return hours if self.limit is None else min(hours, self.limit)

    def cost(self, prices: Mapping[str, float]) -> float | None:
        """Return the worst-case cost in USD, from ``prices`` per instance-hour.

        ``prices`` maps each key of ``per_instance_type`` to USD per hour (``"serverless"``: per
        serverless endpoint-hour under load, your own estimate). None when a key with hours has
        no price. Under ``limit``, the hours go to the most expensive types first.
        """
        if any(name not in prices for name, h in self.per_instance_type.items() if h > 0):
            return None
        remaining = math.inf if self.limit is None else self.limit
        usd = 0.0
        instances = [(n, h) for n, h in self.per_instance_type.items() if n != SERVERLESS and h > 0]
        for name, hours in sorted(instances, key=lambda item: prices[item[0]], reverse=True):
            used = min(hours, remaining)
            usd += used * prices[name]
            remaining -= used
        serverless = self.per_instance_type.get(SERVERLESS, 0.0)
        return usd + (serverless * prices[SERVERLESS] if serverless > 0 else 0.0)

    def describe(self) -> str:
        """Return one line for a warning.

        For example ``"at most 12.5 instance-hours: ml.c5.xlarge 10.0, ml.g4dn.xlarge 2.5
        (8 load tests \N{MULTIPLICATION SIGN} (1 h traffic + 15 min setup))"``.
        """
        if self.tests is None and self.limit is None:
            # The number of load tests or candidates is unknown: no total can be promised.
            parts = ", ".join(f"{n} {_hours(h)}" for n, h in self.per_instance_type.items())
            text = "no bound on instance-hours at synth"
            text += f": {parts} ({self.bound})" if parts else f" ({self.bound})"
        else:
            each = " up to " if self.limit is not None else " "
            parts = ", ".join(
                f"{name}{each}{_hours(hours)}"
                for name, hours in self.per_instance_type.items()
                if name != SERVERLESS
            )
            text = f"at most {_hours(self.total)} instance-hours"
            text += f": {parts} ({self.bound})" if parts else f" ({self.bound})"
            serverless = self.per_instance_type.get(SERVERLESS)
            if serverless is not None:
                text += f"; serverless endpoints {_hours(serverless)} endpoint-hours"
        if self.unknown:
            text += f"; unknown at synth: {', '.join(self.unknown)}"
        return text


def estimate_instance_hours(request: Mapping[str, object]) -> InstanceHoursEstimate:
    """Return the worst-case instance-hours ``request`` may use, per instance type.

    ``request`` is a CreateInferenceRecommendationsJob request in the API's own syntax; its
    values may be CDK tokens. An Advanced job counts its load tests (endpoint configurations times
    environment-parameter combinations, at most ``MaxNumberOfTests``), each holding one instance
    for its traffic plus a setup allowance, and bounds the whole job by ``MaxParallelOfTests``
    endpoints for ``JobDurationInSeconds``; the smaller bound applies. A Default job holds each
    candidate instance type for at most 45 minutes (or its shorter ``JobDurationInSeconds``).
    """
    return _Estimator(Reader(is_unresolved)).estimate(request)


@dataclass(slots=True)
class _Estimator:
    """One estimate's reading of a request: values, plus what could not be read and why."""

    read: Reader
    unknown: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    # --- recording ------------------------------------------------------------------------------

    def note(self, path: Path) -> None:
        """Record ``path`` as unreadable at synth time."""
        text = render_path(path)
        if text not in self.unknown:
            self.unknown.append(text)

    def assume(self, text: str) -> None:
        """Record an assumption (once)."""
        if text not in self.assumptions:
            self.assumptions.append(text)

    def result(
        self,
        hours: Mapping[str, float],
        tests: int | None,
        bound: str,
        limit: float | None = None,
    ) -> InstanceHoursEstimate:
        """Return the estimate with what this reading recorded."""
        return InstanceHoursEstimate(
            per_instance_type=MappingProxyType(dict(hours)),
            tests=tests,
            bound=bound,
            assumptions=tuple(self.assumptions),
            unknown=tuple(self.unknown),
            limit=limit,
        )

    # --- reading: a value given but unreadable (a token) is noted and reads as None -------------

    def mapping(
        self, parent: Mapping[str, object], member: str, path: Path
    ) -> Mapping[str, object] | None:
        """Return ``parent[member]`` if it is a known object."""
        value = parent.get(member)
        known = self.read.mapping(value)
        if value is not None and known is None:
            self.note(path)
        return known

    def items(
        self, parent: Mapping[str, object], member: str, path: Path
    ) -> Sequence[object] | None:
        """Return ``parent[member]`` if it is a known list."""
        value = parent.get(member)
        known = self.read.items(value)
        if value is not None and known is None:
            self.note(path)
        return known

    def string(self, parent: Mapping[str, object], member: str, path: Path) -> str | None:
        """Return ``parent[member]`` if it is a known string."""
        value = parent.get(member)
        known = self.read.string(value)
        if value is not None and known is None:
            self.note(path)
        return known

    def number(self, parent: Mapping[str, object], member: str, path: Path) -> float | None:
        """Return ``parent[member]`` if it is a known positive number."""
        value = parent.get(member)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or self.read.unresolved(value)
            or not math.isfinite(value)
            or value <= 0
        ):
            self.note(path)
            return None
        return float(value)

    # --- the estimate ---------------------------------------------------------------------------

    def estimate(self, request: Mapping[str, object]) -> InstanceHoursEstimate:
        """Return the estimate of ``request``."""
        # JobType: "If left unspecified, Amazon SageMaker Inference Recommender will run an
        # instance recommendation (DEFAULT) job":
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceRecommendationsJob.html
        job_type = self.string(request, "JobType", ("JobType",)) or (
            "Default" if request.get("JobType") is None else None
        )
        if job_type not in {"Default", "Advanced"}:
            self.note(("JobType",))
            return self.result({}, None, "JobType is unknown at synth")
        input_config = self.mapping(request, "InputConfig", _INPUT)
        if input_config is None:
            self.note(_INPUT)
            return self.result({}, None, "InputConfig is unknown at synth")
        if input_config.get("Endpoints"):
            # An existing endpoint is benchmarked besides the candidates, not instead of them:
            # "Inference recommendation jobs run a set of load tests on recommended instance types
            # and an existing endpoint":
            # https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-existing-endpoint.html
            self.assume(_EXISTING_ENDPOINT)
        if job_type == "Default":
            return self.default_job(input_config)
        return self.advanced_job(input_config)

    def job_seconds(self, input_config: Mapping[str, object]) -> float | None:
        """Return ``JobDurationInSeconds`` (at most its maximum); None if not given or unknown."""
        path = (*_INPUT, "JobDurationInSeconds")
        duration = self.number(input_config, "JobDurationInSeconds", path)
        return None if duration is None else min(duration, MAX_JOB_SECONDS)

    def default_job(self, input_config: Mapping[str, object]) -> InstanceHoursEstimate:
        """Each candidate instance type, for at most min(JobDurationInSeconds, 45 min)."""
        # "Inference recommendations (Default job type) run a set of load tests on the
        # recommended instance types. [...] Inference recommendation jobs complete within 45
        # minutes": a candidate's endpoint cannot outlive the job.
        # https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-recommendation-jobs.html
        seconds, reason = float(DEFAULT_JOB_SECONDS), "Default jobs complete within 45 minutes"
        duration = self.job_seconds(input_config)
        if duration is not None and duration < DEFAULT_JOB_SECONDS:
            seconds, reason = duration, "its JobDurationInSeconds"
            self.assume(_DEFAULT_DURATION)
        self.assume(_DEFAULT_ENDPOINTS)
        container = self.mapping(input_config, "ContainerConfig", _CONTAINER) or {}
        endpoint_path = (*_CONTAINER, "SupportedEndpointType")
        endpoint_type = self.string(container, "SupportedEndpointType", endpoint_path)
        if endpoint_type != "RealTime":
            # SupportedEndpointType: "By default this is null, and the results of the inference
            # recommendation job return a combined list of both real-time and serverless
            # benchmarks":
            # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobContainerConfig.html
            self.assume(_DEFAULT_SERVERLESS)
        if endpoint_type == "Serverless":
            return self.result({}, 0, "a Serverless-only Default job uses no instances")
        per_candidate = f"{_duration(seconds)} per candidate instance type: {reason}"
        each = seconds / _SECONDS_PER_HOUR
        # SupportedInstanceTypes: "A list of the instance types that are used to generate
        # inferences in real-time" (same page); without it the model package's list applies,
        # read by SageMaker at run time.
        names = self.candidates(container)
        if names is None:
            bound = f"{per_candidate}; the model package names the candidates at run time"
            return self.result({UNKNOWN_INSTANCE_TYPE: each}, None, bound)
        return self.result(dict.fromkeys(names, each), len(names), per_candidate)

    def candidates(self, container: Mapping[str, object]) -> list[str] | None:
        """Return the distinct ``SupportedInstanceTypes`` (unknown ones as ``"unknown"``)."""
        path = (*_CONTAINER, "SupportedInstanceTypes")
        listed = self.items(container, "SupportedInstanceTypes", path)
        if not listed:
            self.note(path)
            return None
        names: list[str] = []
        for index, item in enumerate(listed):
            name = self.read.string(item)
            if name is None:
                self.note((*path, index))
                name = UNKNOWN_INSTANCE_TYPE
            if name not in names:
                names.append(name)
        return names

    def advanced_job(self, input_config: Mapping[str, object]) -> InstanceHoursEstimate:
        """Load tests times (traffic + setup), within MaxNumberOfTests and the job's duration."""
        job = self.job_seconds(input_config) or MAX_JOB_SECONDS
        traffic = self.traffic_seconds(input_config, job)
        test = traffic + ENDPOINT_SETUP_SECONDS
        test_hours = test / _SECONDS_PER_HOUR
        per_test = f"({_duration(traffic)} traffic + {_duration(ENDPOINT_SETUP_SECONDS)} setup)"
        self.assume(_ONE_INSTANCE)
        self.assume(_SETUP)
        limits = self.mapping(input_config, "ResourceLimit", _LIMIT) or {}
        most = self.number(limits, "MaxNumberOfTests", (*_LIMIT, "MaxNumberOfTests"))
        parallel = self.number(limits, "MaxParallelOfTests", (*_LIMIT, "MaxParallelOfTests"))

        # MaxParallelOfTests "Defines the maximum number of parallel load tests":
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobResourceLimit.html
        # JobDurationInSeconds "Specifies the maximum duration of the job":
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobInputConfig.html
        # yet "New jobs are not scheduled after the defined duration. This helps ensure jobs that
        # are in progress are not stopped" (the load-test page as archived in June 2023, the one
        # source of how the duration and ResourceLimit act on load tests):
        # https://github.com/awsdocs/amazon-sagemaker-developer-guide/blob/a869fa5c9bd1074a85bd23748d0463e322ad8939/doc_source/inference-recommender-load-test.md
        # So each parallel endpoint may be held until one test length after the cutoff.
        job_hours: float | None = None
        job_bound = ""
        if parallel is None:
            self.assume(_NO_PARALLEL_LIMIT)
        else:
            self.assume(_CUTOFF)
            job_hours = int(parallel) * (job + test) / _SECONDS_PER_HOUR
            job_bound = (
                f"MaxParallelOfTests {int(parallel)}{_TIMES}({_duration(job)} job + "
                f"{_duration(test)} for a test started last)"
            )

        per_name = self.load_tests(input_config)
        if per_name is None:
            if job_hours is None:
                return self.result({}, None, "EndpointConfigurations is unknown at synth")
            return self.result({UNKNOWN_INSTANCE_TYPE: job_hours}, None, job_bound, job_hours)

        # Max number of tests "sets an upper limit on the number of tests a job can make. Note
        # that each endpoint configuration results in a new load test" (the archived page above).
        count = sum(per_name.values())
        counted = count if most is None else min(count, int(most))
        cap = math.inf if job_hours is None else job_hours
        if most is not None:
            cap = min(cap, int(most) * test_hours)
        hours = {name: min(tests * test_hours, cap) for name, tests in per_name.items()}
        instance_tests = sum(tests for name, tests in per_name.items() if name != SERVERLESS)
        all_tests = f"{count} load tests{_TIMES}{per_test}"
        if instance_tests * test_hours <= cap:
            return self.result(hours, counted, all_tests)
        if job_hours is not None and job_hours <= cap:
            return self.result(hours, counted, f"{job_bound}, below {all_tests}", job_hours)
        return self.result(hours, counted, f"MaxNumberOfTests {counted} of {all_tests}", cap)

    def load_tests(self, input_config: Mapping[str, object]) -> dict[str, int] | None:
        """Return load tests per instance type (and ``"serverless"``); None if unknown."""
        # Load tests run on "either serverless endpoints or real-time instances (up to 10) that
        # you select": without them there is nothing to count.
        # https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-load-test.html
        configurations = self.items(input_config, "EndpointConfigurations", _CONFIGURATIONS)
        if configurations is None:
            self.note(_CONFIGURATIONS)
            return None
        counts: dict[str, int] = {}
        for index, item in enumerate(configurations):
            path = (*_CONFIGURATIONS, index)
            configuration = self.read.mapping(item)
            if configuration is None:
                self.note(path)
                name, tests = UNKNOWN_INSTANCE_TYPE, MAX_VALUES_PER_PARAMETER**MAX_PARAMETERS
            else:
                name = self.endpoint_kind(configuration, path)
                tests = self.combinations(configuration, path)
            counts[name] = counts.get(name, 0) + tests
        return counts

    def endpoint_kind(self, configuration: Mapping[str, object], path: Path) -> str:
        """Return the configuration's instance type, ``"serverless"`` or ``"unknown"``."""
        if configuration.get("InstanceType") is not None:
            name = self.string(configuration, "InstanceType", (*path, "InstanceType"))
            return UNKNOWN_INSTANCE_TYPE if name is None else name
        if configuration.get("ServerlessConfig") is not None:
            return SERVERLESS
        self.note((*path, "InstanceType"))
        return UNKNOWN_INSTANCE_TYPE

    def combinations(self, configuration: Mapping[str, object], path: Path) -> int:
        """Return how many environment-parameter combinations the configuration tests."""
        # CategoricalParameter: "Environment parameters you want to benchmark your load test
        # against"; how their values combine into load tests is not documented (_COMBINATIONS).
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CategoricalParameter.html
        worst = MAX_VALUES_PER_PARAMETER**MAX_PARAMETERS
        ranges_path = (*path, "EnvironmentParameterRanges")
        ranges = self.mapping(configuration, "EnvironmentParameterRanges", ranges_path)
        if ranges is None:
            return 1 if configuration.get("EnvironmentParameterRanges") is None else worst
        params_path = (*ranges_path, "CategoricalParameterRanges")
        parameters = self.items(ranges, "CategoricalParameterRanges", params_path)
        if parameters is None:
            return 1 if ranges.get("CategoricalParameterRanges") is None else worst
        self.assume(_COMBINATIONS)
        count = 1
        for index, item in enumerate(parameters):
            parameter = self.read.mapping(item)
            if parameter is None:
                self.note((*params_path, index))
                count *= MAX_VALUES_PER_PARAMETER
                continue
            values = self.items(parameter, "Value", (*params_path, index, "Value"))
            count *= MAX_VALUES_PER_PARAMETER if values is None else max(len(values), 1)
        return count

    def traffic_seconds(self, input_config: Mapping[str, object], job: float) -> float:
        """Return one load test's traffic, at most the job's duration."""
        # "The total duration of all your Phases cannot exceed the Job duration":
        # https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-troubleshooting.html
        # So the job's duration also bounds a traffic pattern that cannot be read.
        pattern = self.mapping(input_config, "TrafficPattern", _TRAFFIC)
        seconds = None
        if pattern is not None:
            traffic_type = self.string(pattern, "TrafficType", (*_TRAFFIC, "TrafficType"))
            stairs = traffic_type == "STAIRS" or (
                traffic_type is None and "Stairs" in pattern and "Phases" not in pattern
            )
            seconds = self.stairs_seconds(pattern) if stairs else self.phases_seconds(pattern)
        if seconds is None:
            self.assume(_NO_TRAFFIC)
            return job
        return min(seconds, job)

    def phases_seconds(self, pattern: Mapping[str, object]) -> float | None:
        """Return the sum of the phases' ``DurationInSeconds``; None if unknown."""
        # Phase.DurationInSeconds "Specifies how long a traffic phase should be"; a phase without
        # a readable one counts its maximum, MAX_TRAFFIC_SECONDS.
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Phase.html
        path = (*_TRAFFIC, "Phases")
        phases = self.items(pattern, "Phases", path)
        if not phases:
            return None
        total = 0.0
        for index, item in enumerate(phases):
            phase = self.read.mapping(item)
            if phase is None:
                self.note((*path, index))
            member = (*path, index, "DurationInSeconds")
            duration = None if phase is None else self.number(phase, "DurationInSeconds", member)
            total += MAX_TRAFFIC_SECONDS if duration is None else duration
        return total

    def stairs_seconds(self, pattern: Mapping[str, object]) -> float | None:
        """Return ``DurationInSeconds`` times ``NumberOfSteps`` of the stairs; None if unknown."""
        path = (*_TRAFFIC, "Stairs")
        stairs = self.mapping(pattern, "Stairs", path)
        if stairs is None:
            return None
        # Stairs.DurationInSeconds "Defines how long each traffic step should be":
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Stairs.html
        # while the developer guide divides it among the steps and gives it the phases' range,
        # 120 to 3600 seconds:
        # https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-load-test.html
        # The longer reading is the worst case (_STAIRS); a step without a readable duration
        # counts MAX_TRAFFIC_SECONDS.
        duration = self.number(stairs, "DurationInSeconds", (*path, "DurationInSeconds"))
        steps = self.number(stairs, "NumberOfSteps", (*path, "NumberOfSteps"))
        if steps is None:
            return None
        self.assume(_STAIRS)
        return (MAX_TRAFFIC_SECONDS if duration is None else duration) * int(steps)


def _hours(hours: float) -> str:
    """Return ``12.5``, ``10.0`` or ``0.75``: two decimals at most, one at least."""
    text = f"{hours:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _duration(seconds: float) -> str:
    """Return ``1 h 15 min``, ``45 min`` or ``2 min 30 s``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    parts += [f"{secs} s"] if secs else []
    return " ".join(parts) or "0 s"
