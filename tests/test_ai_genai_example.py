"""``examples/genai_app.py``: sized by the recommendation, benchmarked as deployed, lint-clean."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.cfn_lint_gate import cfn_lint_findings
from tests.example_stacks import ENV, load_example
from tests.iam_reference import check_template
from tests.test_nag import findings


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = load_example("genai_app").GenAIStack(cdk.App(), "InfrecGenAI", env=ENV)
    return dict(Template.from_stack(stack).to_json())


def only(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = [(lid, r) for lid, r in template["Resources"].items() if r["Type"] == kind]
    return found


def test_the_endpoint_is_sized_by_the_top_recommendation(template):
    results, _ = only(template, "Custom::InferenceRecommendationsResults")
    _, config = only(template, "AWS::SageMaker::EndpointConfig")
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["InstanceType"] == {"Fn::GetAtt": [results, "InstanceType"]}
    assert variant["InitialInstanceCount"] == {"Fn::GetAtt": [results, "InstanceCount"]}
    _, model = only(template, "AWS::SageMaker::Model")
    assert model["Properties"]["PrimaryContainer"] == {
        "ModelPackageName": {"Fn::GetAtt": [results, "ModelPackageArn"]}
    }


def test_the_benchmark_targets_the_deployed_endpoint_with_the_sizing_workload(template):
    endpoint, _ = only(template, "AWS::SageMaker::Endpoint")
    workload, _ = only(template, "Custom::AIWorkloadConfig")
    _, benchmark = only(template, "Custom::AIBenchmarkJob")
    request = benchmark["Properties"]["Request"]
    assert request["BenchmarkTarget"] == {
        "Endpoint": {"Identifier": {"Fn::GetAtt": [endpoint, "EndpointName"]}}
    }
    assert request["AIWorkloadConfigIdentifier"] == {"Fn::GetAtt": [workload, "Name"]}
    _, job = only(template, "Custom::AIRecommendationJob")
    assert job["Properties"]["Request"]["ComputeSpec"] == {
        "InstanceTypes": ["ml.g6e.2xlarge", "ml.g5.12xlarge", "ml.g6e.12xlarge"]
    }


def test_the_example_is_cfn_lint_clean_and_its_policies_match_the_reference(template):
    assert cfn_lint_findings(template) == []
    assert check_template(template) == []


@pytest.mark.parametrize("pack", ["AwsSolutions", "NIST.800.53.R5", "HIPAA.Security"])
def test_cdk_nag_finds_only_the_model_policys_wildcards_left_for_the_reader(pack):
    # The example acknowledges its own endpoint configuration (no KMS key on NVMe GPU types) and
    # its model role's inline policy; what the library creates passes the packs by itself. Left:
    # AwsSolutions-IAM5 on the model policy's wildcards (S3 prefixes, ECR, logs), named by the
    # synthesized resources, which a user acknowledges in their own app.
    app = cdk.App()
    stack = load_example("genai_app").GenAIStack(app, "InfrecGenAI", env=ENV)
    app.synth()
    found = findings(stack, pack)
    if pack != "AwsSolutions":
        assert found == []
        return
    assert found
    assert {f["path"] for f in found} == {"InfrecGenAI/ModelPolicy/Resource"}
    assert all(str(f["rule"]).startswith("AwsSolutions-IAM5[Resource::") for f in found)
