"""The table of kinds (``lambda/kinds.py``) agrees with botocore's model; AI selection, pure."""

from __future__ import annotations

import math

import ai_selection
import botocore.session
import kinds
import pytest
from botocore.model import ServiceModel, StringShape, StructureShape

KINDS = list(kinds.KINDS.values())
by_kind = pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.resource_type)


@pytest.fixture(scope="module")
def model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


def _structure(model: ServiceModel, operation: str, side: str) -> StructureShape:
    operation_model = model.operation_model(operation)
    shape = operation_model.input_shape if side == "input" else operation_model.output_shape
    assert isinstance(shape, StructureShape)
    return shape


@by_kind
def test_every_operation_takes_the_name_and_answers_the_arn(model, kind):
    operations = [kind.create, kind.describe, kind.stop, kind.delete]
    for operation in filter(None, operations):
        assert kind.name_member in _structure(model, operation, "input").members, operation
    assert kind.create_arn_member in _structure(model, kind.create, "output").required_members
    describe = _structure(model, kind.describe, "output")
    assert kind.arn_member in describe.required_members
    assert kind.name_member in describe.members
    assert "Tags" in _structure(model, kind.create, "input").members  # takes_tags
    assert kind.list in model.operation_names


@by_kind
def test_names_are_bounded_as_the_model_bounds_them(model, kind):
    name = _structure(model, kind.create, "input").members[kind.name_member]
    assert isinstance(name, StringShape)
    assert name.metadata["max"] == kind.name_max
    assert kind.is_name("a" * kind.name_max)
    assert not kind.is_name("a" * (kind.name_max + 1))
    assert not kind.is_name("infrec-cdk:no-job:0123456789ab")


@by_kind
def test_statuses_are_the_models_enum(model, kind):
    if kind.status_member is None:
        assert kind.stop is None
        assert kind.status_member not in _structure(model, kind.describe, "output").members
        return
    status = _structure(model, kind.describe, "output").members[kind.status_member]
    enum = set(status.metadata["enum"])
    # Every status is running, stopping or finished, exactly one of them.
    assert kind.running | kind.stopping | kind.finished == enum
    assert len(kind.running) + len(kind.stopping) + len(kind.finished) == len(enum)
    assert kind.ended <= kind.finished
    assert kind.completed in kind.ended


def test_an_unknown_or_missing_type_is_the_classic_job():
    assert kinds.of("Custom::Something") is kinds.CLASSIC
    assert kinds.of(None) is kinds.CLASSIC
    assert kinds.of("Custom::AIBenchmarkJob") is kinds.AI_BENCHMARK_JOB


def test_the_cli_hint_names_the_kinds_own_command():
    assert kinds.AI_RECOMMENDATION_JOB.cli("j") == (
        "aws sagemaker describe-ai-recommendation-job --ai-recommendation-job-name j"
    )
    assert kinds.CLASSIC.cli("j") == (
        "aws sagemaker describe-inference-recommendations-job --job-name j"
    )


# -- AI selection (pure) ---------------------------------------------------------------------------


def _recommendation(throughput: str, ttft: str | None = None) -> dict[str, object]:
    performance = [{"Metric": "throughput", "Stat": "average", "Value": throughput}]
    if ttft is not None:
        performance.append({"Metric": "ttft", "Stat": "p50", "Value": ttft, "Unit": "ms"})
    return {"ExpectedPerformance": performance}


def test_an_objective_ranks_on_a_metric_and_ties_keep_sagemakers_order():
    found = ai_selection.candidates(
        {
            "Recommendations": [
                _recommendation("10", "30"),
                _recommendation("30", "20"),
                _recommendation("30", "20"),
                _recommendation("not a number", "10"),
            ]
        }
    )

    highest = ai_selection.select(found, "Highest:throughput")
    lowest = ai_selection.select(found, "Lowest:ttft@p50")

    assert isinstance(highest, ai_selection.AICandidate)
    assert highest.index == 1  # 30 twice: the first wins; the text value never does
    assert isinstance(lowest, ai_selection.AICandidate)
    assert lowest.index == 3
    assert math.isnan(found[3].performance[("throughput", "average")][0])


@pytest.mark.parametrize(
    ("objective", "words"),
    [
        ("Fastest", "unknown objective"),
        ("Lowest:", "unknown objective"),
        ("Lowest:ttft@p99", "metrics found: throughput@average, ttft@p50"),
    ],
)
def test_an_objective_no_recommendation_meets_says_why(objective, words):
    found = ai_selection.candidates({"Recommendations": [_recommendation("1", "2")]})

    assert words in str(ai_selection.select(found, objective))


def test_a_job_without_recommendations_says_so():
    assert ai_selection.select([], "") == "the job finished without any recommendation"
