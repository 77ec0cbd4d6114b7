"""Type tests of jsii objects that stay cheap when the answer is no.

``isinstance(x, cdk.CfnResource)`` is an ``abc.ABCMeta`` check (jsii makes abstract classes
ABCs): for an object that is not a CfnResource, the first check of its class walks every loaded
subclass of CfnResource — over a thousand once ``aws_ec2`` is imported, about 1 ms each time a
new class is asked, and again after any ``ABCMeta.register`` empties the negative cache. The
class's own MRO gives the same answer for jsii's classes, which are real subclasses (no virtual
ones are registered for CfnResource).
"""

from __future__ import annotations

from typing import TypeGuard

import aws_cdk as cdk

__all__ = ["is_cfn_resource"]


def is_cfn_resource(value: object) -> TypeGuard[cdk.CfnResource]:
    """Whether ``value`` is a CloudFormation resource construct (``cdk.CfnResource``)."""
    return cdk.CfnResource in type(value).__mro__
