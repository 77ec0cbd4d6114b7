"""IAM's 10,240 characters of inline policy per role, checked at synth for the merged policies.

"Role policy size: ... 10,240 characters" — all of a role's inline policies together, whitespace
not counted (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A
synthesized policy holds references (``Ref``, ``Fn::GetAtt``, ``Fn::Join``) whose values are only
known at deploy time, so the size is bounded from both sides: above a limit even with every
reference at its shortest, the deployment would fail (an error); above it only with references
at their longest, it may (a warning to acknowledge).
"""

from __future__ import annotations

import json
from typing import Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IValidation

from infrec_cdk._synth_checks import report_errors

__all__ = ["MAX_ROLE_POLICY_CHARACTERS", "PolicySizeCheck", "rendered_length"]

MAX_ROLE_POLICY_CHARACTERS: Final = 10_240
# What a pseudo parameter or a reference may stand for, at its shortest and at its longest.
_SHORTEST: Final = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
}
_LONGEST: Final = {
    "AWS::Partition": "aws-iso-b",
    "AWS::Region": "ap-southeast-4",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com.cn",
}
# A key, bucket or role ARN (the references a job's policy holds): at least ~40, at most ~100.
_SHORTEST_REFERENCE: Final = 40
_LONGEST_REFERENCE: Final = 100


def _render(value: object, pseudo: dict[str, str], reference: int) -> object:
    if isinstance(value, list):
        return [_render(item, pseudo, reference) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        return pseudo.get(str(value["Ref"]), "x" * reference)
    if "Fn::GetAtt" in value or "Fn::ImportValue" in value:
        return "x" * reference
    if "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        return str(delimiter).join(str(_render(item, pseudo, reference)) for item in items)
    return {key: _render(item, pseudo, reference) for key, item in value.items()}


def rendered_length(document: object, *, longest: bool) -> int:
    """Characters of a resolved policy document as IAM counts them, references at an extreme."""
    pseudo = _LONGEST if longest else _SHORTEST
    reference = _LONGEST_REFERENCE if longest else _SHORTEST_REFERENCE
    return len(json.dumps(_render(document, pseudo, reference), separators=(",", ":")))


@jsii.implements(IValidation)
class PolicySizeCheck:
    """Refuses a merged policy that cannot fit its role; warns about one that may not."""

    def __init__(self, policy: iam.Policy, what: str) -> None:
        self._policy = policy
        self._what = what

    def validate(self) -> list[str]:
        """Report an error when even the shortest rendering exceeds IAM's limit."""
        stack = cdk.Stack.of(self._policy)
        document = stack.resolve(self._policy.document)
        shortest = rendered_length(document, longest=False)
        longest = rendered_length(document, longest=True)
        limit = MAX_ROLE_POLICY_CHARACTERS
        advice = (
            "split its jobs across recommenders (each has its own role), or share fewer "
            "distinct model packages, payloads or model roles among them"
        )
        if shortest > limit:
            return report_errors(
                self._policy,
                [
                    f"{self._what}: its inline policy takes at least {shortest} characters, and "
                    f"IAM allows {limit} of inline policy per role "
                    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); "
                    + advice
                ],
            )
        if longest > limit:
            cdk.Annotations.of(self._policy).add_warning_v2(
                "infrec-cdk:rolePolicySize",
                f"{self._what}: its inline policy may take up to {longest} characters once "
                f"deployed, and IAM allows {limit} per role, with the role's other inline "
                f"policies; {advice}",
            )
        return []
