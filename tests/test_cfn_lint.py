"""cfn-lint gate: every example stack's template has no cfn-lint error and no warning."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.cfn_lint_gate import cfn_lint_findings
from tests.example_stacks import EXAMPLE_STACKS, StackFactory


@pytest.mark.parametrize(("name", "factory"), EXAMPLE_STACKS, ids=[n for n, _ in EXAMPLE_STACKS])
def test_template_has_no_cfn_lint_error_or_warning(name: str, factory: StackFactory) -> None:
    template = Template.from_stack(factory(cdk.App())).to_json()
    assert cfn_lint_findings(template) == [], name


def test_handler_function_depends_on_its_policy_but_not_redundantly_on_its_role() -> None:
    # cfn-lint W3005 flags a DependsOn that a Ref/GetAtt already implies.
    template = Template.from_stack(dict(EXAMPLE_STACKS)["default"](cdk.App()))
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = set(template.find_resources("AWS::IAM::Policy"))
    assert role not in function["DependsOn"]
    assert set(function["DependsOn"]) & policies
