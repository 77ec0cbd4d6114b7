"""Synth-time validation of the generative-AI requests: botocore's model, unions, the rules."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from infrec_cdk._ai_rules import WORKLOAD_PARAMETERS
from infrec_cdk._ai_validation import AI_OPERATIONS, validate_ai_request
from infrec_cdk._api_model import ShapeNode, operation_input_shape

ROLE = "arn:aws:iam::111122223333:role/ExampleRole"
PACKAGE = "arn:aws:sagemaker:us-west-2:111122223333:model-package/x/1"
UNRESOLVED = "${Token[TOKEN.42]}"


def unresolved(value: object) -> bool:
    return isinstance(value, str) and "${Token[" in value


def recommendation(**overrides: Any) -> dict[str, Any]:
    """The guide's own example request (GUIDE_AI_GET_STARTED), minus its name."""
    request: dict[str, Any] = {
        "ModelSource": {"S3": {"S3Uri": "s3://DOC-EXAMPLE-BUCKET/models/my-model/"}},
        "OutputConfig": {"S3OutputLocation": "s3://DOC-EXAMPLE-BUCKET/recommendations/"},
        "PerformanceTarget": {"Constraints": [{"Metric": "ttft-ms"}]},
        "AIWorkloadConfigIdentifier": "my-recommendation-workload",
        "RoleArn": ROLE,
    }
    return request | overrides


def benchmark(**overrides: Any) -> dict[str, Any]:
    """The benchmarking guide's inference-component example (GUIDE_AI_BENCHMARK)."""
    request: dict[str, Any] = {
        "BenchmarkTarget": {
            "Endpoint": {
                "Identifier": "my-multi-model-endpoint",
                "InferenceComponents": [{"Identifier": "my-inference-component-llama"}],
            }
        },
        "OutputConfig": {"S3OutputLocation": "s3://DOC-EXAMPLE-BUCKET/benchmark-results/"},
        "AIWorkloadConfigIdentifier": "my-benchmark-config",
        "RoleArn": ROLE,
    }
    return request | overrides


def workload(spec: object, **overrides: Any) -> dict[str, Any]:
    text = spec if isinstance(spec, str) else json.dumps(spec)
    return {"AIWorkloadConfigs": {"WorkloadSpec": {"Inline": text}}} | overrides


NAMES = {
    "CreateAIRecommendationJob": "AIRecommendationJobName",
    "CreateAIBenchmarkJob": "AIBenchmarkJobName",
    "CreateAIWorkloadConfig": "AIWorkloadConfigName",
}


