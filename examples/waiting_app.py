"""Example app: right-size a model during deployment, then host it on what was recommended.

The stack defines a SageMaker model, runs an Advanced (load-test) job on three instance types,
waits for it to finish, and deploys an endpoint on the top recommendation's instance type and
count — all in one ``cdk deploy``. The top recommendation is also emitted as stack outputs.

    cdk synth --app "python3 examples/waiting_app.py"
"""

from __future__ import annotations

# infrec_cdk first: importing it points jsii at a supported Node.js before aws_cdk starts jsii.
from infrec_cdk import (
    ContainerConfig,
    EndpointConfiguration,
    InferenceRecommendationsJob,
    ModelSource,
    Objective,
    PayloadConfig,
    Phase,
    RecommendedEndpoint,
    StoppingConditions,
    TrafficPattern,
    Wait,
)

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
MODEL_DATA = "s3://example-ml-artifacts/churn/model.tar.gz"
PAYLOAD = "s3://example-ml-artifacts/churn/payload.tar.gz"


class RightSizedEndpointStack(cdk.Stack):
    """A model, the load test that sizes it, and the endpoint that hosts it."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        model_role = iam.Role(
            self, "ModelRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=model_role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=IMAGE, model_data_url=MODEL_DATA
            ),
        )
        job = InferenceRecommendationsJob(
            self,
            "LoadTest",
            model=ModelSource.from_model(model),
            container_config=ContainerConfig(
                domain="MACHINE_LEARNING",
                task="CLASSIFICATION",
                framework="XGBOOST",
                payload_config=PayloadConfig(
                    sample_payload_url=PAYLOAD, supported_content_types=["text/csv"]
                ),
            ),
            job_duration=cdk.Duration.hours(2),
            endpoint_configurations=[
                EndpointConfiguration.instance("ml.c5.xlarge"),
                EndpointConfiguration.instance("ml.c6i.xlarge"),
                EndpointConfiguration.instance("ml.m5.xlarge"),
            ],
            traffic_pattern=TrafficPattern.phases(
                [Phase(duration=cdk.Duration.minutes(5), initial_number_of_users=1, spawn_rate=1)]
            ),
            stopping_conditions=StoppingConditions(max_invocations=3000),
            wait=Wait(objective=Objective.LOWEST_COST_PER_INFERENCE),
        )
        endpoint = RecommendedEndpoint(self, "Endpoint", job=job, model_name=model.attr_model_name)
        top = job.top_recommendation
        if top is None:  # pragma: no cover - the job waits
            raise RuntimeError("a waiting job has a top recommendation")
        cdk.CfnOutput(self, "JobArn", value=job.job_arn)
        cdk.CfnOutput(self, "RecommendedInstanceType", value=top.instance_type)
        cdk.CfnOutput(
            self,
            "RecommendedInstanceCount",
            value=cdk.Token.as_string(top.initial_instance_count),
        )
        cdk.CfnOutput(self, "RecommendedCostPerHour", value=top.cost_per_hour)
        cdk.CfnOutput(self, "RecommendedCostPerInference", value=top.cost_per_inference)
        cdk.CfnOutput(self, "ResultsArchive", value=top.archive_uri)
        cdk.CfnOutput(self, "EndpointName", value=endpoint.endpoint_name)


def main() -> None:
    """Synthesize the example."""
    app = cdk.App()
    RightSizedEndpointStack(app, "InfrecRightSizedEndpoint")
    app.synth()


if __name__ == "__main__":
    main()
