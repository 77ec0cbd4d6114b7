"""Typed CloudFormation custom-resource events of the job handler's resources (``kinds``).

Parsing happens in two steps, so that even a malformed event gets its answer: ``Envelope`` takes
whatever is there (what a response needs), ``parse_event`` then checks everything and names the
first property that is wrong.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import names
from kinds import CLASSIC, Kind
from kinds import of as kind_of

__all__ = [
    "CfnEvent",
    "Envelope",
    "EventError",
    "LambdaContext",
    "Properties",
    "RequestType",
    "intended_job_name",
    "parse_event",
    "user_job_name",
]


class EventError(ValueError):
    """The event or its resource properties are not what the resource type expects."""


class LambdaContext(Protocol):
    """The part of the Lambda context object the handler uses."""

    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before Lambda stops the invocation."""
        ...


class RequestType(enum.StrEnum):
    """CloudFormation's request types."""

    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"


def _text(event: Mapping[str, object], key: str) -> str:
    value = event.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """What any response needs, taken leniently: a missing field is an empty string."""

    request_type: str
    request_id: str
    stack_id: str
    logical_resource_id: str
    physical_resource_id: str
    response_url: str
    resource_type: str = ""

    @classmethod
    def of(cls, event: Mapping[str, object]) -> Envelope:
        """Take the envelope fields of ``event``, whatever their state."""
        return cls(
            request_type=_text(event, "RequestType"),
            request_id=_text(event, "RequestId"),
            stack_id=_text(event, "StackId"),
            logical_resource_id=_text(event, "LogicalResourceId"),
            physical_resource_id=_text(event, "PhysicalResourceId"),
            response_url=_text(event, "ResponseURL"),
            resource_type=_text(event, "ResourceType"),
        )

    @property
    def kind(self) -> Kind:
        """The kind the event is about (its ``ResourceType``; the classic job if unknown)."""
        return kind_of(self.resource_type)

    @property
    def digest(self) -> str:
        """Identify this request for this resource (see ``names.request_digest``)."""
        return names.request_digest(self.stack_id, self.logical_resource_id, self.request_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Properties:
    """The resource properties, as CloudFormation sent them (every scalar a string)."""

    request: Mapping[str, object]
    job_name_prefix: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CfnEvent:
    """A checked event: ``properties`` for Create and Update, ``old_properties`` if parseable."""

    request_type: RequestType
    envelope: Envelope
    properties: Properties | None
    old_properties: Properties | None

    @property
    def kind(self) -> Kind:
        """The kind of resource the event is about."""
        return self.envelope.kind


def _properties(raw: object, key: str, kind: Kind) -> Properties:
    if not isinstance(raw, Mapping):
        raise EventError(f"{key}: must be an object, not {type(raw).__name__}")
    request = raw.get("Request")
    if not isinstance(request, Mapping):
        found = "missing" if request is None else f"a {type(request).__name__}"
        raise EventError(
            f"{key}.Request: must be the {kind.create} request as an object, but is {found}"
        )
    prefix = raw.get("JobNamePrefix")
    if not isinstance(prefix, str) or not names.is_prefix(prefix):
        raise EventError(
            f"{key}.JobNamePrefix: {prefix!r} is not a valid prefix: 1 to "
            f"{names.PREFIX_MAX} lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit"
        )
    return Properties(request=request, job_name_prefix=prefix)


def parse_event(event: Mapping[str, object]) -> CfnEvent:
    """Check ``event`` and return it typed; raise ``EventError`` naming what is wrong."""
    envelope = Envelope.of(event)
    for key in ("RequestId", "StackId", "LogicalResourceId"):
        if not _text(event, key):
            raise EventError(f"{key}: missing from the event")
    try:
        request_type = RequestType(envelope.request_type)
    except ValueError:
        raise EventError(
            f"RequestType: {envelope.request_type!r} is not one of Create, Update, Delete"
        ) from None
    if request_type is not RequestType.CREATE and not envelope.physical_resource_id:
        raise EventError(f"PhysicalResourceId: missing from a {request_type} event")
    if request_type is RequestType.DELETE:
        # A Delete must succeed whatever the properties say: rollback must never get stuck.
        return CfnEvent(
            request_type=request_type, envelope=envelope, properties=None, old_properties=None
        )
    kind = envelope.kind
    properties = _properties(event.get("ResourceProperties"), "ResourceProperties", kind)
    old_properties: Properties | None = None
    if request_type is RequestType.UPDATE:
        try:
            old_properties = _properties(
                event.get("OldResourceProperties"), "OldResourceProperties", kind
            )
        except EventError:
            old_properties = None  # unreadable old properties only mean "the request changed"
    return CfnEvent(
        request_type=request_type,
        envelope=envelope,
        properties=properties,
        old_properties=old_properties,
    )


def user_job_name(request: Mapping[str, object], kind: Kind = CLASSIC) -> str | None:
    """Return the request's own name (``JobName``, or the kind's member), or None.

    Raise ``EventError`` if it is invalid for the kind (botocore's ``RecommendationJobName``:
    at most 64 characters; ``AIEntityName``: at most 63).
    """
    member = kind.name_member
    name = request.get(member)
    if name is None:
        return None
    if not isinstance(name, str) or not kind.is_name(name):
        raise EventError(
            f"ResourceProperties.Request.{member}: {name!r} is not a valid {kind.noun} name: 1 "
            f"to {kind.name_max} letters, digits and dashes, starting and ending with a letter "
            "or digit"
        )
    return name


def intended_job_name(envelope: Envelope, properties: Properties, kind: Kind = CLASSIC) -> str:
    """Return the name a new job for this request gets: the user's, else a generated one.

    The generated name (at most 37 characters, ``names.generated_name``) fits every kind.
    """
    return user_job_name(properties.request, kind) or names.generated_name(
        properties.job_name_prefix, envelope.digest
    )
