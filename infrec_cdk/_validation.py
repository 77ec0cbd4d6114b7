"""Synth-time checks of a CreateInferenceRecommendationsJob request, in the API's own syntax.

Two layers, both pure (no CDK import; the caller injects ``is_unresolved``):

* the model layer walks botocore's input shape and checks everything it declares (required and
  unknown members, types, lengths, patterns, enums, ranges, list sizes);
* the rule layer adds what the model only says in words or the docs add (``_RULES``, one small
  function per rule, cdk-nag style).

Every problem names its field path; all of them come back together, in document order.
"""

from __future__ import annotations

import difflib
import json
import re
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from fractions import Fraction

from infrec_cdk._api_model import ModelConstraint, ShapeNode, input_shape, model_constraints

__all__ = [
    "ModelConstraint",
    "ValidationReport",
    "ValidationWarning",
    "model_constraints",
    "validate_request",
]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ValidationWarning:
    """A legal but risky set-up: ``id`` is ``infrec-cdk:<camelCase>``; ``message`` names a path."""

    id: str
    message: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem found: ``errors`` make the request unusable, ``warnings`` deserve a look."""

    errors: tuple[str, ...]
    warnings: tuple[ValidationWarning, ...]


@dataclass(frozen=True, slots=True)
class _Problem:
    """One finding. ``refines`` marks a rule check on a value the model may already reject."""

    path: Path
    message: str
    from_model: bool = False
    refines: bool = True
    warning: str | None = None


# --- reading values -----------------------------------------------------------------------------


class _ShortRepr(reprlib.Repr):
    """``reprlib.Repr`` that also survives integers too long to print."""

    def repr_int(self, x: int, level: int) -> str:
        """Return ``x``, or its size when Python refuses to print that many digits."""
        if x.bit_length() > _MAX_PRINTED_BITS:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


_MAX_PRINTED_BITS = 1024
_REPR = _ShortRepr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = 4
_REPR.maxlevel = 3
_SHOWN = 60


def _show(value: object) -> str:
    """Return a short repr of ``value`` (at most about 60 characters)."""
    text = _REPR.repr(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 3]}..."


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


_JSON_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (Mapping, "an object"),
    ((list, tuple), "a list"),
)


def _kind_of(value: object) -> str:
    """Describe ``value``'s type in JSON words."""
    for types, word in _JSON_KINDS:
        if isinstance(value, types):
            return word
    return f"a {type(value).__name__}"


@dataclass(frozen=True, slots=True)
class _Reader:
    """Typed, token-aware access to request values: an unresolved value reads as unknown.

    ``generated`` names top-level members the caller fills in later (never "required").
    """

    is_unresolved: Callable[[object], bool]
    generated: frozenset[str] = frozenset()

    def unresolved(self, value: object) -> bool:
        """Return whether ``value`` is (or holds) an unresolved token."""
        try:
            return bool(self.is_unresolved(value))
        except Exception:  # noqa: BLE001 (CDK's predicate raises on foreign objects: no token)
            return False

    def mapping(self, value: object) -> Mapping[str, object] | None:
        """Return ``value`` if it is a known object."""
        if not isinstance(value, Mapping) or self.unresolved(value):
            return None
        return value

    def items(self, value: object) -> Sequence[object] | None:
        """Return ``value`` if it is a known list."""
        if not isinstance(value, list | tuple) or self.unresolved(value):
            return None
        return value

    def integer(self, value: object) -> int | None:
        """Return ``value`` if it is a known integer (not a boolean)."""
        if isinstance(value, bool) or not isinstance(value, int) or self.unresolved(value):
            return None
        return value

    def string(self, value: object) -> str | None:
        """Return ``value`` if it is a known string."""
        if not isinstance(value, str) or self.unresolved(value):
            return None
        return value


def _present(parent: Mapping[str, object] | None, member: str) -> bool:
    """Return whether ``member`` is given (``None`` is absent: CDK drops it when rendering)."""
    return parent is not None and parent.get(member) is not None


# --- the model layer ----------------------------------------------------------------------------

# Wording for enums too long to list, by botocore shape name.
_LARGE_ENUMS = {"ProductionVariantInstanceType": ("an instance type", "ml.m5.xlarge")}
_LISTED_ENUM_LIMIT = 12


