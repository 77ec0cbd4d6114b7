"""Turn CloudFormation's stringly-typed ``Request`` back into API types, driven by botocore's model.

CloudFormation delivers every scalar as a string ("600", "true"). The request shape of the
kind's Create operation (CreateInferenceRecommendationsJob, CreateAIRecommendationJob, ...: see
``kinds``) says which members are integers, floats or booleans; walking it restores them in lists
and nested structures alike, with no field list kept here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final

from botocore.model import ListShape, MapShape, Shape, StructureShape
from kinds import CLASSIC, Kind

__all__ = [
    "CREATE_REQUEST_TAG",
    "MAX_TAGS",
    "OWNER_TAG",
    "OWN_TAGS",
    "RequestError",
    "coerce",
    "coerce_request",
    "create_params",
]

# Marks the job with the digest of the CloudFormation request that created it (see names.py).
CREATE_REQUEST_TAG: Final = "infrec-cdk:create-request"
# Names the stack and resource that own the job (see ``names.owner``): IAM lets a stack's
# handler describe and stop its own jobs by this tag, and a Delete stops only a job it owns.
OWNER_TAG: Final = "infrec-cdk:owner"
OWN_TAGS: Final = frozenset({CREATE_REQUEST_TAG, OWNER_TAG})
# SageMaker's limit on a resource's tags (botocore's model: TagList, max 50, for every kind).
MAX_TAGS: Final = 50

_INTEGER = re.compile(r"[+-]?[0-9]+")
_BOOLEANS: Final = {"true": True, "false": False}


class RequestError(ValueError):
    """A property of the request cannot be turned into what the API expects."""


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."  # noqa: PLR2004 (display width)


def _integer(value: object, path: str) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise RequestError(f"{path}: {_describe(value)} is not an integer")


def _float(value: object, path: str) -> object:
    number = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    if not math.isfinite(number):
        raise RequestError(f"{path}: {_describe(value)} is not a finite number")
    return number


def _boolean(value: object, path: str) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise RequestError(f"{path}: {_describe(value)} is not a boolean (true or false)")


def _string(value: object, path: str) -> object:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RequestError(f"{path}: {_describe(value)} is not a string")


_SCALARS: Final[Mapping[str, Callable[[object, str], object]]] = {
    "integer": _integer,
    "long": _integer,
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "string": _string,
}


def coerce(value: object, shape: Shape, path: str) -> object:
    """Return ``value`` with every scalar converted to the type ``shape`` declares.

    Members the shape does not know are kept as they are: botocore's parameter validation
    reports them with the list of allowed names.
    """
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return value
        if not isinstance(value, Mapping):
            raise RequestError(f"{path}: must be an object, not {_describe(value)}")
        members = shape.members
        return {
            key: coerce(item, members[key], f"{path}.{key}") if key in members else item
            for key, item in value.items()
        }
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise RequestError(f"{path}: must be a list, not {_describe(value)}")
        return [coerce(item, shape.member, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            raise RequestError(f"{path}: must be an object, not {_describe(value)}")
        return {
            coerce(key, shape.key, f"{path}.{key}"): coerce(item, shape.value, f"{path}.{key}")
            for key, item in value.items()
        }
    convert = _SCALARS.get(shape.type_name)
    # Blobs and timestamps are no part of this request: left to botocore.
    return value if convert is None else convert(value, path)


def coerce_request(
    request: Mapping[str, object], shape: Shape, path: str = "ResourceProperties.Request"
) -> dict[str, object]:
    """Return the request in API types; raise ``RequestError`` naming the first bad property."""
    coerced = coerce(request, shape, path)
    if not isinstance(coerced, dict):  # pragma: no cover - a structure shape gives a dict
        raise RequestError(f"{path}: must be an object")
    return coerced


def create_params(
    request: Mapping[str, object], *, job_name: str, digest: str, owner: str, kind: Kind = CLASSIC
) -> dict[str, object]:
    """Return the parameters of the kind's Create: the request, the name and our tags."""
    named = {**request, kind.name_member: job_name}
    if not kind.takes_tags:  # pragma: no cover - every kind so far takes Tags
        return named
    tags = request.get("Tags", [])
    if not isinstance(tags, list):
        raise RequestError("ResourceProperties.Request.Tags: must be a list of {Key, Value}")
    kept = [tag for tag in tags if not (isinstance(tag, Mapping) and tag.get("Key") in OWN_TAGS)]
    if len(kept) + len(OWN_TAGS) > MAX_TAGS:
        raise RequestError(
            f"ResourceProperties.Request.Tags: {len(kept)} tags, but at most "
            f"{MAX_TAGS - len(OWN_TAGS)} are allowed: infrec-cdk adds its own tags "
            f"{', '.join(sorted(OWN_TAGS))} and SageMaker allows {MAX_TAGS}"
        )
    return {
        **named,
        "Tags": [
            *kept,
            {"Key": CREATE_REQUEST_TAG, "Value": digest},
            {"Key": OWNER_TAG, "Value": owner},
        ],
    }
