"""Check the Python types of construct props and config values before anything uses them.

A dict, a string or a number where a typed value is expected would otherwise fail deep inside
jsii or rendering with an ``AttributeError``. These checks name the prop, the expected type and
what to write instead. The checks read the annotations (``typing.get_type_hints``), once per
callable or class.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from infrec_cdk._checks import show
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._tokens import is_unresolved

__all__ = ["TypeChecked", "check_fields", "checked_props", "type_problem"]

P = ParamSpec("P")
R = TypeVar("R")

# How to make a value of a type users often get wrong.
_EXAMPLES: Mapping[object, str] = {
    cdk.Duration: "cdk.Duration.seconds(7200)",
    cdk.RemovalPolicy: "cdk.RemovalPolicy.RETAIN",
    iam.IRole: "iam.Role.from_role_arn(self, 'Role', role_arn)",
    kms.IKey: "kms.Key.from_key_arn(self, 'Key', key_arn)",
    s3.IBucket: "s3.Bucket.from_bucket_name(self, 'Bucket', bucket_name)",
    ec2.IVpc: "ec2.Vpc.from_lookup(self, 'Vpc', vpc_id=vpc_id)",
    ec2.ISecurityGroup: "ec2.SecurityGroup.from_security_group_id(self, 'Group', group_id)",
    ec2.SubnetSelection: "ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)",
}
_FROM_REQUEST = (
    " (a request in the API's own syntax goes to InferenceRecommendationsJob.from_request)"
)


def _name(hint: object) -> str:
    """Return how users write ``hint``: ``cdk.Duration``, ``iam.IRole``, ``StoppingConditions``."""
    module = getattr(hint, "__module__", "")
    name = getattr(hint, "__qualname__", None) or str(hint)
    if module == "aws_cdk":
        return f"cdk.{name}"
    if module.startswith("aws_cdk.aws_"):
        return f"{module.removeprefix('aws_cdk.aws_')}.{name}"
    return str(name)


def _protocol_members(protocol: type) -> frozenset[str]:
    """Return the public members a jsii interface (a ``typing.Protocol``) declares."""
    names: set[str] = set()
    for base in protocol.__mro__:
        if getattr(base, "_is_protocol", False) and base.__module__ != "typing_extensions":
            names.update(name for name in vars(base) if not name.startswith("_"))
    return frozenset(names)


def _implements(value: object, protocol: type) -> bool:
    """Return whether ``value`` implements the jsii interface ``protocol``.

    Checked on the classes, so that no property is read (each read would cross into Node.js).
    An imported resource is a jsii ``InterfaceDynamicProxy``: its delegates are checked.
    """
    delegates = getattr(value, "__dict__", {}).get("_delegates")
    classes = [type(d) for d in delegates] if isinstance(delegates, list) else [type(value)]
    return all(any(hasattr(cls, name) for cls in classes) for name in _protocol_members(protocol))


def _is_unresolved_number(value: object) -> bool:
    return isinstance(value, float) and is_unresolved(value)


def _matches(value: object, hint: object) -> bool:  # noqa: PLR0911 (one return per kind of hint)
    """Return whether ``value`` fits the annotation ``hint``."""
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arm) for arm in typing.get_args(hint))
    if origin in (collections.abc.Sequence, list, tuple):
        return _matches_items(value, hint)
    if origin in (collections.abc.Mapping, dict):
        key, item = typing.get_args(hint)
        return isinstance(value, Mapping) and all(
            _matches(k, key) and _matches(v, item) for k, v in value.items()
        )
    if not isinstance(hint, type):
        return True  # a form this checker does not know: leave it to the code that uses it
    if getattr(hint, "_is_protocol", False):
        return _implements(value, hint)
    if hint in (int, float):
        # A float prop takes an int too (PEP 484); a token number is a float.
        numbers = (int,) if hint is int else (int, float)
        is_number = isinstance(value, numbers) and not isinstance(value, bool)
        return is_number or _is_unresolved_number(value)
    if issubclass(hint, enum.StrEnum):
        return isinstance(value, str)  # the enum, or its value; validation checks the value
    return isinstance(value, hint)


def _matches_items(value: object, hint: object) -> bool:
    if not isinstance(value, list | tuple):
        return False
    arguments = [a for a in typing.get_args(hint) if a is not Ellipsis]
    return all(_matches(item, arguments[0]) for item in value) if arguments else True


def _expected(hint: object) -> str:
    """Describe ``hint`` for a message, without ``None``: ``a cdk.Duration``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        return " or ".join(_expected(arm) for arm in arms)
    origin = typing.get_origin(hint)
    if origin in (collections.abc.Sequence, list, tuple):
        arguments = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return f"a list of {_name(arguments[0])}" if arguments else "a list"
    if origin in (collections.abc.Mapping, dict):
        key, item = typing.get_args(hint)
        return f"a mapping of {_name(key)} to {_name(item)}"
    name = _name(hint)
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _example_for(hint: object) -> str | None:
    for arm in typing.get_args(hint) or (hint,):
        if arm in _EXAMPLES:
            return _EXAMPLES[arm]
        if dataclasses.is_dataclass(arm):
            return f"{_name(arm)}(...)"
    return None


def type_problem(name: str, value: object, hint: object) -> str | None:
    """Return ``"name: expected ..., got ..."`` when ``value`` does not fit ``hint``."""
    if _matches(value, hint):
        return None
    got = f"{type(value).__name__} {show(value)}"
    example = _example_for(hint)
    advice = f"; e.g. {example}" if example else ""
    if isinstance(value, Mapping) and example is not None and example.endswith("(...)"):
        advice += _FROM_REQUEST
    return f"{name}: expected {_expected(hint)}, got {got}{advice}"


_HINTS: dict[object, Mapping[str, object]] = {}


def _hints(target: object) -> Mapping[str, object]:
    """Return ``target``'s resolved annotations, read once."""
    if target not in _HINTS:
        _HINTS[target] = typing.get_type_hints(target)
    return _HINTS[target]


def checked_props(method: Callable[P, R]) -> Callable[P, R]:
    """Check a construct's keyword props against ``method``'s annotations before it runs.

    ``scope`` and ``id`` are CDK's own and left to it; every other argument is checked, and all
    wrong ones are reported together as an ``InfrecValidationError``.
    """
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        hints = _hints(method)
        problems = [
            problem
            for name, value in bound.arguments.items()
            if name not in {"self", "cls", "scope", "id"} and name in hints
            for problem in [type_problem(name, value, hints[name])]
            if problem is not None
        ]
        if problems:
            scope = bound.arguments.get("scope")
            node = getattr(scope, "node", None)
            identifier = bound.arguments.get("id")
            where = f"{node.path}/{identifier}" if node is not None and node.path else identifier
            raise InfrecValidationError(problems, construct_path=str(where) if where else None)
        return method(*args, **kwargs)

    return wrapper


def check_fields(instance: Any) -> None:  # noqa: ANN401 (any dataclass instance)
    """Check a config dataclass's fields against their annotations (call in ``__post_init__``)."""
    cls = type(instance)
    hints = _hints(cls)
    problems = []
    for field in dataclasses.fields(instance):
        name = f"{cls.__name__}.{field.name}"
        problem = type_problem(name, getattr(instance, field.name), hints[field.name])
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InfrecValidationError(problems)


class TypeChecked:
    """Base of the config dataclasses: their fields are type-checked when they are made."""

    __slots__ = ()

    def __post_init__(self) -> None:
        """Refuse a field of the wrong type, naming it and what it takes."""
        check_fields(self)