# The Python types each botocore type accepts (a boolean is never a number), and their name.
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "structure": ((Mapping,), "an object"),
    "map": ((Mapping,), "an object"),
    "list": ((list, tuple), "a list"),
    "string": ((str,), "a string"),
    "integer": ((int,), "an integer"),
    "long": ((int,), "an integer"),
    "boolean": ((bool,), "a boolean"),
    "float": ((int, float), "a number"),
    "double": ((int, float), "a number"),
}


def _type_problem(node: ShapeNode, value: object) -> str | None:
    """Return what is wrong with ``value``'s JSON type for ``node``, if anything."""
    types, name = _TYPES.get(node.kind, ((object,), "anything"))
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
        return None
    return f"{_show(value)} is not {name} (it is {_kind_of(value)})"


def _model_problem(path: Path, message: str) -> _Problem:
    return _Problem(path, message, from_model=True)


def _items_word(count: float) -> str:
    return "item" if count == 1 else "items"


def _check_count(node: ShapeNode, value: Sized, path: Path) -> Iterator[_Problem]:
    count = len(value)
    if node.min is not None and count < node.min:
        yield _model_problem(
            path,
            f"must have at least {node.min} {_items_word(node.min)} (it has {count})",
        )
    if node.max is not None and count > node.max:
        yield _model_problem(
            path,
            f"must have at most {node.max} {_items_word(node.max)} (it has {count})",
        )


def _suggestion(value: str, choices: Sequence[str]) -> str | None:
    """Return the choice ``value`` was probably meant to be, if any."""
    folded = [choice for choice in choices if choice.casefold() == value.casefold()]
    close = folded or difflib.get_close_matches(value, choices, n=1, cutoff=0.8)
    return close[0] if close else None


def _enum_message(node: ShapeNode, value: str) -> str:
    guess = _suggestion(value, node.enum)
    hint = f" (did you mean {guess}?)" if guess else ""
    if len(node.enum) <= _LISTED_ENUM_LIMIT:
        return f"{_show(value)} must be one of {', '.join(node.enum)}{hint}"
    noun, example = _LARGE_ENUMS.get(
        node.name, (f"one of the {len(node.enum)} values of {node.name}", node.enum[0])
    )
    hint = hint or f" (e.g. {example})"
    return f"{_show(value)} is not {noun} in botocore's model{hint}"


def _check_string(node: ShapeNode, value: str, path: Path) -> Iterator[_Problem]:
    length = len(value)
    if node.min is not None and length < node.min:
        yield _model_problem(path, f"{_show(value)} is shorter than the minimum length {node.min}")
    if node.max is not None and length > node.max:
        yield _model_problem(
            path,
            f"{_show(value)} is longer than the maximum length {node.max} (it has {length})",
        )
    if node.regex is not None and node.regex.fullmatch(value) is None:
        yield _model_problem(path, f"{_show(value)} must match pattern ^{node.pattern}$")
    if node.enum and value not in node.enum:
        yield _model_problem(path, _enum_message(node, value))


def _check_number(node: ShapeNode, value: float, path: Path) -> Iterator[_Problem]:
    if node.min is not None and value < node.min:
        yield _model_problem(path, f"{_show(value)} is below the minimum {node.min}")
    if node.max is not None and value > node.max:
        yield _model_problem(path, f"{_show(value)} is above the maximum {node.max}")


def _check_structure(
    node: ShapeNode, value: Mapping[object, object], path: Path, reader: _Reader, *, top: bool
) -> Iterator[_Problem]:
    for key, member_value in value.items():
        if not isinstance(key, str):
            yield _model_problem(path, f"has a key {_show(key)} that is not a string")
        elif key not in node.members:
            if not reader.unresolved(key):
                allowed = ", ".join(sorted(node.members))
                yield _model_problem(
                    (*path, key), f"is not a member of {node.name} (allowed: {allowed})"
                )
        elif member_value is not None:
            yield from _check_value(node.members[key], member_value, (*path, key), reader)
    for member in node.required:
        if value.get(member) is None and not (top and member in reader.generated):
            yield _model_problem((*path, member), "is required")


