"""Checks that can run only at synth (after aspects such as ``Tags.of``), reported the CDK way.

A problem is written as an error annotation on the construct it concerns. The CDK CLI prints it
as ``[Error at /Stack/Path] <message>`` and refuses to synthesize or deploy the stack, with no
traceback; ``Annotations.from_stack(stack).find_error(...)`` finds it in a test. Returning the
problems from ``IValidation.validate`` instead would make CDK throw inside Node.js, which a Python
app shows as a jsii traceback around the message.
Source: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk/Annotations.html (``add_error``:
"The toolkit will fail deployment of any stack that has errors reported against it").
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

__all__ = ["report_errors"]


def report_errors(target: IConstruct, problems: list[str]) -> list[str]:
    """Write each problem as an error annotation on ``target``; return what ``validate`` returns.

    Call it from an ``IValidation.validate``: it returns no error for CDK to throw. A message
    reported once is not repeated when the same tree is synthesized again (CDK keeps one copy).
    """
    for problem in problems:
        cdk.Annotations.of(target).add_error(problem)
    return []
