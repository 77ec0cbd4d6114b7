"""Application Auto Scaling, as far as the local CloudFormation needs it: refuse what AWS would.

CloudFormation turns an ``AWS::ApplicationAutoScaling::ScalableTarget`` into
``RegisterScalableTarget`` and a ``ScalingPolicy`` into ``PutScalingPolicy``, after converting
each property to the type its schema declares (a custom resource's attribute is a string; the
schema says ``MinCapacity`` is an integer). Here the resolved properties are converted by
botocore's application-autoscaling model and checked against it with the fake SageMaker's
``ShapeValidator`` (ranges, enums such as the predefined metric types, patterns); a policy must
name a target registered in the stack, and a SageMaker variant's resource id must have the form
``endpoint/<endpoint>/variant/<variant>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Final

import botocore.session
from botocore.model import ServiceModel, Shape, StructureShape

from tests.fakes.sagemaker import ShapeValidator

__all__ = ["POLICY", "TARGET", "check"]

TARGET: Final = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY: Final = "AWS::ApplicationAutoScaling::ScalingPolicy"
_VARIANT: Final = re.compile(r"endpoint/[^/]+/variant/[^/]+")


@functools.cache
def _model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("application-autoscaling")


def _typed(shape: Shape, value: Any) -> Any:
    """``value`` converted as CloudFormation converts strings to the schema's scalar types."""
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        return {
            key: _typed(shape.members[key], item) if key in shape.members else item
            for key, item in value.items()
        }
    if shape.type_name in {"integer", "long"} and isinstance(value, str):
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if shape.type_name == "double" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _request(operation: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    shape = _model().operation_model(operation).input_shape
    assert shape is not None
    request: dict[str, Any] = _typed(shape, dict(properties))
    errors = ShapeValidator().errors(shape, request)
    if errors:
        raise ValueError(f"{operation}: " + "; ".join(errors))
    return request


def check(
    resource_type: str, properties: Mapping[str, Any], targets: Mapping[str, Mapping[str, Any]]
) -> None:
    """Raise ``ValueError`` with Application Auto Scaling's kind of message if AWS would refuse.

    ``targets`` are the stack's registered scalable targets' properties, by physical id.
    """
    if resource_type == TARGET:
        request = _request("RegisterScalableTarget", properties)
        if request["ServiceNamespace"] == "sagemaker" and not _VARIANT.fullmatch(
            request["ResourceId"]
        ):
            raise ValueError(f"Unsupported resource ID {request['ResourceId']!r} for sagemaker")
        if request["MinCapacity"] > request["MaxCapacity"]:
            raise ValueError("Minimum capacity cannot be greater than maximum capacity")
        return
    target = targets.get(str(properties.get("ScalingTargetId", "")))
    if target is None:
        raise ValueError(f"No scalable target registered for {properties.get('ScalingTargetId')}")
    named = {key: target[key] for key in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
    policy = {key: value for key, value in properties.items() if key != "ScalingTargetId"}
    _request("PutScalingPolicy", {**policy, **named})
