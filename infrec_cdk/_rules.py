"""The rule layer: what the API reference states only in words, or the developer guide adds.

One small function per rule (``RULES``), cdk-nag style. Each cites its source, and each is graded
by that evidence (README "Validation" lists the errors and the warnings):

* an **error** only where the documentation states the refusal ("must", "required", "is not
  allowed", "cannot exceed", "valid values are", "not supported");
* a **warning**, with an annotation id a user can acknowledge, where the docs only instruct or
  describe, are silent, contradict each other, or where AWS-authored code does otherwise. A
  warning's message says what the risk is.

A rule never refuses more than its evidence does: a false refusal would block a user with no way
out, whereas SageMaker itself still refuses a bad request at deploy time, with its own message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from infrec_cdk._checks import Path, Problem, Reader, present, show, suggestion
from infrec_cdk._model_checks import package_group_hint
from infrec_cdk._sources import (
    API_CONTAINER,
    API_ENDPOINT_INPUT,
    API_INPUT,
    API_JOB,
    API_PAYLOAD,
    API_PHASE,
    API_SERVERLESS,
    API_STAIRS,
    API_TAG,
    API_THRESHOLD,
    API_TRAFFIC,
    EXAMPLE_TGI_NOTEBOOK,
    GUIDE_CREATE,
    GUIDE_LOAD_TEST,
    GUIDE_LOAD_TEST_ARCHIVED,
    GUIDE_PREREQUISITES,
    GUIDE_TROUBLESHOOTING,
    SDK_INTEG_TEST,
)

__all__ = ["DOCUMENTED_VALUES", "RULES", "Request", "Rule"]

# --- the request, as the rules read it -----------------------------------------------------------

_INPUT: Path = ("InputConfig",)
_TRAFFIC: Path = (*_INPUT, "TrafficPattern")
_CONTAINER: Path = (*_INPUT, "ContainerConfig")
_STOPPING: Path = ("StoppingConditions",)


@dataclass(frozen=True, slots=True)
class Request:
    """The parts of a request the rules look at; unknown parts (tokens, wrong types) are None."""

    read: Reader
    root: Mapping[str, object]
    input: Mapping[str, object] | None
    job_type: str | None
    job_duration: int | None

    @staticmethod
    def of(root: Mapping[str, object], read: Reader) -> Request:
        """Return the view of ``root``."""
        input_config = read.mapping(root.get("InputConfig"))
        duration = input_config.get("JobDurationInSeconds") if input_config else None
        return Request(
            read=read,
            root=root,
            input=input_config,
            job_type=read.string(root.get("JobType")),
            job_duration=read.integer(duration),
        )

    def mapping(self, parent: Mapping[str, object] | None, member: str) -> Mapping[str, object]:
        """Return ``parent[member]`` if it is a known object, else an empty one."""
        return (self.read.mapping(parent.get(member)) if parent else None) or {}

    def mappings(self, parent: Mapping[str, object], member: str) -> list[Mapping[str, object]]:
        """Return the known objects in the list ``parent[member]`` (unknown items as ``{}``)."""
        items = self.read.items(parent.get(member)) or ()
        return [self.read.mapping(item) or {} for item in items]

    def integer(self, parent: Mapping[str, object], member: str) -> int | None:
        """Return ``parent[member]`` if it is a known integer."""
        return self.read.integer(parent.get(member))

    def string(self, parent: Mapping[str, object], member: str) -> str | None:
        """Return ``parent[member]`` if it is a known string."""
        return self.read.string(parent.get(member))

    @property
    def container(self) -> Mapping[str, object]:
        """``InputConfig.ContainerConfig``, if known."""
        return self.mapping(self.input, "ContainerConfig")

    @property
    def traffic(self) -> Mapping[str, object]:
        """``InputConfig.TrafficPattern``, if known."""
        return self.mapping(self.input, "TrafficPattern")

    @property
    def phases(self) -> list[Mapping[str, object]]:
        """``InputConfig.TrafficPattern.Phases``, if known."""
        return self.mappings(self.traffic, "Phases")

    @property
    def stopping(self) -> Mapping[str, object]:
        """``StoppingConditions``, if known."""
        return self.mapping(self.root, "StoppingConditions")

    def endpoint_configurations(self) -> Iterator[tuple[Path, Mapping[str, object]]]:
        """Each known ``InputConfig.EndpointConfigurations`` item, with its path."""
        for index, entry in enumerate(self.mappings(self.input or {}, "EndpointConfigurations")):
            yield (*_INPUT, "EndpointConfigurations", index), entry


Rule = Callable[[Request], Iterator[Problem]]


def _error(path: Path, message: str, source: str, *, refines: bool = True) -> Problem:
    return Problem(path, message, source=source, refines=refines)


def _warning(warning_id: str, path: Path, message: str, source: str) -> Problem:
    return Problem(path, message, source=source, warning=f"infrec-cdk:{warning_id}")


def _outside(value: int, low: int, high: int) -> str | None:
    if value < low:
        return f"{show(value)} is below the minimum {low}"
    if value > high:
        return f"{show(value)} is above the maximum {high}"
    return None


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0")


# --- JobName, JobDurationInSeconds, the model ----------------------------------------------------

_NAME_PREFIX = 40
_MAX_JOB_SECONDS = 18_000


def _job_name_fits_prefixes(r: Request) -> Iterator[Problem]:
    """Warn when JobName is longer than the 40 characters IR keeps in its resource names.

    API reference, JobName: "names of resources ... prefixed with the job name are truncated at
    40 characters". Not a refusal: a longer name is valid.
    """
    name = r.string(r.root, "JobName")
    if name is not None and len(name) > _NAME_PREFIX:
        yield _warning(
            "longJobName",
            ("JobName",),
            f"{show(name)} has {len(name)} characters: Inference Recommender cuts the names of "
            f"the models and endpoints it creates to the first {_NAME_PREFIX}, so keep the "
            "distinguishing part there",
            API_JOB,
        )


def _job_duration_at_most_five_hours(r: Request) -> Iterator[Problem]:
    """Refuse more than 5 hours: "The maximum value is 18,000 seconds" (API reference)."""
    if r.job_duration is not None and r.job_duration > _MAX_JOB_SECONDS:
        yield _error(
            (*_INPUT, "JobDurationInSeconds"),
            f"{show(r.job_duration)} is above the maximum {_MAX_JOB_SECONDS}",
            API_INPUT,
        )


def _one_model_source(r: Request) -> Iterator[Problem]:
    """Exactly one of ModelPackageVersionArn and ModelName.

    Guide ("Create an inference recommendation"): "Inference Recommender supports either one
    model package ARN or a model name as input. Specify one of the following".
    """
    if r.input is None:
        return
    package, name = present(r.input, "ModelPackageVersionArn"), present(r.input, "ModelName")
    if package and name:
        yield _error(
            (*_INPUT, "ModelName"),
            "cannot be given together with ModelPackageVersionArn: give exactly one of them",
            GUIDE_CREATE,
            refines=False,
        )
    elif not (package or name):
        yield _error(
            _INPUT,
            "needs exactly one of ModelPackageVersionArn, ModelName (it has neither)",
            GUIDE_CREATE,
            refines=False,
        )


_VERSIONED_PACKAGE = re.compile(r".*:model-package/[^/]+/[0-9]+")


def _versioned_model_package(r: Request) -> Iterator[Problem]:
    """Require a version ARN: "The ... ARN of a versioned model package" (API reference)."""
    arn = r.string(r.input or {}, "ModelPackageVersionArn")
    if arn is not None and _VERSIONED_PACKAGE.fullmatch(arn) is None:
        yield _error(
            (*_INPUT, "ModelPackageVersionArn"),
            package_group_hint(arn)
            or f"{show(arn)} must end with a /<version> number (a versioned model package: "
            "...:model-package/<group>/<version>)",
            API_INPUT,
        )


def _model_name_needs_container(r: Request) -> Iterator[Problem]:
    """With ModelName: ContainerConfig with Domain, Task and a sample payload; Framework advised.

    Guide ("Create an inference recommendation"): "provide the ContainerConfig dictionary, which
    includes the required fields that need to be provided with the model name"; the
    prerequisites list them: Domain, Task, PayloadConfig, Framework, FrameworkVersion,
    "(Optional) SupportedInstanceTypes". Framework (and FrameworkVersion, not checked) only warn:
    AWS's own TGI example notebook sends ModelName without them, and the SageMaker Python SDK
    documents the framework as needed only for custom containers.
    """
    if not present(r.input, "ModelName"):
        return
    if not present(r.input, "ContainerConfig"):
        yield _error(
            _CONTAINER,
            "is required with ModelName (with Domain, Task, Framework and "
            "PayloadConfig.SamplePayloadUrl)",
            GUIDE_CREATE,
            refines=False,
        )
        return
    container = r.read.mapping(r.input.get("ContainerConfig") if r.input else None)
    if container is None:
        return
    for member in ("Domain", "Task"):
        if not present(container, member):
            yield _error(
                (*_CONTAINER, member),
                "is required with ModelName",
                GUIDE_PREREQUISITES,
                refines=False,
            )
    if not present(container, "Framework"):
        yield _warning(
            "modelNameWithoutFramework",
            (*_CONTAINER, "Framework"),
            "is not given: the prerequisites list it for a ModelName job and the troubleshooting "
            "guide calls it mandatory, though AWS's own examples omit it "
            f"({EXAMPLE_TGI_NOTEBOOK}); if SageMaker fails the job with 'Framework is a "
            "mandatory parameter', set it (OTHER if unknown)",
            GUIDE_PREREQUISITES,
        )
    payload = r.read.mapping(container.get("PayloadConfig"))
    if not present(container, "PayloadConfig") or (
        payload is not None and not present(payload, "SamplePayloadUrl")
    ):
        yield _error(
            (*_CONTAINER, "PayloadConfig", "SamplePayloadUrl"),
            "is required with ModelName",
            GUIDE_PREREQUISITES,
            refines=False,
        )


def _unique_tag_keys(r: Request) -> Iterator[Problem]:
    """Refuse repeated keys: "Tag keys must be unique per resource" (API reference, Tag)."""
    first: dict[str, int] = {}
    for index, tag in enumerate(r.mappings(r.root, "Tags")):
        key = r.string(tag, "Key")
        if key is None:
            continue
        if key in first:
            yield _error(
                ("Tags", index, "Key"),
                f"{show(key)} repeats Tags[{first[key]}].Key: tag keys must be unique",
                API_TAG,
            )
        else:
            first[key] = index


# --- Advanced (load test) and Default jobs -------------------------------------------------------


def _advanced_needs_load_test(r: Request) -> Iterator[Problem]:
    """Advanced jobs need TrafficPattern and StoppingConditions; EndpointConfigurations advised.

    Guide ("Run a custom load test"): "Load tests require that you also specify a traffic pattern
    and stopping conditions." It only instructs ("For EndpointConfigurations, specify the
    InstanceType"), and is silent on an Advanced job that tests an existing endpoint
    (InputConfig.Endpoints): a missing EndpointConfigurations is a warning.
    """
    if r.job_type != "Advanced" or r.input is None:
        return
    for parent, path in ((r.input, (*_INPUT, "TrafficPattern")), (r.root, _STOPPING)):
        if not present(parent, str(path[-1])):
            yield _error(
                path, "is required for Advanced jobs (load tests)", GUIDE_LOAD_TEST, refines=False
            )
    if present(r.input, "EndpointConfigurations"):
        return
    risk = (
        "the docs describe Advanced jobs on an existing endpoint (InputConfig.Endpoints) only "
        "together with EndpointConfigurations, so SageMaker may refuse the job"
        if present(r.input, "Endpoints")
        else "an Advanced job load-tests the instance types or serverless configurations listed "
        "here, so SageMaker may refuse a job that lists none"
    )
    yield _warning(
        "advancedWithoutEndpointConfigurations",
        (*_INPUT, "EndpointConfigurations"),
        f"is not given: {risk}",
        GUIDE_LOAD_TEST,
    )


# Load-test fields on a Default job, by path: the docs describe them only for load tests and never
# say whether a Default job refuses or ignores them.
_DEFAULT_JOB_FIELDS: tuple[tuple[Path, str, str], ...] = (
    (
        (*_INPUT, "TrafficPattern"),
        "defaultJobTrafficPattern",
        "the docs describe a traffic pattern only for load tests (Advanced jobs)",
    ),
    (
        (*_INPUT, "ResourceLimit"),
        "defaultJobResourceLimit",
        "the docs describe resource limits only for load tests (Advanced jobs)",
    ),
    (
        (*_INPUT, "EndpointConfigurations"),
        "defaultJobEndpointConfigurations",
        (
            "the docs show endpoint configurations only on Advanced jobs; a Default job chooses "
            "the instance types itself (narrow them with ContainerConfig.SupportedInstanceTypes "
            "or SupportedEndpointType)"
        ),
    ),
    (
        _STOPPING,
        "defaultJobStoppingConditions",
        (
            "the docs show stopping conditions only on Advanced jobs (the API reference's 'for "
            "custom load tests, specify P95' suggests other jobs take them too)"
        ),
    ),
)


def _default_job_load_test_fields(r: Request) -> Iterator[Problem]:
    """Warn about load-test fields on a Default job: the docs are silent on what happens."""
    if r.job_type != "Default":
        return
    for path, warning_id, why in _DEFAULT_JOB_FIELDS:
        parent = r.root if len(path) == 1 else r.input
        if present(parent, str(path[-1])):
            yield _warning(
                warning_id,
                path,
                f"is given on a Default job: {why}; SageMaker may ignore it or refuse the job",
                GUIDE_LOAD_TEST,
            )


def _traffic_type_matches(r: Request) -> Iterator[Problem]:
    """TrafficType is given; PHASES goes with Phases only, STAIRS with Stairs only.

    API reference, TrafficType: "Choose either PHASES or STAIRS"; Stairs: "Specify either the
    stairs or phases traffic pattern." Instructions, not stated refusals: warnings.
    """
    if r.input is None or r.read.mapping(r.input.get("TrafficPattern")) is None:
        return
    traffic = r.traffic
    if not present(traffic, "TrafficType"):
        yield _warning(
            "trafficTypeMissing",
            (*_TRAFFIC, "TrafficType"),
            "is not given: the API reference asks for PHASES or STAIRS, and SageMaker may "
            "refuse a traffic pattern without it",
            API_TRAFFIC,
        )
        return
    kind = r.string(traffic, "TrafficType")
    used, unused, other = {
        "PHASES": ("Phases", "Stairs", "STAIRS"),
        "STAIRS": ("Stairs", "Phases", "PHASES"),
    }.get(kind or "", ("", "", ""))
    if used and not present(traffic, used):
        yield _warning(
            "trafficTypeMismatch",
            (*_TRAFFIC, used),
            f"is not given with TrafficType {kind}: the load test would have no traffic to send",
            API_TRAFFIC,
        )
    if unused and present(traffic, unused):
        yield _warning(
            "trafficTypeMismatch",
            (*_TRAFFIC, unused),
            f"is given with TrafficType {kind}: the API reference asks for either stairs or "
            f"phases, so SageMaker may refuse or ignore it (remove it, or use TrafficType {other})",
            API_STAIRS,
        )


# --- phases and stairs ---------------------------------------------------------------------------

_TRAFFIC_SECONDS = (120, 3600)
_USERS = (1, 3)
_SPAWN_RATE = (0, 3)
_MAX_USER_GAP = 3


def _phase_ranges(r: Request) -> Iterator[Problem]:
    """DurationInSeconds 120-3600 and the first phase's InitialNumberOfUsers 1-3 (errors).

    API reference, Phase: InitialNumberOfUsers "should be between 1 and 3"; DurationInSeconds
    "for custom load tests, the value should be between 120 and 3600"; the load-test guide gives
    both as minimum and maximum. For later phases, a start above 3 users is only a warning: the
    troubleshooting guide asks each phase to start within 3 users of where the previous one
    ended, and the SageMaker Python SDK's integration test starts a second phase with 14 users.
    SpawnRate above 3 is a warning too: the guide says "maximum of 3", but its own CLI example
    sends "SpawnRate": 60.
    """
    for index, phase in enumerate(r.phases):
        path = (*_TRAFFIC, "Phases", index)
        duration = r.integer(phase, "DurationInSeconds")
        problem = None if duration is None else _outside(duration, *_TRAFFIC_SECONDS)
        if problem is not None:
            yield _error((*path, "DurationInSeconds"), problem, API_PHASE)
        users = r.integer(phase, "InitialNumberOfUsers")
        problem = None if users is None else _outside(users, *_USERS)
        if problem is not None and index == 0:
            yield _error((*path, "InitialNumberOfUsers"), problem, API_PHASE)
        elif problem is not None:
            yield _warning(
                "laterPhaseInitialUsers",
                (*path, "InitialNumberOfUsers"),
                f"{problem} the API reference gives for every phase, while the troubleshooting "
                "guide has later phases start where the previous one ended (the SageMaker Python "
                f"SDK's integration test starts one with 14 users: {SDK_INTEG_TEST}); SageMaker "
                "may refuse it",
                API_PHASE,
            )
        rate = r.integer(phase, "SpawnRate")
        problem = None if rate is None else _outside(rate, *_SPAWN_RATE)
        if problem is not None:
            yield _warning(
                "spawnRateAboveDocumented",
                (*path, "SpawnRate"),
                f"{problem} the load-test guide gives (its own example sends 60); SageMaker may "
                "refuse it",
                GUIDE_LOAD_TEST,
            )


_LISTED_PARTS = 5


def _phases_fit_job(r: Request) -> Iterator[Problem]:
    """Refuse phases longer than the job (troubleshooting guide).

    "The total duration of all your Phases cannot exceed the Job duration."
    """
    durations = [r.integer(phase, "DurationInSeconds") for phase in r.phases]
    known = [duration for duration in durations if duration is not None]
    if r.job_duration is None or not known or len(known) != len(durations):
        return
    total = sum(known)
    if total > r.job_duration:
        parts = " + ".join(map(show, known)) if len(known) <= _LISTED_PARTS else "all phases"
        yield _error(
            (*_TRAFFIC, "Phases"),
            f"total DurationInSeconds {show(total)} ({parts}) is above "
            f"InputConfig.JobDurationInSeconds {show(r.job_duration)}",
            GUIDE_TROUBLESHOOTING,
        )


# Beyond this, a phase's value is reported by the range rules; continuity is not computed.
_PLAUSIBLE = 1_000_000


def _plausible(r: Request, phase: Mapping[str, object], member: str) -> int | None:
    value = r.integer(phase, member)
    return value if value is not None and 0 <= value <= _PLAUSIBLE else None


def _phase_user_continuity(r: Request) -> Iterator[Problem]:
    """Warn when a phase starts more than 3 users away from where the previous one ends.

    Troubleshooting guide: "Between sequential phases, x_1 and x_2, we require that
    abs(x_2.A - x_1.B) <= 3". How SageMaker computes B is not documented (this rule takes
    B = A + SpawnRate * DurationInSeconds / 60), and the same table's example error ("users at
    the end of prev phase is 0 while initial users of current phase is 1") does not fit that
    rule: a warning.
    """
    phases = r.phases
    for index in range(1, len(phases)):
        previous = phases[index - 1]
        start = _plausible(r, previous, "InitialNumberOfUsers")
        rate = _plausible(r, previous, "SpawnRate")
        duration = _plausible(r, previous, "DurationInSeconds")
        following = _plausible(r, phases[index], "InitialNumberOfUsers")
        if start is None or rate is None or duration is None or following is None:
            continue
        minutes = Fraction(duration, 60)
        end = start + rate * minutes
        gap = abs(following - end)
        if gap > _MAX_USER_GAP:
            yield _warning(
                "phaseContinuity",
                (*_TRAFFIC, "Phases", index, "InitialNumberOfUsers"),
                f"{following} is {_fraction_text(gap)} users away from the "
                f"{_fraction_text(end)} users Phases[{index - 1}] ends with ({start} initial + "
                f"{rate} per minute for {_fraction_text(minutes)} minutes): SageMaker requires "
                f"a phase to start within {_MAX_USER_GAP} users of where the previous one ends, "
                "and may refuse the job",
                GUIDE_TROUBLESHOOTING,
            )


def _stairs_duration(r: Request) -> Iterator[Problem]:
    """Warn when the stairs may not fit 120-3600 s or the job's duration.

    The sources disagree on Stairs.DurationInSeconds: the API reference says "how long each
    traffic step should be", earlier research of the load-test guide read it as the total, split
    evenly across the steps. Neither states a refusal, so neither reading refuses anything: the
    range 120-3600 (stated for phases) and the job's duration are checked as warnings, the
    duration under the per-step reading (NumberOfSteps x DurationInSeconds), the longer one.
    """
    stairs = r.mapping(r.traffic, "Stairs")
    path = (*_TRAFFIC, "Stairs", "DurationInSeconds")
    duration = r.integer(stairs, "DurationInSeconds")
    if duration is None:
        return
    problem = _outside(duration, *_TRAFFIC_SECONDS)
    if problem is not None:
        yield _warning(
            "stairsDuration",
            path,
            f"{problem} the load-test guide gives for traffic durations; SageMaker may refuse it",
            GUIDE_LOAD_TEST,
        )
    steps = r.integer(stairs, "NumberOfSteps") or 1
    if r.job_duration is not None and duration * steps > r.job_duration:
        yield _warning(
            "stairsLongerThanJob",
            path,
            f"{duration} s per step x {steps} steps = {duration * steps} s is above "
            f"InputConfig.JobDurationInSeconds {r.job_duration} (the API reference reads "
            "DurationInSeconds as each step's length): the job may end before the last step",
            API_STAIRS,
        )


# --- resource limits, endpoint configurations ----------------------------------------------------

_MAX_TESTS = 10


def _resource_limits(r: Request) -> Iterator[Problem]:
    """Warn above 10 tests (archived load-test guide) or more parallel tests than tests."""
    limit = r.mapping(r.input, "ResourceLimit")
    path = (*_INPUT, "ResourceLimit")
    for member in ("MaxNumberOfTests", "MaxParallelOfTests"):
        value = r.integer(limit, member)
        if value is not None and value > _MAX_TESTS:
            yield _warning(
                "resourceLimitAboveDocumented",
                (*path, member),
                f"{value} is above the maximum {_MAX_TESTS} the archived load-test guide gives "
                "(the current page does not say); SageMaker may refuse it",
                GUIDE_LOAD_TEST_ARCHIVED,
            )
    tests, parallel = r.integer(limit, "MaxNumberOfTests"), r.integer(limit, "MaxParallelOfTests")
    if tests is not None and parallel is not None and parallel > tests:
        yield _warning(
            "parallelAboveTests",
            (*path, "MaxParallelOfTests"),
            f"{show(parallel)} is above MaxNumberOfTests {show(tests)}: at most that many tests "
            "run at all",
            GUIDE_LOAD_TEST_ARCHIVED,
        )


def _one_endpoint_kind(r: Request) -> Iterator[Problem]:
    """Warn unless an endpoint configuration has exactly one of InstanceType, ServerlessConfig.

    Implied by the API reference (both are optional; each describes one kind of endpoint), never
    stated: a warning.
    """
    for path, entry in r.endpoint_configurations():
        given = [m for m in ("InstanceType", "ServerlessConfig") if present(entry, m)]
        if entry and len(given) != 1:
            has = "both" if given else "neither"
            yield _warning(
                "endpointConfigurationKind",
                path,
                f"has {has} of InstanceType, ServerlessConfig: each configuration describes one "
                "real-time or one serverless endpoint, so SageMaker may refuse it",
                API_ENDPOINT_INPUT,
            )


def _no_burstable_instances(r: Request) -> Iterator[Problem]:
    """Troubleshooting guide: "Burstable instance type ml.t2.medium is not allowed"."""
    for path, entry in r.endpoint_configurations():
        instance_type = r.string(entry, "InstanceType")
        if instance_type is not None and instance_type.startswith("ml.t2."):
            yield _error(
                (*path, "InstanceType"),
                f"{show(instance_type)} is a burstable instance type: Inference Recommender "
                "does not load-test the ml.t2 family",
                GUIDE_TROUBLESHOOTING,
            )


_MEMORY_SIZES = tuple(range(1024, 6145, 1024))


def _serverless_memory_steps(r: Request) -> Iterator[Problem]:
    """Refuse other memory sizes: "Valid values are in 1 GB increments" (API reference)."""
    for path, entry in r.endpoint_configurations():
        memory = r.integer(r.mapping(entry, "ServerlessConfig"), "MemorySizeInMB")
        if memory is not None and memory not in _MEMORY_SIZES:
            yield _error(
                (*path, "ServerlessConfig", "MemorySizeInMB"),
                f"{show(memory)} must be one of {', '.join(map(str, _MEMORY_SIZES))}",
                API_SERVERLESS,
            )


def _no_provisioned_concurrency(r: Request) -> Iterator[Problem]:
    """Refuse ProvisionedConcurrency, "not supported ... for Inference Recommender jobs"."""
    for path, entry in r.endpoint_configurations():
        if present(r.mapping(entry, "ServerlessConfig"), "ProvisionedConcurrency"):
            yield _error(
                (*path, "ServerlessConfig", "ProvisionedConcurrency"),
                "is not supported by Inference Recommender: leave it out",
                API_SERVERLESS,
                refines=False,
            )


def _categorical_names_non_empty(r: Request) -> Iterator[Problem]:
    """Warn about an empty categorical parameter Name: it names an environment variable.

    The model allows length 0 and the docs are silent: a warning.
    """
    for path, entry in r.endpoint_configurations():
        ranges = r.mapping(entry, "EnvironmentParameterRanges")
        parameters = (*path, "EnvironmentParameterRanges", "CategoricalParameterRanges")
        for index, parameter in enumerate(r.mappings(ranges, "CategoricalParameterRanges")):
            if r.string(parameter, "Name") == "":
                yield _warning(
                    "emptyEnvironmentName",
                    (*parameters, index, "Name"),
                    "'' is empty, but it names the environment variable the values are set in; "
                    "SageMaker may refuse it",
                    API_ENDPOINT_INPUT,
                )


# --- ContainerConfig -----------------------------------------------------------------------------

# Values the API reference lists ("Valid Values") for free-string ContainerConfig members; OTHER
# for Domain and Framework comes from the troubleshooting guide ("provide the ML Domain or OTHER
# if unknown", "provide the ML Framework or OTHER if unknown").
DOCUMENTED_VALUES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Domain": (
        "domains",
        "unknownDomain",
        ("COMPUTER_VISION", "NATURAL_LANGUAGE_PROCESSING", "MACHINE_LEARNING", "OTHER"),
    ),
    "Task": (
        "tasks",
        "unknownTask",
        (
            "IMAGE_CLASSIFICATION",
            "OBJECT_DETECTION",
            "TEXT_GENERATION",
            "IMAGE_SEGMENTATION",
            "FILL_MASK",
            "CLASSIFICATION",
            "REGRESSION",
            "OTHER",
        ),
    ),
    "Framework": (
        "frameworks",
        "unknownFramework",
        ("TENSORFLOW", "PYTORCH", "XGBOOST", "SAGEMAKER-SCIKIT-LEARN", "OTHER"),
    ),
    "NearestModelName": (
        "benchmarked models",
        "unknownNearestModelName",
        (
            "efficientnetb7",
            "unet",
            "xgboost",
            "faster-rcnn-resnet101",
            "nasnetlarge",
            "vgg16",
            "inception-v3",
            "mask-rcnn",
            "sagemaker-scikit-learn",
            "densenet201-gluon",
            "resnet18v2-gluon",
            "xception",
            "densenet201",
            "yolov4",
            "resnet152",
            "bert-base-cased",
            "xceptionV1-keras",
            "resnet50",
            "retinanet",
        ),
    ),
}


def _documented_container_values(r: Request) -> Iterator[Problem]:
    """Warn when Domain, Task, Framework or NearestModelName is not a documented value.

    The model types them as free strings; the API reference lists "Valid Values" in words.
    """
    for member, (noun, warning_id, values) in DOCUMENTED_VALUES.items():
        value = r.string(r.container, member)
        if value is None or value in values:
            continue
        guess = suggestion(value, values)
        hint = f" (did you mean {guess}?)" if guess else ""
        yield _warning(
            warning_id,
            (*_CONTAINER, member),
            f"{show(value)} is not one of the documented {noun}: {', '.join(values)}{hint}; "
            "SageMaker may refuse it",
            API_CONTAINER,
        )


def _data_input_config_is_json(r: Request) -> Iterator[Problem]:
    """Warn unless ContainerConfig.DataInputConfig parses as JSON.

    API reference: "the name and shape of the expected data inputs ... with a JSON dictionary
    form" describes the value without stating a refusal: a warning.
    """
    text = r.string(r.container, "DataInputConfig")
    if text is None:
        return
    try:
        json.loads(text)
    except (ValueError, RecursionError) as error:
        yield _warning(
            "dataInputConfigNotJson",
            (*_CONTAINER, "DataInputConfig"),
            f"{show(text)} is not valid JSON ({error}); SageMaker Neo reads it as JSON and may "
            "fail the job",
            API_CONTAINER,
        )


def _sample_payload_is_tar_gz(r: Request) -> Iterator[Problem]:
    """Refuse other archives (API reference, SamplePayloadUrl).

    "This path must point to a single gzip compressed tar archive (.tar.gz suffix)."
    """
    url = r.string(r.mapping(r.container, "PayloadConfig"), "SamplePayloadUrl")
    if url is not None and not url.endswith(".tar.gz"):
        yield _error(
            (*_CONTAINER, "PayloadConfig", "SamplePayloadUrl"),
            f"{show(url)} must end in .tar.gz (a single gzip tar archive of sample payloads)",
            API_PAYLOAD,
        )


# --- StoppingConditions --------------------------------------------------------------------------

_PERCENTILES = ("P95", "P99")
_MAX_INVOCATIONS = (1, 30_000)


def _latency_thresholds(r: Request) -> Iterator[Problem]:
    """Percentile is P95 or P99 (error); a threshold without both members or <= 0 ms warns.

    API reference, Percentile: "Acceptable values are P95 and P99." Whether Percentile and
    ValueInMilliseconds are required, and above 0, is not documented (the model has them
    optional and unbounded).
    """
    for index, threshold in enumerate(r.mappings(r.stopping, "ModelLatencyThresholds")):
        path = (*_STOPPING, "ModelLatencyThresholds", index)
        if not threshold:
            continue
        for member in ("Percentile", "ValueInMilliseconds"):
            if not present(threshold, member):
                yield _warning(
                    "incompleteLatencyThreshold",
                    (*path, member),
                    "is not given: a latency threshold names a percentile (P95 or P99) and a "
                    "value in milliseconds, so SageMaker may refuse it",
                    API_THRESHOLD,
                )
        percentile = r.string(threshold, "Percentile")
        if percentile is not None and percentile not in _PERCENTILES:
            yield _error(
                (*path, "Percentile"),
                f"{show(percentile)} must be one of {', '.join(_PERCENTILES)}",
                API_THRESHOLD,
            )
        value = r.integer(threshold, "ValueInMilliseconds")
        if value is not None and value <= 0:
            yield _warning(
                "nonPositiveLatency",
                (*path, "ValueInMilliseconds"),
                f"{show(value)} ms: every request would exceed it, ending each load test at once",
                API_THRESHOLD,
            )


def _load_test_percentile(r: Request) -> Iterator[Problem]:
    """Warn about P99 on a load test: "For custom load tests, specify the value as P95"."""
    if r.job_type != "Advanced":
        return
    for index, threshold in enumerate(r.mappings(r.stopping, "ModelLatencyThresholds")):
        percentile = r.string(threshold, "Percentile")
        if percentile is not None and percentile != "P95" and percentile in _PERCENTILES:
            yield _warning(
                "loadTestPercentile",
                (*_STOPPING, "ModelLatencyThresholds", index, "Percentile"),
                f"{show(percentile)}: the API reference asks custom load tests (Advanced jobs) "
                "to use P95; SageMaker may refuse another percentile",
                API_THRESHOLD,
            )


def _max_invocations_range(r: Request) -> Iterator[Problem]:
    """Warn outside 1-30,000 requests per minute (archived load-test guide only)."""
    value = r.integer(r.stopping, "MaxInvocations")
    problem = None if value is None else _outside(value, *_MAX_INVOCATIONS)
    if problem is not None:
        yield _warning(
            "maxInvocationsRange",
            (*_STOPPING, "MaxInvocations"),
            f"{problem} requests per minute the archived load-test guide gives (the current "
            "page does not say); SageMaker may refuse it",
            GUIDE_LOAD_TEST_ARCHIVED,
        )


RULES: tuple[Rule, ...] = (
    _job_name_fits_prefixes,
    _job_duration_at_most_five_hours,
    _one_model_source,
    _versioned_model_package,
    _model_name_needs_container,
    _unique_tag_keys,
    _advanced_needs_load_test,
    _default_job_load_test_fields,
    _traffic_type_matches,
    _phase_ranges,
    _phases_fit_job,
    _phase_user_continuity,
    _stairs_duration,
    _resource_limits,
    _one_endpoint_kind,
    _no_burstable_instances,
    _serverless_memory_steps,
    _no_provisioned_concurrency,
    _categorical_names_non_empty,
    _documented_container_values,
    _data_input_config_is_json,
    _sample_payload_is_tar_gz,
    _latency_thresholds,
    _load_test_percentile,
    _max_invocations_range,
)
"""Every rule, in the order their findings are reported for the same field."""
