"""infrec-cdk: run SageMaker Inference Recommender jobs from AWS CDK stacks.

``InferenceRecommendationsJob`` is the construct; the other names are the typed values of the
request's nested shapes and the error raised for bad input.
"""

# jsii starts Node.js at the first `import aws_cdk`: prefer the pip-installed, supported one.
from infrec_cdk._node import use_bundled_node

use_bundled_node()

from infrec_cdk._config import (  # noqa: E402  (after choosing Node.js, on purpose)
    ContainerConfig,
    EndpointConfiguration,
    FlatInvocations,
    InstanceType,
    JobType,
    LatencyPercentile,
    ModelLatencyThreshold,
    ModelSource,
    PayloadConfig,
    Phase,
    ResourceLimit,
    ServerlessConfig,
    Stairs,
    StoppingConditions,
    SupportedEndpointType,
    TrafficPattern,
    TrafficType,
)
from infrec_cdk._endpoint import RecommendedEndpoint  # noqa: E402
from infrec_cdk._errors import InfrecValidationError, install_excepthook  # noqa: E402
from infrec_cdk._job import RESOURCE_TYPE, InferenceRecommendationsJob  # noqa: E402
from infrec_cdk._network import VpcEndpoints, add_vpc_endpoints  # noqa: E402
from infrec_cdk._recommender import InferenceRecommender  # noqa: E402
from infrec_cdk._waiting import (  # noqa: E402
    RESULTS_RESOURCE_TYPE,
    Objective,
    TopRecommendation,
    Wait,
)

install_excepthook()

__all__ = [
    "RESOURCE_TYPE",
    "RESULTS_RESOURCE_TYPE",
    "ContainerConfig",
    "EndpointConfiguration",
    "FlatInvocations",
    "InferenceRecommendationsJob",
    "InferenceRecommender",
    "InfrecValidationError",
    "InstanceType",
    "JobType",
    "LatencyPercentile",
    "ModelLatencyThreshold",
    "ModelSource",
    "Objective",
    "PayloadConfig",
    "Phase",
    "RecommendedEndpoint",
    "ResourceLimit",
    "ServerlessConfig",
    "Stairs",
    "StoppingConditions",
    "SupportedEndpointType",
    "TopRecommendation",
    "TrafficPattern",
    "TrafficType",
    "VpcEndpoints",
    "Wait",
    "add_vpc_endpoints",
]
