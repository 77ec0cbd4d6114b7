"""``examples/waiting_app.py`` deploys as written: its model can read its artefacts and image.

SageMaker runs the model's container with the model's execution role: it must read the model
data from S3 and pull the image from ECR
(https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html, CreateModel), and
SageMaker pulls images only from the stack's own region, where the XGBoost image has an account
of its own.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def waiting_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "deploy_safety_waiting_app", ROOT / "examples" / "waiting_app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def synthesized(region: str | None = None) -> tuple[cdk.Stack, dict[str, Any]]:
    """The example's stack in ``region`` (``None``: region-agnostic), synthesized once."""
    env = None if region is None else cdk.Environment(account="111122223333", region=region)
    stack = waiting_app().RightSizedEndpointStack(cdk.App(), "TestStack", env=env)
    return stack, dict(Template.from_stack(stack).to_json())


def model_role_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    (model,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    role_id = model["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role_id} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


def allowed(statements: list[dict[str, Any]], action: str) -> list[Any]:
    return [
        statement["Resource"]
        for statement in statements
        if action
        in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    ]


def test_the_model_role_may_read_the_model_data_and_pull_the_image():
    stack, template = synthesized("eu-west-1")
    statements = model_role_statements(template)

    assert [stack.resolve(r) for r in allowed(statements, "s3:GetObject")] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":s3:::example-ml-artifacts/churn/model.tar.gz",
                ],
            ]
        }
    ]
    (repository,) = allowed(statements, "ecr:BatchGetImage")
    assert stack.resolve(repository) == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ecr:eu-west-1:141502667606:repository/sagemaker-xgboost",
            ],
        ]
    }
    for action in ("ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"):
        assert allowed(statements, action) == [repository]
    assert allowed(statements, "ecr:GetAuthorizationToken") == ["*"]


def test_the_image_follows_the_stacks_region():
    stack, template = synthesized("eu-west-1")
    (model,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    image = stack.resolve(model["Properties"]["PrimaryContainer"]["Image"])
    assert image == {
        "Fn::Join": [
            "",
            [
                "141502667606.dkr.ecr.eu-west-1.",
                {"Ref": "AWS::URLSuffix"},
                "/sagemaker-xgboost:1.7-1",
            ],
        ]
    }
    assert "us-east-1" not in str(template)


def test_a_region_agnostic_stack_looks_the_image_account_up_at_deploy_time():
    _stack, template = synthesized()
    (model,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    parts = model["Properties"]["PrimaryContainer"]["Image"]["Fn::Join"][1]
    (lookup,) = [part for part in parts if isinstance(part, dict) and "Fn::FindInMap" in part]
    mapping, region, _ = lookup["Fn::FindInMap"]
    assert region == {"Ref": "AWS::Region"}
    accounts = template["Mappings"][mapping]
    assert accounts["us-east-1"] == {"account": "683313688378"}
    assert accounts["cn-north-1"] == {"account": "450853457545"}
    assert {"Ref": "AWS::Region"} in parts


def test_the_model_waits_for_its_roles_policy():
    _stack, template = synthesized()
    (model,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    policies = {k for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Policy"}
    assert set(model.get("DependsOn", [])) & policies
