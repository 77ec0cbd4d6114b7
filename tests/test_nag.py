"""cdk-nag gate: every example stack passes AwsSolutions, NIST 800-53 rev 5 and HIPAA Security.

A finding (error or warning) fails the build unless infrec-cdk acknowledges it on the resource it
concerns, with a reason, as a cdk-nag v3 acknowledgment and as v2 ``cdk_nag`` metadata. The
acknowledgments must also match what the packs really find: none is stale, none is wider than
its finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks

from infrec_cdk import _security
from tests.example_stacks import EXAMPLE_STACKS, StackFactory, synthesized_example

PACKS: dict[str, type[NagPack]] = {
    "AwsSolutions": AwsSolutionsChecks,
    "NIST.800.53.R5": NIST80053R5Checks,
    "HIPAA.Security": HIPAASecurityChecks,
}
STACKS = dict(EXAMPLE_STACKS)

# (construct path below the stack, finding id)
Finding = tuple[str, str]


def synthesized(factory: StackFactory) -> cdk.Stack:
    app = cdk.App()
    stack = factory(app)
    app.synth()  # aspects and lazy values run, as in `cdk synth`
    return stack


def example(name: str) -> cdk.Stack:
    return synthesized_example(name)


def findings(stack: cdk.Stack, pack: str) -> list[dict[str, str | None]]:
    report = PACKS[pack]().validate_scope(stack)
    return [
        {
            "rule": violation.rule_name,
            "severity": violation.severity,
            "path": resource.construct_path,
            "description": violation.description,
        }
        for violation in report.violations
        for resource in violation.violating_resources
    ]


def relative(stack: cdk.Stack, path: str) -> str:
    return path.removeprefix(stack.node.path + "/")


def id_forms(key: str) -> tuple[str, str]:
    """(form, bare id) of an acknowledgment key: ``Annotation::X`` and ``<pack>::X`` are ``X``."""
    form = re.sub(r"^annotation::", "", key, flags=re.IGNORECASE)
    pack = form.split("::", 1)[0]
    return form, form.removeprefix(f"{pack}::") if pack in PACKS else form


def acknowledgments(stack: cdk.Stack) -> dict[Finding, dict[str, str]]:
    """Each (path, bare finding id) acknowledged in ``stack``: its id forms and their reasons."""
    found: dict[Finding, dict[str, str]] = {}
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type != cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                continue
            for key, reason in entry.data.items():
                form, bare = id_forms(key)
                path = relative(stack, construct.node.path)
                found.setdefault((path, bare), {})[form] = reason
    return found


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("name", STACKS)
def test_no_unacknowledged_finding(name, pack):
    assert findings(example(name), pack) == []


@pytest.mark.parametrize("name", STACKS)
def test_packs_pass_as_validation_plugins_in_synth(name):
    # The way users run cdk-nag v3: synth fails on any finding the acknowledgments miss.
    app = cdk.App()
    STACKS[name](app)
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in PACKS.values()))
    app.synth()


@pytest.mark.parametrize("name", STACKS)
def test_every_acknowledgment_answers_a_real_finding_on_its_own_resource(name, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(_security, "_write", lambda *_args, **_kwargs: None)  # every acknowledgment
        raw = synthesized(STACKS[name])
    raw_findings = {
        (relative(raw, str(finding["path"])), str(finding["rule"]))
        for pack in PACKS
        for finding in findings(raw, pack)
    }
    acknowledged = acknowledgments(example(name))

    assert set(acknowledged) == raw_findings
    for (_path, finding_id), forms in acknowledged.items():
        assert set(forms) == set(_security.acknowledgment_ids(finding_id))


@pytest.mark.parametrize("name", STACKS)
def test_acknowledgments_are_written_as_v2_metadata_too(name):
    stack = example(name)
    template: Mapping[str, Any] = Template.from_stack(stack).to_json()
    by_path = {
        relative(stack, construct.node.path): stack.get_logical_id(construct)
        for construct in stack.node.find_all()
        if isinstance(construct, cdk.CfnResource)
    }
    for (path, finding_id), forms in acknowledgments(stack).items():
        rule, _, rest = finding_id.partition("[")
        applies_to = rest.removesuffix("]") if rest else None
        metadata = template["Resources"][by_path[path]]["Metadata"]["cdk_nag"]
        entries = [
            entry
            for entry in metadata["rules_to_suppress"]
            if entry["id"] == rule and (applies_to is None or applies_to in entry["applies_to"])
        ]
        assert len(entries) == 1, (path, finding_id)
        assert set(forms.values()) == {entries[0]["reason"]}


def test_reasons_are_specific():
    reasons = [
        value.reason for value in vars(_security).values() if isinstance(value, _security.Finding)
    ]
    stack = example("vpc")
    reasons += [
        reason
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for reason in entry.data.values()
    ]
    assert len(reasons) > 20
    for reason in reasons:
        assert len(reason) >= 60, reason
    findings_ = [v for v in vars(_security).values() if isinstance(v, _security.Finding)]
    assert len({finding.reason for finding in findings_}) == len(findings_)


# Construct paths of what infrec-cdk creates in the example stacks.
OWN_PATHS = (
    r"^(Job|Endpoint|InfrecJobHandler8f1c2a7e|InfrecJobWaiter3b9d51c4|InfrecVpcEndpoints"
    r"|Recommender/|InfrecRolePolicy|AI(Workload|Recommendation|Benchmark)/)"
)


def test_only_the_librarys_own_resources_are_acknowledged():
    for name in STACKS:
        stack = example(name)
        for path, _finding_id in acknowledgments(stack):
            assert re.match(OWN_PATHS, path), path
