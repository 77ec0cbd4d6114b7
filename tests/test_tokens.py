"""``_tokens.is_unresolved`` answers as CDK's ``Token.is_unresolved`` does, for every kind."""

from __future__ import annotations

import math

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_iam as iam
from hypothesis import given
from hypothesis import strategies as st

from infrec_cdk import _tokens


@jsii.implements(cdk.IStableAnyProducer)
class _Produce:
    def produce(self, _context=None):
        return {"a": 1}


def _values() -> list[object]:
    stack = cdk.Stack(cdk.App(), "Tokens")
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    parameter = cdk.CfnParameter(stack, "Count", type="Number")
    names = cdk.CfnParameter(stack, "Names", type="CommaDelimitedList")
    number_token = cdk.Token.as_number(cdk.Fn.ref("Count"))
    return [
        None,
        True,
        0,
        7,
        2.5,
        -1e300,
        "plain",
        "",
        "${Token[ but not one",
        "e+289 in text",
        "Token[ and -1.8881545897087626e+289",
        "a literal ${Token[TOKEN.99]} typed by hand",
        "#{Token[TOKEN.5]}",
        ["#{Token[TOKEN.5]}"],
        ["${Token[TOKEN.5]}"],
        -1.8881545897087626e289,
        2**60,
        role.role_arn,
        f"arn-prefix/{role.role_name}/suffix",
        stack.account,
        parameter.value_as_number,
        number_token,
        cdk.Token.as_string(number_token),
        f"n={cdk.Token.as_string(parameter.value_as_number)}",
        names.value_as_list,
        ["a"],
        ["a", "b"],
        [role.role_arn],
        (role.role_arn,),
        {"Key": role.role_arn},
        {"Key": "value"},
        cdk.Lazy.any(_Produce()),
        cdk.Fn.ref("AWS::Region"),
        cdk.Duration.minutes(5),
    ]


@pytest.mark.parametrize("index", range(len(_values())))
def test_agrees_with_cdk(index):
    value = _values()[index]
    as_jsii_sends_it = list(value) if isinstance(value, tuple) else value  # jsii has no tuples
    assert _tokens.is_unresolved(value) == cdk.Token.is_unresolved(as_jsii_sends_it), value


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan, 2**2000])
def test_numbers_that_cannot_be_tokens_stay_in_python(number):
    # jsii cannot even send these to CDK; CDK's number tokens are finite doubles.
    assert _tokens.is_unresolved(number) is False


def test_tokens_of_every_kind_are_unresolved():
    stack = cdk.Stack(cdk.App(), "Kinds")
    parameter = cdk.CfnParameter(stack, "Names", type="CommaDelimitedList")
    assert _tokens.is_unresolved(stack.account)
    assert _tokens.is_unresolved(cdk.Token.as_number(cdk.Fn.ref("Count")))
    assert _tokens.is_unresolved(parameter.value_as_list)
    assert _tokens.is_unresolved(cdk.Lazy.any(_Produce()))


@given(st.text())
def test_text_without_a_token_is_resolved(text):
    assert _tokens.is_unresolved(text) is cdk.Token.is_unresolved(text)


_FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(_FINITE | st.integers(min_value=-(2**53), max_value=2**53))
def test_numbers_without_a_token_are_resolved(number):
    assert _tokens.is_unresolved(number) is cdk.Token.is_unresolved(number)
