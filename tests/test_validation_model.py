"""Tests generated from botocore's model: every constraint it declares is enforced, both ways."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import botocore
import botocore.loaders
import botocore.session
import pytest
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from infrec_cdk._api_model import (
    ShapeNode,
    UnsupportedPatternError,
    _node,
    input_shape,
    java_regex,
)
from infrec_cdk._checks import Reader
from infrec_cdk._model_checks import check_value
from infrec_cdk._rules import DOCUMENTED_VALUES
from infrec_cdk._validation import ModelConstraint, model_constraints, validate_request
from tests.test_validation_requests import (
    advanced_request,
    errors_at,
    get_at,
    model_name_request,
    set_at,
    stairs_request,
)

# --- the constraint list, against an independent walk of the raw model ---------------------------


def _raw_counts() -> Counter[str]:
    """Count the input's constraints from the raw JSON model, without botocore's Shape classes."""
    model = botocore.loaders.create_loader().load_service_model("sagemaker", "service-2")
    shapes = model["shapes"]
    kinds = {"string": ("min-length", "max-length"), "list": ("min-items", "max-items")}
    counts: Counter[str] = Counter()

    def walk(name: str) -> None:
        shape = shapes[name]
        low, high = kinds.get(shape["type"], ("min", "max"))
        counts.update(
            [low] * ("min" in shape)
            + [high] * ("max" in shape)
            + ["pattern"] * ("pattern" in shape)
            + ["enum"] * ("enum" in shape)
            + ["required"] * len(shape.get("required", ()))
        )
        for member in shape.get("members", {}).values():
            walk(member["shape"])
        if "member" in shape:
            walk(shape["member"]["shape"])

    walk(model["operations"]["CreateInferenceRecommendationsJob"]["input"]["shape"])
    return counts


def _botocore_tree(shape: Shape, enclosing: frozenset[str] = frozenset()) -> tuple[Any, ...]:
    """The input shape as botocore's own Shape classes read it, reduced like ``ShapeNode``."""
    if shape.name in enclosing:
        return (shape.name, "any")
    inside = enclosing | {shape.name}
    members: tuple[Any, ...] = ()
    item: tuple[Any, ...] | None = None
    if isinstance(shape, StructureShape):
        members = tuple((n, _botocore_tree(m, inside)) for n, m in shape.members.items())
    elif isinstance(shape, ListShape):
        item = _botocore_tree(shape.member, inside)
    elif isinstance(shape, MapShape):
        item = _botocore_tree(shape.value, inside)
    metadata = shape.metadata
    return (
        shape.name,
        shape.type_name,
        members,
        tuple(shape.required_members) if isinstance(shape, StructureShape) else (),
        item,
        metadata.get("min"),
        metadata.get("max"),
        metadata.get("pattern") if isinstance(shape, StringShape) else None,
        tuple(shape.enum or ()) if isinstance(shape, StringShape) else (),
    )


def _our_tree(node: ShapeNode) -> tuple[Any, ...]:
    if node.kind == "any":
        return (node.name, "any")
    return (
        node.name,
        node.kind,
        tuple((n, _our_tree(m)) for n, m in node.members.items()),
        node.required,
        None if node.item is None else _our_tree(node.item),
        node.min,
        node.max,
        node.pattern,
        node.enum,
    )


def test_input_shape_is_what_botocores_shape_classes_read():
    # _api_model reads botocore's JSON file itself (no botocore client import at synth time):
    # the tree must be the one botocore's own model classes build from the installed model.
    service = botocore.session.get_session().get_service_model("sagemaker")
    expected = service.operation_model("CreateInferenceRecommendationsJob").input_shape
    assert expected is not None
    assert _our_tree(input_shape()) == _botocore_tree(expected)


def test_model_constraints_count_what_the_model_declares_per_kind():
    assert Counter(c.kind for c in model_constraints()) == _raw_counts()


@pytest.mark.skipif(botocore.__version__ != "1.44.8", reason="counts pinned for botocore 1.44.8")
def test_model_constraints_match_botocore_1_44_8():
    counts = Counter(c.kind for c in model_constraints())
    assert counts == {
        "required": 12,
        "min-length": 22,
        "max-length": 22,
        "pattern": 18,
        "enum": 5,
        "min": 12,
        "max": 4,
        "min-items": 9,
        "max-items": 8,
    }
    assert len(model_constraints()) == 112