def _check_members(
    node: ShapeNode, value: Mapping[object, object], path: Path, reader: _Reader
) -> Iterator[_Problem]:
    """Check an object: a structure's members, or a map's entries."""
    if node.kind == "structure":
        yield from _check_structure(node, value, path, reader, top=not path)
    elif node.item is not None:
        yield from _check_count(node, value, path)
        for key, item in value.items():
            yield from _check_value(node.item, item, (*path, str(key)), reader)


def _check_items(
    node: ShapeNode, value: Sequence[object], path: Path, reader: _Reader
) -> Iterator[_Problem]:
    """Check a list: its length, then each item."""
    yield from _check_count(node, value, path)
    if node.item is not None:
        for index, item in enumerate(value):
            yield from _check_value(node.item, item, (*path, index), reader)


def _check_value(node: ShapeNode, value: object, path: Path, reader: _Reader) -> Iterator[_Problem]:
    """Check ``value`` against everything the model declares for ``node``."""
    if reader.unresolved(value):
        return
    wrong_type = _type_problem(node, value)
    if wrong_type is not None:
        yield _model_problem(path, wrong_type)
    elif isinstance(value, Mapping):
        yield from _check_members(node, value, path, reader)
    elif isinstance(value, list | tuple):
        yield from _check_items(node, value, path, reader)
    elif isinstance(value, str):
        yield from _check_string(node, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from _check_number(node, value, path)


# --- the rule layer: what the model states only in words, or the docs add ------------------------

_INPUT: Path = ("InputConfig",)
_TRAFFIC: Path = (*_INPUT, "TrafficPattern")
_MAX_JOB_SECONDS = 18_000
_TRAFFIC_SECONDS = (120, 3600)
_PHASE_RANGES = {
    "InitialNumberOfUsers": (1, 3),
    "SpawnRate": (0, 3),
    "DurationInSeconds": _TRAFFIC_SECONDS,
}
_MAX_USER_GAP = 3
_NAME_PREFIX = 40
_VERSIONED_PACKAGE = re.compile(r".*:model-package/[^/]+/[0-9]+")
_MEMORY_SIZES = tuple(range(1024, 6145, 1024))
_PERCENTILES = ("P95", "P99")
# (member's parent path, member) of the fields only load tests (Advanced jobs) use.
_LOAD_TEST_FIELDS: tuple[tuple[Path, str], ...] = (
    (_INPUT, "TrafficPattern"),
    ((), "StoppingConditions"),
    (_INPUT, "ResourceLimit"),
    (_INPUT, "EndpointConfigurations"),
)
_LOAD_TEST_REQUIRED = frozenset({"EndpointConfigurations", "TrafficPattern", "StoppingConditions"})
# Values the model's documentation lists for free-string ContainerConfig members; Domain's OTHER
# comes from the troubleshooting guide ("or OTHER if unknown").
_DOCUMENTED_VALUES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Domain": (
        "domains",
        "infrec-cdk:unknownDomain",
        ("COMPUTER_VISION", "NATURAL_LANGUAGE_PROCESSING", "MACHINE_LEARNING", "OTHER"),
    ),
    "Task": (
        "tasks",
        "infrec-cdk:unknownTask",
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
        "infrec-cdk:unknownFramework",
        ("TENSORFLOW", "PYTORCH", "XGBOOST", "SAGEMAKER-SCIKIT-LEARN"),
    ),
    "NearestModelName": (
        "benchmarked models",
        "infrec-cdk:unknownNearestModelName",
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


@dataclass(frozen=True, slots=True)
class _Request:
    """The parts of a request the rules look at; unknown parts (tokens, wrong types) are None."""

    read: _Reader
    root: Mapping[str, object]
    input: Mapping[str, object] | None
    job_type: str | None
    job_duration: int | None

    @staticmethod
    def of(root: Mapping[str, object], read: _Reader) -> _Request:
        """Return the view of ``root``."""
        input_config = read.mapping(root.get("InputConfig"))
        duration = input_config.get("JobDurationInSeconds") if input_config else None
        return _Request(
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


def _outside(value: int, low: int | None, high: int | None) -> str | None:
    if low is not None and value < low:
        return f"{_show(value)} is below the minimum {low}"
    if high is not None and value > high:
        return f"{_show(value)} is above the maximum {high}"
    return None


def _range(
    r: _Request, parent: Mapping[str, object], path: Path, member: str, bounds: tuple[int, int]
) -> Iterator[_Problem]:
    value = r.integer(parent, member)
    message = None if value is None else _outside(value, *bounds)
    if message is not None:
        yield _Problem((*path, member), message)


_LISTED_PARTS = 5


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0")


def _job_name_fits_prefixes(r: _Request) -> Iterator[_Problem]:
    """Warn when JobName is longer than the 40 characters IR keeps in its resource names."""
    name = r.string(r.root, "JobName")
    if name is not None and len(name) > _NAME_PREFIX:
        yield _Problem(
            ("JobName",),
            f"{_show(name)} has {len(name)} characters: Inference Recommender cuts the names of "
            f"the models and endpoints it creates to the first {_NAME_PREFIX}, so keep the "
            "distinguishing part there",
            warning="infrec-cdk:longJobName",
        )


def _job_duration_at_most_five_hours(r: _Request) -> Iterator[_Problem]:
    """JobDurationInSeconds is at most 18000 (the model says so only in words)."""
    if r.job_duration is not None and r.job_duration > _MAX_JOB_SECONDS:
        yield _Problem(
            (*_INPUT, "JobDurationInSeconds"),
            f"{_show(r.job_duration)} is above the maximum {_MAX_JOB_SECONDS}",
        )


def _one_model_source(r: _Request) -> Iterator[_Problem]:
    """Exactly one of ModelPackageVersionArn and ModelName."""
    if r.input is None:
        return
    package, name = _present(r.input, "ModelPackageVersionArn"), _present(r.input, "ModelName")
    if package and name:
        yield _Problem(
            (*_INPUT, "ModelName"),
            "cannot be given together with ModelPackageVersionArn: give exactly one of them",
            refines=False,
        )
    elif not (package or name):
        yield _Problem(
            _INPUT,
            "needs exactly one of ModelPackageVersionArn, ModelName (it has neither)",
            refines=False,
        )


def _versioned_model_package(r: _Request) -> Iterator[_Problem]:
    """Require a versioned model package ARN: ``…:model-package/<group>/<version>``."""
    arn = r.string(r.input or {}, "ModelPackageVersionArn")
    if arn is not None and _VERSIONED_PACKAGE.fullmatch(arn) is None:
        yield _Problem(
            (*_INPUT, "ModelPackageVersionArn"),
            f"{_show(arn)} must end with a /<version> number "
            "(a versioned model package: ...:model-package/<group>/<version>)",
        )


def _model_name_needs_container(r: _Request) -> Iterator[_Problem]:
    """With ModelName, ContainerConfig gives Domain, Task, Framework and the sample payload."""
    if not _present(r.input, "ModelName"):
        return
    path = (*_INPUT, "ContainerConfig")
    if not _present(r.input, "ContainerConfig"):
        yield _Problem(
            path,
            "is required with ModelName (with Domain, Task, Framework and "
            "PayloadConfig.SamplePayloadUrl)",
            refines=False,
        )
        return
    container = r.read.mapping(r.input.get("ContainerConfig") if r.input else None)
    if container is None:
        return
    for member in ("Domain", "Task", "Framework"):
        if not _present(container, member):
            yield _Problem((*path, member), "is required with ModelName", refines=False)
    payload = r.read.mapping(container.get("PayloadConfig"))
    if not _present(container, "PayloadConfig") or (
        payload is not None and not _present(payload, "SamplePayloadUrl")
    ):
        yield _Problem(
            (*path, "PayloadConfig", "SamplePayloadUrl"),
            "is required with ModelName",
            refines=False,
        )


def _unique_tag_keys(r: _Request) -> Iterator[_Problem]:
    """Tag keys are unique."""
    first: dict[str, int] = {}
    for index, tag in enumerate(r.mappings(r.root, "Tags")):
        key = r.string(tag, "Key")
        if key is None:
            continue
        if key in first:
            yield _Problem(
                ("Tags", index, "Key"),
                f"{_show(key)} repeats Tags[{first[key]}].Key: tag keys must be unique",
            )
        else:
            first[key] = index


def _load_test_field(r: _Request, parent_path: Path) -> Mapping[str, object] | None:
    return r.root if not parent_path else r.input


def _advanced_needs_load_test(r: _Request) -> Iterator[_Problem]:
    """Advanced jobs need EndpointConfigurations, TrafficPattern and StoppingConditions."""
    if r.job_type != "Advanced":
        return
    for parent_path, member in _LOAD_TEST_FIELDS:
        parent = _load_test_field(r, parent_path)
        if member in _LOAD_TEST_REQUIRED and parent is not None and not _present(parent, member):
            yield _Problem(
                (*parent_path, member), "is required for Advanced jobs (load tests)", refines=False
            )


def _default_rejects_load_test(r: _Request) -> Iterator[_Problem]:
    """Default jobs take none of the load-test fields."""
    if r.job_type != "Default":
        return
    for parent_path, member in _LOAD_TEST_FIELDS:
        if _present(_load_test_field(r, parent_path), member):
            yield _Problem(
                (*parent_path, member),
                "only Advanced jobs use it (JobType is Default)",
                refines=False,
            )


def _traffic_type_matches(r: _Request) -> Iterator[_Problem]:
    """TrafficType is given; PHASES goes with Phases only, STAIRS with Stairs only."""
    if r.input is None or r.read.mapping(r.input.get("TrafficPattern")) is None:
        return
    traffic = r.mapping(r.input, "TrafficPattern")
    if not _present(traffic, "TrafficType"):
        yield _Problem((*_TRAFFIC, "TrafficType"), "is required (PHASES or STAIRS)", refines=False)
        return
    kind = r.string(traffic, "TrafficType")
    used, unused, other = {
        "PHASES": ("Phases", "Stairs", "STAIRS"),
        "STAIRS": ("Stairs", "Phases", "PHASES"),
    }.get(kind or "", ("", "", ""))
    if used and not _present(traffic, used):
        yield _Problem((*_TRAFFIC, used), f"is required with TrafficType {kind}", refines=False)
    if unused and _present(traffic, unused):
        yield _Problem(
            (*_TRAFFIC, unused),
            f"is not used with TrafficType {kind} (remove it, or use TrafficType {other})",
            refines=False,
        )


def _phases(r: _Request) -> list[Mapping[str, object]]:
    return r.mappings(r.mapping(r.input, "TrafficPattern"), "Phases")


def _phase_ranges(r: _Request) -> Iterator[_Problem]:
    """InitialNumberOfUsers 1-3, SpawnRate 0-3, DurationInSeconds 120-3600."""
    for index, phase in enumerate(_phases(r)):
        for member, bounds in _PHASE_RANGES.items():
            yield from _range(r, phase, (*_TRAFFIC, "Phases", index), member, bounds)


def _phases_fit_job(r: _Request) -> Iterator[_Problem]:
    """Require the phases' durations to add up to at most JobDurationInSeconds."""
    durations = [r.integer(phase, "DurationInSeconds") for phase in _phases(r)]
    known = [duration for duration in durations if duration is not None]
    if r.job_duration is None or not known or len(known) != len(durations):
        return
    total = sum(known)
    if total > r.job_duration:
        parts = " + ".join(map(_show, known)) if len(known) <= _LISTED_PARTS else "all phases"
        yield _Problem(
            (*_TRAFFIC, "Phases"),
            f"total DurationInSeconds {_show(total)} ({parts}) is above "
            f"InputConfig.JobDurationInSeconds {_show(r.job_duration)}",
        )


def _in_range(r: _Request, phase: Mapping[str, object], member: str) -> int | None:
    """Return the phase's value if known and within its range (else it is reported already)."""
    value = r.integer(phase, member)
    low, high = _PHASE_RANGES[member]
    return value if value is not None and low <= value <= high else None


def _phase_user_continuity(r: _Request) -> Iterator[_Problem]:
    """Require each phase to start within 3 users of where the previous one ends.

    A phase starting with A users and spawning S users a minute for D seconds ends with
    B = A + S * D / 60 users; the next phase's A' must satisfy 0 <= abs(A' - B) <= 3.
    """
    phases = _phases(r)
    for index in range(1, len(phases)):
        previous = phases[index - 1]
        start = _in_range(r, previous, "InitialNumberOfUsers")
        rate = _in_range(r, previous, "SpawnRate")
        duration = _in_range(r, previous, "DurationInSeconds")
        following = _in_range(r, phases[index], "InitialNumberOfUsers")
        if start is None or rate is None or duration is None or following is None:
            continue
        minutes = Fraction(duration, 60)
        end = start + rate * minutes
        gap = abs(following - end)
        if gap > _MAX_USER_GAP:
            yield _Problem(
                (*_TRAFFIC, "Phases", index, "InitialNumberOfUsers"),
                f"{following} is {_fraction_text(gap)} users away from the "
                f"{_fraction_text(end)} users Phases[{index - 1}] ends with ({start} initial + "
                f"{rate} per minute for {_fraction_text(minutes)} minutes): a phase must start "
                f"within {_MAX_USER_GAP} users of where the previous one ends",
            )


def _stairs_duration(r: _Request) -> Iterator[_Problem]:
    """Stairs.DurationInSeconds is 120-3600 and at most JobDurationInSeconds."""
    stairs = r.mapping(r.mapping(r.input, "TrafficPattern"), "Stairs")
    path = (*_TRAFFIC, "Stairs")
    yield from _range(r, stairs, path, "DurationInSeconds", _TRAFFIC_SECONDS)
    duration = r.integer(stairs, "DurationInSeconds")
    if duration is not None and r.job_duration is not None and duration > r.job_duration:
        yield _Problem(
            (*path, "DurationInSeconds"),
            f"{_show(duration)} is above InputConfig.JobDurationInSeconds {_show(r.job_duration)}",
        )


def _parallel_within_tests(r: _Request) -> Iterator[_Problem]:
    """Warn when more tests may run in parallel than may run at all."""
    limit = r.mapping(r.input, "ResourceLimit")
    tests, parallel = r.integer(limit, "MaxNumberOfTests"), r.integer(limit, "MaxParallelOfTests")
    if tests is not None and parallel is not None and parallel > tests:
        yield _Problem(
            (*_INPUT, "ResourceLimit", "MaxParallelOfTests"),
            f"{_show(parallel)} is above MaxNumberOfTests {_show(tests)}: at most that many tests "
            "run at all",
            warning="infrec-cdk:parallelAboveTests",
        )


def _endpoint_configurations(r: _Request) -> Iterator[tuple[Path, Mapping[str, object]]]:
    for index, entry in enumerate(r.mappings(r.input or {}, "EndpointConfigurations")):
        yield (*_INPUT, "EndpointConfigurations", index), entry


def _one_endpoint_kind(r: _Request) -> Iterator[_Problem]:
    """Each endpoint configuration has exactly one of InstanceType and ServerlessConfig."""
    for path, entry in _endpoint_configurations(r):
        given = [m for m in ("InstanceType", "ServerlessConfig") if _present(entry, m)]
        if entry and len(given) != 1:
            has = "both" if given else "neither"
            yield _Problem(
                path,
                f"needs exactly one of InstanceType, ServerlessConfig (it has {has})",
                refines=False,
            )


def _no_burstable_instances(r: _Request) -> Iterator[_Problem]:
    """Inference Recommender refuses burstable ``ml.t2.*`` instances."""
    for path, entry in _endpoint_configurations(r):
        instance_type = r.string(entry, "InstanceType")
        if instance_type is not None and instance_type.startswith("ml.t2."):
            yield _Problem(
                (*path, "InstanceType"),
                f"{_show(instance_type)} is a burstable instance type: Inference Recommender "
                "does not load-test the ml.t2 family",
            )


def _serverless_memory_steps(r: _Request) -> Iterator[_Problem]:
    """ServerlessConfig.MemorySizeInMB comes in 1024 MB steps."""
    for path, entry in _endpoint_configurations(r):
        memory = r.integer(r.mapping(entry, "ServerlessConfig"), "MemorySizeInMB")
        if memory is not None and memory not in _MEMORY_SIZES:
            yield _Problem(
                (*path, "ServerlessConfig", "MemorySizeInMB"),
                f"{_show(memory)} must be one of {', '.join(map(str, _MEMORY_SIZES))}",
            )


def _no_provisioned_concurrency(r: _Request) -> Iterator[_Problem]:
    """ServerlessConfig.ProvisionedConcurrency is not supported by Inference Recommender."""
    for path, entry in _endpoint_configurations(r):
        if _present(r.mapping(entry, "ServerlessConfig"), "ProvisionedConcurrency"):
            yield _Problem(
                (*path, "ServerlessConfig", "ProvisionedConcurrency"),
                "is not supported by Inference Recommender: leave it out",
                refines=False,
            )


def _categorical_names_non_empty(r: _Request) -> Iterator[_Problem]:
    """Reject an empty categorical parameter Name (it names an environment variable)."""
    for path, entry in _endpoint_configurations(r):
        ranges = r.mapping(entry, "EnvironmentParameterRanges")
        for index, parameter in enumerate(r.mappings(ranges, "CategoricalParameterRanges")):
            if r.string(parameter, "Name") == "":
                yield _Problem(
                    (
                        *path,
                        "EnvironmentParameterRanges",
                        "CategoricalParameterRanges",
                        index,
                        "Name",
                    ),
                    "'' must not be empty: it names an environment variable",
                )


def _documented_container_values(r: _Request) -> Iterator[_Problem]:
    """Warn when Domain, Task, Framework or NearestModelName is not a documented value."""
    container = r.mapping(r.input, "ContainerConfig")
    for member, (noun, warning, values) in _DOCUMENTED_VALUES.items():
        value = r.string(container, member)
        if value is None or value in values:
            continue
        guess = _suggestion(value, values)
        hint = f" (did you mean {guess}?)" if guess else ""
        yield _Problem(
            (*_INPUT, "ContainerConfig", member),
            f"{_show(value)} is not one of the documented {noun}: {', '.join(values)}{hint}",
            warning=warning,
        )


def _data_input_config_is_json(r: _Request) -> Iterator[_Problem]:
    """ContainerConfig.DataInputConfig is JSON."""
    text = r.string(r.mapping(r.input, "ContainerConfig"), "DataInputConfig")
    if text is None:
        return
    try:
        json.loads(text)
    except (ValueError, RecursionError) as error:
        yield _Problem(
            (*_INPUT, "ContainerConfig", "DataInputConfig"),
            f"{_show(text)} is not valid JSON ({error})",
        )


def _sample_payload_is_tar_gz(r: _Request) -> Iterator[_Problem]:
    """Require the sample payload to be a .tar.gz archive."""
    payload = r.mapping(r.mapping(r.input, "ContainerConfig"), "PayloadConfig")
    url = r.string(payload, "SamplePayloadUrl")
    if url is not None and not url.endswith(".tar.gz"):
        yield _Problem(
            (*_INPUT, "ContainerConfig", "PayloadConfig", "SamplePayloadUrl"),
            f"{_show(url)} must end in .tar.gz (a single gzip tar archive of sample payloads)",
        )


def _latency_thresholds(r: _Request) -> Iterator[_Problem]:
    """Require a latency threshold's Percentile (P95, P99) and ValueInMilliseconds (> 0)."""
    stopping = r.mapping(r.root, "StoppingConditions")
    for index, threshold in enumerate(r.mappings(stopping, "ModelLatencyThresholds")):
        path = ("StoppingConditions", "ModelLatencyThresholds", index)
        if not threshold:
            continue
        if not _present(threshold, "Percentile"):
            yield _Problem((*path, "Percentile"), "is required (P95 or P99)", refines=False)
        percentile = r.string(threshold, "Percentile")
        if percentile is not None and percentile not in _PERCENTILES:
            yield _Problem(
                (*path, "Percentile"),
                f"{_show(percentile)} must be one of {', '.join(_PERCENTILES)}",
            )
        if not _present(threshold, "ValueInMilliseconds"):
            yield _Problem((*path, "ValueInMilliseconds"), "is required", refines=False)
        value = r.integer(threshold, "ValueInMilliseconds")
        if value is not None and value <= 0:
            yield _Problem((*path, "ValueInMilliseconds"), f"{_show(value)} must be greater than 0")


def _load_test_percentile(r: _Request) -> Iterator[_Problem]:
    """Warn when a load test (Advanced job) uses another percentile than P95."""
    if r.job_type != "Advanced":
        return
    stopping = r.mapping(r.root, "StoppingConditions")
    for index, threshold in enumerate(r.mappings(stopping, "ModelLatencyThresholds")):
        percentile = r.string(threshold, "Percentile")
        if percentile is not None and percentile != "P95" and percentile in _PERCENTILES:
            yield _Problem(
                ("StoppingConditions", "ModelLatencyThresholds", index, "Percentile"),
                f"{_show(percentile)}: custom load tests (Advanced jobs) use P95",
                warning="infrec-cdk:loadTestPercentile",
            )


def _max_invocations_positive(r: _Request) -> Iterator[_Problem]:
    """StoppingConditions.MaxInvocations is above 0."""
    value = r.integer(r.mapping(r.root, "StoppingConditions"), "MaxInvocations")
    if value is not None and value <= 0:
        yield _Problem(
            ("StoppingConditions", "MaxInvocations"), f"{_show(value)} must be greater than 0"
        )


_RULES: tuple[Callable[[_Request], Iterator[_Problem]], ...] = (
    _job_name_fits_prefixes,
    _job_duration_at_most_five_hours,
    _one_model_source,
    _versioned_model_package,
    _model_name_needs_container,
    _unique_tag_keys,
    _advanced_needs_load_test,
    _default_rejects_load_test,
    _traffic_type_matches,
    _phase_ranges,
    _phases_fit_job,
    _phase_user_continuity,
    _stairs_duration,
    _parallel_within_tests,
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
    _max_invocations_positive,
)


# --- the report ---------------------------------------------------------------------------------

_PLAIN_MEMBER = re.compile(r"[A-Za-z0-9_]+")


def _render(path: Path) -> str:
    """Return ``path`` as ``InputConfig.TrafficPattern.Phases[1].DurationInSeconds``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_MEMBER.fullmatch(segment) is None:
            text += f"[{_show(segment)}]"
        else:
            text += f".{segment}" if text else segment
    return text or "request"


def _position(request: object, path: Path) -> tuple[int, ...]:
    """Return where ``path`` sits in ``request``: members in the order given, missing ones last."""
    position: list[int] = []
    node: object = request
    for segment in path:
        if isinstance(node, Mapping) and isinstance(segment, str):
            keys = list(node)
            position.append(keys.index(segment) if segment in keys else len(keys))
            node = node.get(segment)
        elif isinstance(node, list | tuple) and isinstance(segment, int):
            position.append(segment)
            node = node[segment] if segment < len(node) else None
        else:
            position.append(0)
            node = None
    return tuple(position)


def _kept(problems: list[_Problem]) -> list[_Problem]:
    """Drop rule errors that only refine a value the model already rejects."""
    rejected = {problem.path for problem in problems if problem.from_model}
    return [
        problem
        for problem in problems
        if problem.from_model or not (problem.refines and problem.path in rejected)
    ]


def validate_request(
    request: Mapping[str, object],
    *,
    job_name_generated: bool = False,
    is_unresolved: Callable[[object], bool] = lambda _v: False,
) -> ValidationReport:
    """Check a CreateInferenceRecommendationsJob request (PascalCase keys, as the API takes it).

    Parameters
    ----------
    request
        The whole request. Any shape is accepted: problems are reported, never raised.
    job_name_generated
        ``JobName`` is absent on purpose (the handler generates it): do not require it.
    is_unresolved
        Whether a value is an unresolved CDK token (``Token.is_unresolved``); such values, and
        sums that include them, are not checked.

    Returns
    -------
    ValidationReport
        Every error and warning, each ``"Path: problem"``, in document order.
    """
    reader = _Reader(is_unresolved, frozenset({"JobName"} if job_name_generated else ()))
    problems = list(_check_value(input_shape(), request, (), reader))
    root = reader.mapping(request)
    if root is not None:
        view = _Request.of(root, reader)
        for rule in _RULES:
            problems.extend(rule(view))
    ordered = sorted(_kept(problems), key=lambda problem: _position(request, problem.path))
    return ValidationReport(
        errors=tuple(f"{_render(p.path)}: {p.message}" for p in ordered if p.warning is None),
        warnings=tuple(
            ValidationWarning(p.warning, f"{_render(p.path)}: {p.message}")
            for p in ordered
            if p.warning is not None
        ),
    )
