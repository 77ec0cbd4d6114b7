"""cfn-lint gate: every example stack's template has no cfn-lint error and no warning."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from tests.cfn_lint_gate import cfn_lint_findings
from tests.example_stacks import EXAMPLE_STACKS, example_template


@pytest.mark.parametrize("name", [n for n, _ in EXAMPLE_STACKS])
def test_template_has_no_cfn_lint_error_or_warning(name: str) -> None:
    template = example_template(name)
    assert cfn_lint_findings(template) == [], name


def test_handler_function_depends_on_its_policy_but_not_redundantly_on_its_role() -> None:
    # cfn-lint W3005 flags a DependsOn that a Ref/GetAtt already implies.
    template = Template.from_json(example_template("default"))
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = set(template.find_resources("AWS::IAM::Policy"))
    assert role not in function["DependsOn"]
    assert set(function["DependsOn"]) & policies