def test_instance_type_enum_comes_from_the_installed_model():
    (constraint,) = [
        c
        for c in model_constraints()
        if c.path == "InputConfig.EndpointConfigurations[].InstanceType" and c.kind == "enum"
    ]
    service = botocore.session.get_session().get_service_model("sagemaker")
    shape = service.shape_for("ProductionVariantInstanceType")
    assert isinstance(shape, StringShape)
    assert constraint.value == tuple(shape.enum)
    assert "ml.m5.xlarge" in constraint.value


def test_model_constraints_name_paths_bounds_and_required_members():
    constraints = set(model_constraints())
    assert ModelConstraint("InputConfig.TrafficPattern.Phases[].DurationInSeconds", "min", 1) in (
        constraints
    )
    assert ModelConstraint("Tags[].Key", "required", "Key") in constraints
    assert ModelConstraint("InputConfig.EndpointConfigurations", "max-items", 10) in constraints
    assert ModelConstraint("JobType", "enum", ("Default", "Advanced")) in constraints


def test_every_model_pattern_is_translated():
    def patterns(node: Any) -> Iterator[Any]:
        if node.pattern is not None:
            yield node
        for child in (*node.members.values(), *([node.item] if node.item else [])):
            yield from patterns(child)

    nodes = list(patterns(input_shape()))
    assert len(nodes) == sum(c.kind == "pattern" for c in model_constraints())
    assert all(node.regex is not None for node in nodes)


# --- Java regular expressions --------------------------------------------------------------------

_TAG = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"


@pytest.mark.parametrize(
    "text",
    [
        "Ünïcödé",
        "名前",
        "ملصق",
        "١٢٣",
        "Ⅻ",
        "½",
        "a b",
        "non\u00a0breaking",
        "line\u2028sep",
        "k_.:/=+-@",
    ],
)
def test_java_unicode_classes_accept_letters_separators_and_numbers(text):
    assert java_regex(_TAG).fullmatch(text)


@pytest.mark.parametrize("text", ["😀", "tab\there", "new\nline", "a*b", "#", "\u0301"])
def test_java_unicode_classes_reject_other_characters(text):
    assert java_regex(_TAG).fullmatch(text) is None


@pytest.mark.parametrize("terminator", ["\n", "\r", "\u0085", "\u2028", "\u2029"])
def test_java_dot_excludes_line_terminators(terminator):
    assert java_regex(".*").fullmatch(f"a{terminator}b") is None
    assert java_regex(".*").fullmatch("a\tb\u00a0c")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [(r"\w+", "é"), (r"\d", "٣"), (r"\s", "\u00a0"), (r"[-\w]+\/.+", "é/x")],
)
def test_java_predefined_classes_stay_ascii(pattern, text):
    assert java_regex(pattern).fullmatch(text) is None


def test_java_predefined_classes_match_ascii():
    assert java_regex(r"[\S\s]+").fullmatch("any\nthing")
    assert java_regex(r"\w\d\s").fullmatch("a1\x0b")


def test_java_named_groups_and_negated_properties_translate():
    assert java_regex(r"(?<name>\P{L}+)").fullmatch("123")
    assert java_regex(r"\p{Lu}\p{IsLl}").fullmatch("Ab")


def test_java_negated_classes_inside_a_character_class_translate():
    assert java_regex(r"[\P{L}]+").fullmatch("1 !")
    assert java_regex(r"[\P{L}]").fullmatch("a") is None
    assert java_regex(r"[\S]{2}").fullmatch("é!")
    assert java_regex(r"[\S]").fullmatch("\x0b") is None
    assert java_regex(r"[\W\D]+").fullmatch("é_")
    assert java_regex(r"[\W]").fullmatch("_") is None


@pytest.mark.parametrize(
    "pattern", [r"\p{Latin}", r"\p{InGreek}", "[a[b]]", "[a&&b]", r"\Qx\E", "(?i)a", "[ab", "a\\"]
)
def test_java_regex_rejects_syntax_it_cannot_translate(pattern):
    with pytest.raises(UnsupportedPatternError):
        java_regex(pattern)


