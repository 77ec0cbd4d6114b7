"""ARNs of a stack's account and region, formatted in Python (and the stack's URL suffix).

``Stack.format_arn`` crosses into Node.js on every call; it joins the partition, service,
region, account and resource into one string, with the stack's ``partition``, ``region`` and
``account`` tokens when they are not literals. This does the same join with those three values
read once per stack, so the result is the same string (and renders as the same ``Fn::Join``).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk

__all__ = ["StackArns"]

_ATTRIBUTE = "_infrec_stack_arns"


@dataclass(frozen=True, slots=True)
class StackArns:
    """The partition, region and account of one stack, and ARNs made of them."""

    partition: str
    region: str
    account: str
    url_suffix: str

    @classmethod
    def of(cls, stack: cdk.Stack) -> StackArns:
        """Return the stack's ARN parts, read from the stack once."""
        found = getattr(stack, _ATTRIBUTE, None)
        if isinstance(found, StackArns):
            return found
        arns = cls(stack.partition, stack.region, stack.account, stack.url_suffix)
        setattr(stack, _ATTRIBUTE, arns)
        return arns

    def arn(
        self,
        service: str,
        resource: str,
        name: str | None = None,
        *,
        account: str | None = None,
        separator: str = "/",
    ) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource><separator><name>``.

        As ``Stack.format_arn``: ``separator`` is ``/`` for ``ArnFormat.SLASH_RESOURCE_NAME``
        and ``:`` for ``COLON_RESOURCE_NAME``; ``account`` overrides the stack's (``*``).
        """
        owner = self.account if account is None else account
        tail = resource if name is None else f"{resource}{separator}{name}"
        return f"arn:{self.partition}:{service}:{self.region}:{owner}:{tail}"
