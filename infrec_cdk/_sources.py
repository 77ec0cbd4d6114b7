"""Where the validation rules come from: the documents each rule cites in code and in messages.

The API reference pages carry the same text as botocore's model documentation strings; the
developer guide pages add what the API reference does not say.
"""

from __future__ import annotations

_API = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/"
API_JOB = f"{_API}API_CreateInferenceRecommendationsJob.html"
API_INPUT = f"{_API}API_RecommendationJobInputConfig.html"
API_CONTAINER = f"{_API}API_RecommendationJobContainerConfig.html"
API_PAYLOAD = f"{_API}API_RecommendationJobPayloadConfig.html"
API_TRAFFIC = f"{_API}API_TrafficPattern.html"
API_PHASE = f"{_API}API_Phase.html"
API_STAIRS = f"{_API}API_Stairs.html"
API_THRESHOLD = f"{_API}API_ModelLatencyThreshold.html"
API_SERVERLESS = f"{_API}API_ProductionVariantServerlessConfig.html"
API_ENDPOINT_INPUT = f"{_API}API_EndpointInputConfiguration.html"
API_TAG = f"{_API}API_Tag.html"
_GUIDE = "https://docs.aws.amazon.com/sagemaker/latest/dg/"
GUIDE_CREATE = f"{_GUIDE}instance-recommendation-create.html"
GUIDE_PREREQUISITES = f"{_GUIDE}inference-recommender-prerequisites.html"
GUIDE_TROUBLESHOOTING = f"{_GUIDE}inference-recommender-troubleshooting.html"
GUIDE_LOAD_TEST = f"{_GUIDE}inference-recommender-load-test.html"
GUIDE_EXISTING_ENDPOINT = f"{_GUIDE}inference-recommender-existing-endpoint.html"
# The load-test page as archived in June 2023 (the current page could not be read in full): the
# only source of the ResourceLimit and MaxInvocations bounds, and of a SpawnRate 60 example.
GUIDE_LOAD_TEST_ARCHIVED = (
    "https://github.com/awsdocs/amazon-sagemaker-developer-guide/blob/"
    "a869fa5c9bd1074a85bd23748d0463e322ad8939/doc_source/inference-recommender-load-test.md"
)
# AWS-authored code that does what a stricter rule would refuse.
SDK_INTEG_TEST = (
    "https://github.com/aws/sagemaker-python-sdk/blob/master/tests/integ/"
    "test_inference_recommender.py"
)
EXAMPLE_TGI_NOTEBOOK = (
    "https://github.com/aws/amazon-sagemaker-examples/blob/main/archived/"
    "sagemaker-huggingface-tgi-hosting-examples/sagemaker-huggingface-tgi-hosting-examples.ipynb"
)