def test_documented_container_values_are_in_the_model_documentation():
    service = botocore.session.get_session().get_service_model("sagemaker")
    shape = service.shape_for("RecommendationJobContainerConfig")
    assert isinstance(shape, StructureShape)
    members = shape.members
    for member, (_noun, _id, values) in DOCUMENTED_VALUES.items():
        documented = re.findall(r"[\w.-]+", members[member].documentation.split("Valid Values")[1])
        # OTHER for Domain comes from the troubleshooting guide, not the model.
        assert set(values) - {"OTHER"} <= set(documented), member


# --- every constraint, both sides of its bound ----------------------------------------------------

_ROLE_PREFIX = "arn:aws:iam::123456789012:role/"
_PACKAGE_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:model-package/"


def _padded(prefix: str, suffix: str = "", filler: str = "x") -> Callable[[int], str]:
    """Return a maker of ``prefix + filler... + suffix`` of length n (cut short when n is tiny)."""

    def make(n: int) -> str:
        text = prefix + filler * max(1, n - len(prefix) - len(suffix)) + suffix
        return text[:n]

    return make


def _json_text(n: int) -> str:
    return '{"a": "' + "x" * (n - 9) + '"}' if n >= 9 else "1" * n


# Java pattern -> (a value of length n that matches it, a value of ordinary length that does not).
PATTERN_EXAMPLES: dict[str, tuple[Callable[[int], str], str]] = {
    "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}": (lambda n: "a" * n, "-starts-with-a-dash"),
    "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}": (lambda n: "e" * n, "ends-with-a-dash-"),
    r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+": (
        _padded(_ROLE_PREFIX),
        "arn:aws:iam::12345:role/short-account",
    ),
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/[\S]{1,2048}": (
        _padded(_PACKAGE_PREFIX, "/1", "g"),
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/with space/1",
    ),
    r"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?": (lambda n: "m" * n, "under_score"),
    "[a-zA-Z0-9:/_-]*": (lambda n: "k" * n, "alias/with space"),
    r"[0-9]\.[A-Za-z0-9.-]+": (_padded("1.", filler="0"), "v1.0"),
    "(https|s3)://([^/]+)/?(.*)": (_padded("s3://b/", ".tar.gz"), "ftp://bucket/payload.tar.gz"),
    ".*": (lambda n: "a" * n, "line\nbreak"),
    r"[\S\s]+": (_json_text, ""),
    r"[-\w]+\/.+": (_padded("a/", filler="b"), "no-slash"),
    "[-0-9a-zA-Z]+": (lambda n: "s" * n, "sg_underscore"),
    _TAG: (lambda n: "t" * n, "emoji 😀"),
}

# Boundaries that satisfy their own constraint but cannot satisfy everything else at the path.
BOUNDARY_ALSO_BREAKS = {
    ("RoleArn", "min-length"): "must match pattern",  # no role ARN is as short as 20
    ("InputConfig.ModelPackageVersionArn", "min-length"): "must match pattern",
    ("InputConfig.ModelName", "min-length"): "must match pattern",
    ("InputConfig.EndpointConfigurations[0].ServerlessConfig.ProvisionedConcurrency", "min"): (
        "is not supported by Inference Recommender"
    ),
    ("InputConfig.EndpointConfigurations[0].ServerlessConfig.ProvisionedConcurrency", "max"): (
        "is not supported by Inference Recommender"
    ),
    ("InputConfig.TrafficPattern.Phases[0].DurationInSeconds", "min"): "is below the minimum 120",
    ("InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl", "min-length"): "must match",
    ("InputConfig.ContainerConfig.SupportedResponseMIMETypes[0]", "min-length"): "must match",
    ("InputConfig.Endpoints[0].EndpointName", "min-length"): "must match pattern",
    ("InputConfig.VpcConfig.SecurityGroupIds[0]", "min-length"): "must match pattern",
    ("InputConfig.VpcConfig.Subnets[0]", "min-length"): "must match pattern",
    ("OutputConfig.CompiledOutputConfig.S3OutputUri", "min-length"): "must match pattern",
    ("StoppingConditions.ModelLatencyThresholds[0].Percentile", "min-length"): "P95, P99",
    ("StoppingConditions.ModelLatencyThresholds[0].Percentile", "max-length"): "P95, P99",
}


def _concrete(path: str) -> str:
    return path.replace("[]", "[0]")


def _base(path: str) -> dict[str, Any]:
    if path.startswith("InputConfig.ModelName"):
        return model_name_request()
    if path.startswith("InputConfig.TrafficPattern.Stairs"):
        return stairs_request()
    request = advanced_request()
    if ".ServerlessConfig" in path:  # the serverless entry comes second in the base
        request["InputConfig"]["EndpointConfigurations"].reverse()
    return request


