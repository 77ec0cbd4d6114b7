"""The rule layer of the generative-AI requests: what the docs state beyond botocore's model.

One small function per rule, graded by its evidence as for the classic job (``_rules``): an
**error** only where the documentation states the refusal, a **warning** with an id a user can
acknowledge where it only instructs, is silent, or contradicts itself. Each cites its source.

The workload specification (``AIWorkloadConfigs.WorkloadSpec.Inline``) is a document of its
own; it is checked when it is a JSON object (a YAML one is left to SageMaker: no YAML parser is
a dependency of this library).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping

from infrec_cdk._ai_sources import (
    API_TAG,
    GUIDE_AI_ADAPTERS,
    GUIDE_AI_BENCHMARK,
    GUIDE_AI_CONCURRENCY,
    GUIDE_AI_OVERVIEW,
    GUIDE_AI_WORKLOAD,
)
from infrec_cdk._checks import Path, Problem, Reader, show, suggestion

__all__ = ["AI_RULES", "WORKLOAD_PARAMETERS", "AIRule"]

AIRule = Callable[[Mapping[str, object], Reader], Iterator[Problem]]

RECOMMENDATION = "CreateAIRecommendationJob"
BENCHMARK = "CreateAIBenchmarkJob"
WORKLOAD = "CreateAIWorkloadConfig"

# The workload specification's parameters, with their aliases: the reference of GUIDE_AI_WORKLOAD,
# plus those other pages of the same guide document (the find-max-concurrency search of
# GUIDE_AI_CONCURRENCY, the image and video parameters of GUIDE_AI_BENCHMARK).
WORKLOAD_PARAMETERS: frozenset[str] = frozenset(
    {
        # Token distribution
        *("prompt_input_tokens_mean", "synthetic_input_tokens_mean", "isl"),
        *("prompt_input_tokens_stddev", "synthetic_input_tokens_stddev", "isl_stddev"),
        *("output_tokens_mean", "prompt_output_tokens_mean", "osl"),
        *("output_tokens_stddev", "prompt_output_tokens_stddev", "osl_stddev"),
        # Traffic shaping
        *("concurrency", "request_count", "num_requests", "request_rate", "benchmark_duration"),
        *("max_concurrency", "request_rate_mode", "arrival_pattern", "arrival_smoothness"),
        *("vllm_burstiness", "prefill_concurrency"),
        # General
        *("streaming", "tokenizer", "hf_token", "HF_TOKEN", "request_timeout_seconds", "goodput"),
        *("benchmark_grace_period", "extra_inputs", "random_seed", "verbose"),
        *("num_conversations", "conversation_num", "num_sessions", "model_selection_strategy"),
        # Warmup
        *("warmup_duration", "warmup_request_count", "num_warmup_requests", "warmup_concurrency"),
        *("warmup_prefill_concurrency", "warmup_request_rate", "warmup_arrival_pattern"),
        *("warmup_grace_period", "num_warmup_sessions"),
        # Dataset
        *("public_dataset", "custom_dataset_type", "input_file", "dataset_sampling_strategy"),
        # Image and video inputs
        *("image_width_mean", "image_width_stddev", "image_height_mean", "image_height_stddev"),
        *("image_batch_size", "batch_size_image", "image_format"),
        *("video_batch_size", "batch_size_video", "video_duration", "video_fps", "video_width"),
        *("video_height", "video_synth_type", "video_format", "video_codec"),
        *("video_audio_sample_rate", "video_audio_num_channels", "video_audio_codec"),
        "video_audio_depth",
        # Find-max-concurrency search (GUIDE_AI_CONCURRENCY)
        *("search_recipe", "ttft_sla_ms", "tpot_sla_ms", "e2e_sla_ms", "error_rate_sla"),
        *("search_stat", "concurrency_min", "concurrency_max", "search_max_iterations"),
    }
)
_SPEC_KEYS = ("benchmark", "parameters", "secrets", "tooling")
_SLA_PARAMETERS = ("ttft_sla_ms", "tpot_sla_ms", "e2e_sla_ms", "error_rate_sla")
_SPEC: Path = ("AIWorkloadConfigs", "WorkloadSpec", "Inline")


def _mapping(read: Reader, value: object) -> Mapping[str, object]:
    return read.mapping(value) or {}


def _unique_tag_keys(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """Tag keys are unique: "Tag keys must be unique per resource." (API_TAG)."""
    seen: set[str] = set()
    for index, tag in enumerate(read.items(root.get("Tags")) or ()):
        key = read.string(_mapping(read, tag).get("Key"))
        if key is None:
            continue
        if key in seen:
            yield Problem(
                ("Tags", index, "Key"),
                f"{show(key)} is a duplicate; tag keys must be unique per resource",
                source=API_TAG,
            )
        seen.add(key)


def _unique_adapter_ids(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """``AdapterId`` "Must be unique within the request." (GUIDE_AI_ADAPTERS): an error."""
    adapters = _mapping(read, root.get("AdapterSource"))
    for member in ("S3Uris", "ModelPackageArns"):
        seen: set[str] = set()
        for index, entry in enumerate(read.items(adapters.get(member)) or ()):
            adapter_id = read.string(_mapping(read, entry).get("AdapterId"))
            if adapter_id is None:
                continue
            if adapter_id in seen:
                yield Problem(
                    ("AdapterSource", member, index, "AdapterId"),
                    f"{show(adapter_id)} is a duplicate; each adapter id must be unique in the "
                    "request (it names the adapter's inference component)",
                    source=GUIDE_AI_ADAPTERS,
                )
            seen.add(adapter_id)


def _one_performance_target(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """One performance objective: "Choose a single performance objective" (GUIDE_AI_OVERVIEW).

    The API reference takes "An array of performance constraints" and states no limit, so more
    (or none) is a warning, not an error.
    """
    constraints = read.items(_mapping(read, root.get("PerformanceTarget")).get("Constraints"))
    if constraints is None or len(constraints) == 1:
        return
    yield Problem(
        ("PerformanceTarget", "Constraints"),
        f"has {len(constraints)} constraints; the developer guide asks for a single performance "
        "objective (cost, ttft-ms or throughput) and does not say how SageMaker treats "
        f"{'none' if not constraints else 'several'}",
        source=GUIDE_AI_OVERVIEW,
        warning="infrec-cdk:performanceTargetCount",
    )


def _inference_components_listed(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """Warn about an empty list of inference components (GUIDE_AI_BENCHMARK).

    "Pass one or more inference component names or ARNs".

    botocore's model allows an empty list; the guide asks for one or more, and states that an
    inference-component endpoint benchmarked without them fails.
    """
    endpoint = _mapping(read, _mapping(read, root.get("BenchmarkTarget")).get("Endpoint"))
    components = read.items(endpoint.get("InferenceComponents"))
    if components is not None and not components:
        yield Problem(
            ("BenchmarkTarget", "Endpoint", "InferenceComponents"),
            "is an empty list; the benchmarking guide asks for one or more inference "
            "components, or none at all for an endpoint that hosts its model directly",
            source=GUIDE_AI_BENCHMARK,
            warning="infrec-cdk:emptyInferenceComponents",
        )


def _workload_spec(root: Mapping[str, object], read: Reader) -> Mapping[str, object] | None:
    """Return the workload specification, when it is a JSON object.

    Its text may hold tokens (a secret's ARN): they are strings in the JSON, checked as unknown.
    """
    workload = _mapping(read, _mapping(read, root.get("AIWorkloadConfigs")).get("WorkloadSpec"))
    spec = workload.get("Inline")
    if not isinstance(spec, str):
        return None
    try:
        parsed = json.loads(spec)
    except ValueError:
        return None  # YAML, most likely: left to SageMaker
    return parsed if isinstance(parsed, dict) else None


def _workload_spec_keys(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """Top-level keys and ``benchmark.type`` of a JSON workload specification: errors.

    GUIDE_AI_WORKLOAD: "The workload specification contains the following top-level keys.
    Unknown keys are rejected."; ``benchmark``: "Required mapping"; ``benchmark/type``:
    "Required. ... The only valid value is aiperf."
    """
    spec = _workload_spec(root, read)
    if spec is None:
        return
    for key in spec:
        if key not in _SPEC_KEYS:
            yield Problem(
                _SPEC,
                f"the workload specification has the unknown key {show(key)} (allowed: "
                f"{', '.join(_SPEC_KEYS)}); SageMaker rejects unknown keys",
                source=GUIDE_AI_WORKLOAD,
            )
    benchmark = spec.get("benchmark")
    if not isinstance(benchmark, dict):
        yield Problem(
            _SPEC,
            'the workload specification needs a "benchmark" mapping, e.g. '
            '{"benchmark": {"type": "aiperf"}}',
            source=GUIDE_AI_WORKLOAD,
        )
    elif benchmark.get("type") != "aiperf":
        yield Problem(
            _SPEC,
            f'benchmark.type is {show(benchmark.get("type"))}; the only valid value is "aiperf"',
            source=GUIDE_AI_WORKLOAD,
        )


def _workload_parameters(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """Parameter names of a JSON workload specification: warnings.

    GUIDE_AI_WORKLOAD says "Unknown parameter names are rejected", but its list leaves out
    parameters other pages of the same guide document (GUIDE_AI_CONCURRENCY's search): the list
    is not complete, so a name outside every page is a warning.
    """
    spec = _workload_spec(root, read)
    parameters = spec.get("parameters") if spec is not None else None
    if not isinstance(parameters, dict):
        return
    for name in parameters:
        if name not in WORKLOAD_PARAMETERS:
            guess = suggestion(str(name), sorted(WORKLOAD_PARAMETERS))
            hint = f" (did you mean {guess}?)" if guess else ""
            yield Problem(
                _SPEC,
                f"parameters.{name} is not a parameter the workload specification reference "
                f"(or the guide's other pages) documents{hint}; SageMaker rejects unknown "
                "parameter names, so check its spelling",
                source=GUIDE_AI_WORKLOAD,
                warning="infrec-cdk:unknownWorkloadParameter",
            )
    if parameters.get("search_recipe") is not None:
        if parameters.get("concurrency") is not None:
            yield Problem(
                _SPEC,
                "parameters.concurrency is set with a search_recipe; the guide says not to set "
                "a fixed concurrency value, since the search selects it",
                source=GUIDE_AI_CONCURRENCY,
                warning="infrec-cdk:searchWithConcurrency",
            )
        if not any(parameters.get(name) is not None for name in _SLA_PARAMETERS):
            yield Problem(
                _SPEC,
                "parameters.search_recipe needs at least one SLA threshold "
                f"({', '.join(_SLA_PARAMETERS)}), as the guide says",
                source=GUIDE_AI_CONCURRENCY,
                warning="infrec-cdk:searchWithoutSla",
            )


def _workload_secrets(root: Mapping[str, object], read: Reader) -> Iterator[Problem]:
    """``secrets`` values are Secrets Manager ARNs (GUIDE_AI_WORKLOAD): a warning otherwise.

    "Each key is a parameter name, and the value is the ARN of the secret": an instruction;
    the refusal of anything else is not stated.
    """
    spec = _workload_spec(root, read)
    secrets = spec.get("secrets") if spec is not None else None
    if not isinstance(secrets, dict):
        return
    for name, value in secrets.items():
        if read.unresolved(value):
            continue
        if not (
            isinstance(value, str) and value.startswith("arn:") and ":secretsmanager:" in value
        ):
            yield Problem(
                _SPEC,
                f"secrets.{name} is {show(value)}, not the ARN of a Secrets Manager secret as "
                "the workload specification reference asks",
                source=GUIDE_AI_WORKLOAD,
                warning="infrec-cdk:secretNotArn",
            )


AI_RULES: Mapping[str, tuple[AIRule, ...]] = {
    RECOMMENDATION: (_unique_adapter_ids, _one_performance_target, _unique_tag_keys),
    BENCHMARK: (_inference_components_listed, _unique_tag_keys),
    WORKLOAD: (_workload_spec_keys, _workload_parameters, _workload_secrets, _unique_tag_keys),
}
"""The rules of each operation's request."""