def check(operation: str, request: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    report = validate_ai_request(
        operation, request, generated=[NAMES[operation]], is_unresolved=unresolved
    )
    return list(report.errors), [(w.id, w.message) for w in report.warnings]


# --- The AWS documentation's own requests pass --------------------------------------------------

DOCUMENTED_SPECS = [
    # GUIDE_AI_WORKLOAD, inline parameters
    {
        "benchmark": {"type": "aiperf"},
        "parameters": {
            "prompt_input_tokens_mean": 550,
            "prompt_input_tokens_stddev": 150,
            "output_tokens_mean": 150,
            "output_tokens_stddev": 50,
        },
    },
    # GUIDE_AI_WORKLOAD, the reference's syntax example
    {
        "benchmark": {"type": "aiperf"},
        "parameters": {
            "prompt_input_tokens_mean": 550,
            "prompt_input_tokens_stddev": 150.0,
            "output_tokens_mean": 150,
            "output_tokens_stddev": 50.0,
            "concurrency": 10,
            "request_count": 100,
            "request_rate": 5.0,
            "benchmark_duration": 120,
            "streaming": True,
            "tokenizer": "meta-llama/Llama-3.2-1B",
        },
        "secrets": {
            "hf_token": "arn:aws:secretsmanager:us-west-2:111122223333:secret:my-hf-token-AbCdEf"
        },
        "tooling": {"api_standard": "openai"},
    },
    # GUIDE_AI_CONCURRENCY, the find-max search
    {
        "benchmark": {"type": "aiperf"},
        "parameters": {
            "tokenizer": "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
            "streaming": True,
            "prompt_input_tokens_mean": 128,
            "output_tokens_mean": 256,
            "search_recipe": "max-concurrency-under-sla",
            "e2e_sla_ms": 5000,
            "ttft_sla_ms": 1000,
            "search_stat": "p99",
            "concurrency_min": 1,
            "concurrency_max": 256,
            "search_max_iterations": 15,
        },
    },
    # GUIDE_AI_BENCHMARK, synthetic video with audio
    {
        "benchmark": {"type": "aiperf"},
        "parameters": {
            "video_width": 640,
            "video_height": 480,
            "video_fps": 4,
            "video_duration": 5.0,
            "video_audio_num_channels": 1,
            "video_audio_sample_rate": 16000,
            "concurrency": 4,
            "request_count": 50,
            "streaming": True,
            "tokenizer": "meta-llama/Llama-3.2-1B",
        },
    },
]


@pytest.mark.parametrize("spec", DOCUMENTED_SPECS)
def test_documented_workload_specifications_pass(spec):
    assert check("CreateAIWorkloadConfig", workload(spec)) == ([], [])


def test_documented_dataset_workload_passes():
    request = workload(
        DOCUMENTED_SPECS[0],
        DatasetConfig={
            "InputDataConfig": [
                {
                    "ChannelName": "traffic",
                    "DataSource": {
                        "S3DataSource": {"S3Uri": "s3://DOC-EXAMPLE-BUCKET/datasets/traffic-trace/"}
                    },
                }
            ]
        },
    )
    assert check("CreateAIWorkloadConfig", request) == ([], [])


def test_documented_recommendation_requests_pass():
    adapters = {
        "S3Uris": [
            {"AdapterId": "sql", "S3Uri": "s3://amzn-s3-demo-bucket/adapters/sql/"},
            {"AdapterId": "chat", "S3Uri": "s3://amzn-s3-demo-bucket/adapters/chat/"},
        ]
    }
    mlflow = {
        "MlflowResourceArn": "arn:aws:sagemaker:us-west-2:111122223333:mlflow-app/app-EXAMPLE",
        "MlflowExperimentName": "my-recommendation-experiment",
        "MlflowRunName": "my-recommendation-job-run",
    }
    output = {"S3OutputLocation": "s3://DOC-EXAMPLE-BUCKET/recommendations/"}
    for request in (
        recommendation(),
        recommendation(AdapterSource=adapters),
        recommendation(OutputConfig=output | {"MlflowConfig": mlflow}),
        recommendation(ComputeSpec={"InstanceTypes": ["ml.g5.12xlarge", "ml.p4d.24xlarge"]}),
    ):
        assert check("CreateAIRecommendationJob", request) == ([], [])


def test_documented_benchmark_requests_pass():
    assert check("CreateAIBenchmarkJob", benchmark()) == ([], [])
    plain = benchmark(BenchmarkTarget={"Endpoint": {"Identifier": "my-sagemaker-endpoint"}})
    assert check("CreateAIBenchmarkJob", plain) == ([], [])


# --- botocore's model ---------------------------------------------------------------------------


def test_model_constraints_are_errors_with_field_paths():
    request = recommendation(
        ComputeSpec={"InstanceTypes": ["ml.g5.xlarge", "ml.g5.2xlarge", "ml.g6.xlarge", "ml.m5"]},
        PerformanceTarget={"Constraints": [{"Metric": "latency"}]},
        AIRecommendationJobName="not_valid",
        Surprise=1,
    )
    errors, _ = check("CreateAIRecommendationJob", request)
    assert "ComputeSpec.InstanceTypes: must have at most 3 items (it has 4)" in errors
    assert any(e.startswith("ComputeSpec.InstanceTypes[3]: 'ml.m5' is not") for e in errors)
    assert any(e.startswith("PerformanceTarget.Constraints[0].Metric: 'latency'") for e in errors)
    assert any(e.startswith("AIRecommendationJobName: 'not_valid' must match") for e in errors)
    assert any(e.startswith("Surprise: is not a member") for e in errors)


def test_name_may_be_left_out_only_when_generated():
    report = validate_ai_request("CreateAIBenchmarkJob", benchmark())
    assert report.errors == ("AIBenchmarkJobName: is required",)
    assert check("CreateAIBenchmarkJob", benchmark()) == ([], [])


def test_required_members_are_named():
    errors, _ = check("CreateAIRecommendationJob", {"ModelSource": {"S3": {"S3Uri": "s3://b/m/"}}})
    assert {
        "OutputConfig: is required",
        "AIWorkloadConfigIdentifier: is required",
        "PerformanceTarget: is required",
        "RoleArn: is required",
    } <= set(errors)


def test_a_union_with_no_member_or_two_is_an_error():
    none, _ = check("CreateAIRecommendationJob", recommendation(ModelSource={}))
    assert none == [
        "ModelSource: must set exactly one of S3 (AIModelSource is a union); it sets none"
    ]
    both, _ = check(
        "CreateAIRecommendationJob",
        recommendation(
            AdapterSource={
                "S3Uris": [{"AdapterId": "a", "S3Uri": "s3://b/a/"}],
                "ModelPackageArns": [
                    {
                        "AdapterId": "b",
                        "ModelPackageArn": PACKAGE,
                    }
                ],
            }
        ),
    )
    assert both == [
        (
            "AdapterSource: must set exactly one of ModelPackageArns, S3Uris (AIAdapterSource is a "
            "union); it sets S3Uris, ModelPackageArns"
        )
    ]
    target, _ = check("CreateAIBenchmarkJob", benchmark(BenchmarkTarget={}))
    assert target == [
        (
            "BenchmarkTarget: must set exactly one of Endpoint (AIBenchmarkTarget is a union); it "
            "sets none"
        )
    ]


def test_a_token_is_not_checked():
    request = recommendation(ModelSource=UNRESOLVED, AIWorkloadConfigIdentifier=UNRESOLVED)
    assert check("CreateAIRecommendationJob", request) == ([], [])


def _nodes(node: ShapeNode, seen: set[str]) -> list[ShapeNode]:
    if node.name in seen:
        return []
    seen.add(node.name)
    found = [node]
    for child in [*node.members.values(), *([node.item] if node.item else [])]:
        found += _nodes(child, seen)
    return found


@pytest.mark.parametrize("operation", AI_OPERATIONS)
def test_unions_are_botocores_tagged_unions(operation):
    model = botocore.session.get_session().get_service_model("sagemaker")
    for node in _nodes(operation_input_shape(operation), set()):
        if node.kind == "structure":
            shape: Any = model.shape_for(node.name)
            assert node.union == shape.is_tagged_union, node.name


# --- The rules ----------------------------------------------------------------------------------


def test_duplicate_adapter_ids_are_an_error_citing_the_adapters_guide():
    adapters = {
        "S3Uris": [
            {"AdapterId": "sql", "S3Uri": "s3://b/sql/"},
            {"AdapterId": "sql", "S3Uri": "s3://b/sql2/"},
        ]
    }
    errors, _ = check("CreateAIRecommendationJob", recommendation(AdapterSource=adapters))
    assert errors == [
        (
            "AdapterSource.S3Uris[1].AdapterId: 'sql' is a duplicate; each adapter id must be "
            "unique in the request (it names the adapter's inference component) (source: "
            "https://docs.aws.amazon.com/sagemaker/latest/dg/"
            "generative-ai-inference-recommendations-adapters.html)"
        )
    ]


@pytest.mark.parametrize("operation", AI_OPERATIONS)
def test_duplicate_tag_keys_are_an_error(operation):
    base = {
        "CreateAIRecommendationJob": recommendation(),
        "CreateAIBenchmarkJob": benchmark(),
        "CreateAIWorkloadConfig": workload(DOCUMENTED_SPECS[0]),
    }[operation]
    tags = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    errors, _ = check(operation, base | {"Tags": tags})
    assert [e.split(";")[0] for e in errors] == ["Tags[1].Key: 'team' is a duplicate"]


@pytest.mark.parametrize("count", [0, 2])
def test_other_than_one_performance_target_is_a_warning(count):
    constraints = [{"Metric": "cost"}, {"Metric": "throughput"}][:count]
    request = recommendation(PerformanceTarget={"Constraints": constraints})
    errors, warnings = check("CreateAIRecommendationJob", request)
    assert errors == []
    assert [w for w, _ in warnings] == ["infrec-cdk:performanceTargetCount"]


def test_an_empty_inference_component_list_is_a_warning():
    target = {"Endpoint": {"Identifier": "e", "InferenceComponents": []}}
    errors, warnings = check("CreateAIBenchmarkJob", benchmark(BenchmarkTarget=target))
    assert errors == []
    assert [w for w, _ in warnings] == ["infrec-cdk:emptyInferenceComponents"]


def test_workload_specification_keys_and_benchmark_type_are_errors():
    spec = {"benchmark": {"type": "locust"}, "traffic": {}}
    errors, _ = check("CreateAIWorkloadConfig", workload(spec))
    assert [e.split(" (source")[0] for e in errors] == [
        (
            "AIWorkloadConfigs.WorkloadSpec.Inline: the workload specification has the unknown key "
            "'traffic' (allowed: benchmark, parameters, secrets, tooling); SageMaker rejects "
            "unknown keys"
        ),
        (
            "AIWorkloadConfigs.WorkloadSpec.Inline: benchmark.type is 'locust'; the only valid "
            'value is "aiperf"'
        ),
    ]
    missing, _ = check("CreateAIWorkloadConfig", workload({"parameters": {}}))
    assert len(missing) == 1
    assert 'needs a "benchmark" mapping' in missing[0]


def test_an_undocumented_parameter_is_a_warning_with_a_suggestion():
    spec = {"benchmark": {"type": "aiperf"}, "parameters": {"concurency": 10}}
    errors, warnings = check("CreateAIWorkloadConfig", workload(spec))
    assert errors == []
    assert warnings[0][0] == "infrec-cdk:unknownWorkloadParameter"
    assert "(did you mean concurrency?)" in warnings[0][1]


def test_a_search_with_a_fixed_concurrency_and_no_sla_warns_twice():
    spec = {
        "benchmark": {"type": "aiperf"},
        "parameters": {"search_recipe": "max-concurrency-under-sla", "concurrency": 8},
    }
    _, warnings = check("CreateAIWorkloadConfig", workload(spec))
    assert [w for w, _ in warnings] == [
        "infrec-cdk:searchWithConcurrency",
        "infrec-cdk:searchWithoutSla",
    ]


def test_a_secret_that_is_no_arn_warns_and_a_token_does_not():
    spec = {
        "benchmark": {"type": "aiperf"},
        "secrets": {"hf_token": "hf_plaintext", "b": UNRESOLVED},
    }
    errors, warnings = check("CreateAIWorkloadConfig", workload(spec))
    assert errors == []
    assert [w for w, _ in warnings] == ["infrec-cdk:secretNotArn"]
    assert "secrets.hf_token" in warnings[0][1]


def test_a_yaml_specification_is_left_to_sagemaker():
    spec = "benchmark:\n  type: locust\nunknown: 1\n"
    assert check("CreateAIWorkloadConfig", workload(spec)) == ([], [])


def test_the_documented_parameters_include_every_alias_of_the_reference():
    assert {"isl", "osl", "num_requests", "HF_TOKEN", "batch_size_video"} <= WORKLOAD_PARAMETERS