def _pattern_of(path: str) -> str | None:
    found = [c.value for c in model_constraints() if c.path == path and c.kind == "pattern"]
    return str(found[0]) if found else None


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _length_within(path: str, preferred: int) -> int:
    """Return ``preferred`` moved inside the path's declared length bounds."""
    bounds = {
        c.kind: _int(c.value) for c in model_constraints() if c.path == path and "len" in c.kind
    }
    return max(bounds.get("min-length", 0), min(preferred, bounds.get("max-length", preferred)))


def _string(path: str, length: int) -> str:
    pattern = _pattern_of(path)
    return PATTERN_EXAMPLES[pattern][0](length) if pattern else "d" * length


def _items(request: dict[str, Any], path: str, count: int) -> list[Any]:
    template = get_at(request, _concrete(path))[0]

    def variant(index: int) -> Any:
        item = copy.deepcopy(template)
        if isinstance(item, dict) and "Key" in item:
            item["Key"] = f"key-{index}"  # tag keys must be unique
        return item

    return [variant(index) for index in range(count)]


def _rule(constraint: ModelConstraint) -> str:
    """Return the words the error for ``constraint`` uses."""
    bound = constraint.value
    return {
        "required": "is required",
        "min-length": f"is shorter than the minimum length {bound}",
        "max-length": f"is longer than the maximum length {bound}",
        "pattern": f"must match pattern ^{bound}$",
        "min": f"is below the minimum {bound}",
        "max": f"is above the maximum {bound}",
        "min-items": f"must have at least {bound} item",
        "max-items": f"must have at most {bound} item",
    }.get(constraint.kind, "")


def _says(error: str, rule: str) -> bool:
    """Return whether ``error`` states ``rule`` (``minimum 1`` is not ``minimum 120``)."""
    return re.search(re.escape(rule) + r"(?![0-9])", error) is not None


def _enum_rule(values: tuple[str, ...]) -> str:
    if len(values) > 12:
        return "is not an instance type in botocore's model (e.g. ml.m5.xlarge)"
    return f"must be one of {', '.join(values)}"


_STEP = {"min-length": -1, "min": -1, "min-items": -1, "max-length": 1, "max": 1, "max-items": 1}


def _value(constraint: ModelConstraint, request: dict[str, Any], *, violate: bool) -> object:
    """Return the value just beyond (``violate``) or just at ``constraint``'s bound."""
    kind, path = constraint.kind, constraint.path
    if kind == "pattern":
        make, invalid = PATTERN_EXAMPLES[str(constraint.value)]
        return invalid if violate else make(_length_within(path, 64))
    if kind == "enum":
        return "not-a-value"
    count = _int(constraint.value) + (_STEP[kind] if violate else 0)
    if kind in {"min", "max"}:
        return count
    if kind.endswith("-items"):
        return _items(request, path, count)
    return _string(path, count)


def _violating(constraint: ModelConstraint) -> dict[str, Any]:
    """Return a request that breaks ``constraint`` at its path (with ``[0]`` for list items)."""
    path = _concrete(constraint.path)
    request = _base(constraint.path)
    if constraint.kind == "required":
        parent_path, _, member = path.rpartition(".")
        parent = get_at(request, parent_path) if parent_path else request
        del parent[member]
        return request
    return set_at(request, path, _value(constraint, request, violate=True))


def _at_boundary(constraint: ModelConstraint) -> dict[str, Any]:
    """Return a request whose value at the path just satisfies ``constraint``."""
    request = _base(constraint.path)
    if constraint.kind in {"required", "enum"}:
        return request  # the member is there, with a valid value
    value = _value(constraint, request, violate=False)
    return set_at(request, _concrete(constraint.path), value)


def _violable(constraint: ModelConstraint) -> bool:
    """A minimum of 0 (length or items) cannot be broken."""
    return not (constraint.kind in {"min-length", "min-items"} and constraint.value == 0)


def _case_id(constraint: ModelConstraint) -> str:
    value = constraint.value
    shown = f"{len(value)}-values" if isinstance(value, tuple) else str(value)
    return f"{constraint.path}|{constraint.kind}|{shown[:30]}"


ALL = model_constraints()
VIOLABLE = [c for c in ALL if _violable(c)]


