"""Waiting at synth time: what makes a fresh wait, what warns, what is refused, what is granted."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest

from infrec_cdk import (
    RESULTS_RESOURCE_TYPE,
    InfrecValidationError,
    Objective,
    SupportedEndpointType,
    Wait,
)
from tests.annotations import warning_ids
from tests.harness import resolve
from tests.test_waiting import advanced_props, template_of, waiting_stack

WAIT_TYPES = (
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudFormation::WaitCondition",
    "AWS::Events::Rule",
)
SHORT_WAIT = "infrec-cdk:waitShorterThanJob"

# The waits the tests here and in the other test_wait_* modules deploy or compare.
WAITS: dict[str, Callable[[], Wait]] = {
    "default": Wait,
    "timeout": lambda: Wait(timeout=cdk.Duration.hours(7)),
    "poll_interval": lambda: Wait(poll_interval=cdk.Duration.minutes(5)),
    "objective_and_limits": lambda: Wait(
        objective=Objective.HIGHEST_MAX_INVOCATIONS,
        max_model_latency=1e6,
        max_cost_per_hour=1e6,
        endpoint_type=SupportedEndpointType.REAL_TIME,
    ),
}
_SYNTHESIZED: dict[str, dict[str, Any]] = {}


def waiting_template(name: str) -> dict[str, Any]:
    """The waiting stack's template with ``WAITS[name]``: synthesized once, a copy each call."""
    if name not in _SYNTHESIZED:
        _SYNTHESIZED[name] = template_of(waiting_stack(WAITS[name]()))
    return copy.deepcopy(_SYNTHESIZED[name])


def wait_resource_ids(template: dict[str, Any]) -> set[str]:
    """Logical ids of the handle, the condition and the poll rule."""
    ids = {k for k, r in template["Resources"].items() if r["Type"] in WAIT_TYPES}
    assert len(ids) == len(WAIT_TYPES)
    return ids


def results_properties(template: dict[str, Any]) -> dict[str, Any]:
    (results,) = [r for r in template["Resources"].values() if r["Type"] == RESULTS_RESOURCE_TYPE]
    return dict(results["Properties"])


def waiter_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    (policy,) = [
        r
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and k.startswith("InfrecJobWaiter")
    ]
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def rule_input(template: dict[str, Any]) -> str:
    (rule,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    return json.dumps(rule["Properties"]["Targets"][0]["Input"])


@pytest.mark.parametrize("changed", ["timeout", "poll_interval"])
def test_a_changed_timeout_or_poll_interval_gets_a_fresh_handle_and_condition(changed):
    # CloudFormation cannot update a wait condition; the stack's poll rule lists the fresh one,
    # so it is updated too, which re-enables it.
    template = waiting_template(changed)
    fresh = {k for k in wait_resource_ids(template) if "Poll" not in k}
    assert fresh.isdisjoint(wait_resource_ids(waiting_template("default")))
    (condition,) = [k for k in fresh if "Condition" in k]
    assert condition in rule_input(template)
    assert rule_input(template) != rule_input(waiting_template("default"))


def test_a_changed_objective_or_limit_keeps_the_wait_and_changes_only_the_results():
    default, changed = waiting_template("default"), waiting_template("objective_and_limits")
    assert wait_resource_ids(changed) == wait_resource_ids(default)
    differ = {
        k for k, v in results_properties(changed).items() if results_properties(default)[k] != v
    }
    assert differ == {"Objective", "MaxModelLatency", "MaxCostPerHour", "EndpointType"}


def test_warns_when_the_wait_is_shorter_than_the_jobs_duration():
    props = {**advanced_props(), "job_duration": cdk.Duration.hours(3)}
    stack = waiting_stack(Wait(timeout=cdk.Duration.hours(1)), **props)
    assert SHORT_WAIT in warning_ids(stack)


def test_warns_when_the_wait_is_shorter_than_a_default_job_may_take():
    stack = waiting_stack(Wait(timeout=cdk.Duration.minutes(30)))
    assert SHORT_WAIT in warning_ids(stack)


def test_no_warning_when_the_wait_outlasts_the_job():
    assert SHORT_WAIT not in warning_ids(waiting_stack(Wait(timeout=cdk.Duration.hours(1))))


@pytest.mark.parametrize(
    "timeout", [cdk.Duration.millis(60_500), cdk.Duration.millis(5_400_250)], ids=["60.5s", "90m"]
)
def test_fails_clearly_when_the_timeout_is_not_whole_seconds(timeout):
    with pytest.raises(InfrecValidationError, match=r"wait\.timeout: .* whole number of seconds"):
        waiting_stack(Wait(timeout=timeout))


def test_the_waiter_may_disable_its_rules_but_not_enable_them():
    actions = set()
    for statement in waiter_statements(waiting_template("default")):
        found = statement["Action"]
        actions |= {found} if isinstance(found, str) else set(found)
    assert "events:DisableRule" in actions
    assert "events:EnableRule" not in actions


def test_the_archive_key_is_used_through_s3_of_the_stacks_partition(monkeypatch):
    template = waiting_template("default")
    (statement,) = [s for s in waiter_statements(template) if s["Action"] == "kms:GenerateDataKey"]
    via = statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert resolve.resolve(via, template) == "s3.us-east-1.amazonaws.com"
    # In the China Regions the URL suffix is amazonaws.com.cn.
    monkeypatch.setitem(resolve.PSEUDO, "AWS::Region", "cn-north-1")
    monkeypatch.setitem(resolve.PSEUDO, "AWS::URLSuffix", "amazonaws.com.cn")
    assert resolve.resolve(via, template) == "s3.cn-north-1.amazonaws.com.cn"
