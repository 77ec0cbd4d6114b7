"""Typed views of a custom resource's attributes (``Fn::GetAtt``), as tokens."""

from __future__ import annotations

import aws_cdk as cdk

__all__ = ["ResourceAttributes"]


class ResourceAttributes:
    """The attributes of one custom resource; subclasses name and type the ones they expose."""

    def __init__(self, resource: cdk.CustomResource) -> None:
        self._resource = resource

    def attribute(self, name: str) -> str:
        """Any attribute of the resource, by name (a string token)."""
        return self._resource.get_att_string(name)

    def _number(self, name: str) -> float:
        return cdk.Token.as_number(self._resource.get_att(name))