def test_only_zero_minimums_cannot_be_violated():
    unviolable = [c for c in ALL if not _violable(c)]
    assert {c.value for c in unviolable} == {0}
    assert len(VIOLABLE) + len(unviolable) == len(ALL)


def test_every_model_pattern_has_examples():
    assert {str(c.value) for c in ALL if c.kind == "pattern"} <= set(PATTERN_EXAMPLES)


@pytest.mark.parametrize("constraint", VIOLABLE, ids=_case_id)
def test_fails_when_model_constraint_is_violated(constraint):
    errors = validate_request(_violating(constraint)).errors
    rule = _enum_rule(constraint.value) if constraint.kind == "enum" else _rule(constraint)
    found = errors_at(errors, _concrete(constraint.path))
    assert any(_says(error, rule) for error in found), errors


@pytest.mark.parametrize("constraint", ALL, ids=_case_id)
def test_accepts_value_at_model_constraint_boundary(constraint):
    errors = validate_request(_at_boundary(constraint)).errors
    path = _concrete(constraint.path)
    found = errors_at(errors, path)
    assert not any(_says(error, _rule(constraint)) for error in found if _rule(constraint))
    expected = BOUNDARY_ALSO_BREAKS.get((path, constraint.kind))
    if expected is None:
        assert found == []
    else:
        assert found, "the boundary is known to break another rule at this path"
        assert all(expected in error for error in found), found


ENUMS = [c for c in ALL if c.kind == "enum"]


@pytest.mark.parametrize("constraint", ENUMS, ids=_case_id)
def test_accepts_every_enum_value(constraint):
    path = _concrete(constraint.path)
    for value in constraint.value:
        found = errors_at(
            validate_request(set_at(_base(constraint.path), path, value)).errors, path
        )
        if value.startswith("ml.t2."):
            assert found == [
                (
                    f"{path}: {value!r} is a burstable instance type: Inference "
                    "Recommender does not load-test the ml.t2 family (source: "
                    "https://docs.aws.amazon.com/sagemaker/latest/dg/"
                    "inference-recommender-troubleshooting.html)"
                )
            ]
        else:
            assert found == [], value


def test_boundary_exceptions_all_name_real_constraints():
    keys = {(_concrete(c.path), c.kind) for c in ALL}
    assert set(BOUNDARY_ALSO_BREAKS) <= keys


def test_pattern_examples_agree_with_the_translated_patterns():
    for constraint in (c for c in ALL if c.kind == "pattern"):
        make, invalid = PATTERN_EXAMPLES[str(constraint.value)]
        regex = java_regex(str(constraint.value))
        length = _length_within(constraint.path, 64)
        assert regex.fullmatch(make(length)), constraint
        assert len(make(length)) == length, constraint
        assert regex.fullmatch(invalid) is None, constraint


# --- the generic walker, on shapes this operation does not use ---------------------------------


def test_walker_checks_maps_booleans_and_floats():
    root = ShapeNode(
        name="Root",
        kind="structure",
        members={
            "Flag": ShapeNode(name="Flag", kind="boolean"),
            "Ratio": ShapeNode(name="Ratio", kind="double", min=0.0, max=1.0),
            "Labels": ShapeNode(
                name="Labels", kind="map", max=1, item=ShapeNode(name="Label", kind="string", max=3)
            ),
        },
    )
    value = {"Flag": 1, "Ratio": 1.5, "Labels": {"a": "long", "b": "x"}}
    problems = list(check_value(root, value, (), Reader(lambda _v: False)))
    assert [(p.path, p.message) for p in problems] == [
        (("Flag",), "1 is not a boolean (it is an integer)"),
        (("Ratio",), "1.5 is above the maximum 1.0"),
        (("Labels",), "must have at most 1 item (it has 2)"),
        (("Labels", "a"), "'long' is longer than the maximum length 3 (it has 4)"),
    ]


def test_walker_stops_at_recursive_shapes():
    shapes: dict[str, Any] = {
        "Node": {"type": "structure", "members": {"Next": {"shape": "Node"}}},
    }
    node = _node("Node", shapes["Node"], shapes, frozenset())
    assert node.members["Next"].kind == "any"
    deep: dict[str, Any] = {"Next": {"Next": {"Next": 3}}}
    assert list(check_value(node, deep, (), Reader(lambda _v: False))) == []
