"""Example app: an ML platform right-sizes 50 models in one stack, on one shared foundation.

One ``InferenceRecommender`` gives every job the same execution role (one merged policy), KMS key,
output bucket (a prefix per job) and security group in an existing VPC without a NAT (the VPC
endpoints are added). Half of the jobs are waited for; every job carries the platform's
cost-allocation tags, applied once with ``Tags.of``.

    cdk synth --app "python3 examples/platform_app.py"
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from infrec_cdk import (
    InferenceRecommendationsJob,
    InferenceRecommender,
    ModelSource,
    Wait,
    add_vpc_endpoints,
)

MODELS = 50
ACCOUNT = "123456789012"
REGION = "us-east-1"


def model_package(index: int, version: int = 1) -> str:
    """Return a registered model package version of the platform's ``index``-th model."""
    name = f"platform-model-{index:02d}"
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{name}/{version}"


class PlatformStack(cdk.Stack):
    """50 recommendation jobs on one foundation: half waited for, all tagged."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        models: int = MODELS,
        versions: Mapping[int, int] | None = None,
    ) -> None:
        """Right-size ``models`` models; ``versions`` maps a model to its package version."""
        super().__init__(scope, id, env=cdk.Environment(account=ACCOUNT, region=REGION))
        # The platform's existing VPC: isolated subnets, no NAT.
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id="vpc-0123456789abcdef0",
            vpc_cidr_block="10.0.0.0/16",
            availability_zones=["us-east-1a", "us-east-1b"],
            isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            isolated_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
        )
        add_vpc_endpoints(vpc)
        recommender = InferenceRecommender(self, "Recommender", vpc=vpc)
        for index in range(models):
            waits = index % 2 == 0
            InferenceRecommendationsJob(
                self,
                f"Model{index:02d}",
                model=ModelSource.from_model_package_version(
                    model_package(index, (versions or {}).get(index, 1))
                ),
                recommender=recommender,
                wait=Wait() if waits else None,
                tags={"model": f"platform-model-{index:02d}"},
            )
        cdk.Tags.of(self).add("cost-center", "ml-platform")
        cdk.Tags.of(self).add("owner", "platform-team")


if __name__ == "__main__":
    app = cdk.App()
    PlatformStack(app, "InfrecPlatform")
    app.synth()
