"""Example app: right-size a model during deployment, then host it on what was recommended.

The stack defines a SageMaker model, runs an Advanced (load-test) job on three instance types,
waits for it to finish, deploys an endpoint on the top recommendation's instance type and count,
and scales it as Inference Recommender recommends for the traffic expected — all in one
``cdk deploy``. The top recommendation and the scaling are also emitted as stack outputs.

    cdk synth --app "python3 examples/waiting_app.py"
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from infrec_cdk import (
    Autoscaling,
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

MODEL_BUCKET = "example-ml-artifacts"
MODEL_KEY = "churn/model.tar.gz"
MODEL_DATA = f"s3://{MODEL_BUCKET}/{MODEL_KEY}"
PAYLOAD = f"s3://{MODEL_BUCKET}/churn/payload.tar.gz"

# The SageMaker XGBoost 1.7-1 image lives in an AWS account of its own in each region, and
# SageMaker pulls images only from the stack's own region. Accounts as the SageMaker Python SDK
# lists them (src/sagemaker/image_uri_config/xgboost.json, "inference", "1.7-1",
# https://github.com/aws/sagemaker-python-sdk).
XGBOOST_REPOSITORY = "sagemaker-xgboost"
XGBOOST_TAG = "1.7-1"
XGBOOST_ACCOUNTS = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "ca-west-1": "190319476487",
    "cn-north-1": "450853457545",
    "cn-northwest-1": "451049120500",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "il-central-1": "898809789911",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-gov-east-1": "237065988967",
    "us-gov-west-1": "414596584902",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}


class RightSizedEndpointStack(cdk.Stack):
    """A model, the load test that sizes it, and the endpoint that hosts it."""

    def __init__(self, scope: Construct, id: str, *, env: cdk.Environment | None = None) -> None:
        super().__init__(scope, id, env=env)
        image_account = cdk.CfnMapping(
            self,
            "XgboostImageAccount",
            mapping={region: {"account": account} for region, account in XGBOOST_ACCOUNTS.items()},
            lazy=True,  # resolved at synth time when the stack's region is known
        ).find_in_map(self.region, "account")
        image = (
            f"{image_account}.dkr.ecr.{self.region}.{self.url_suffix}/"
            f"{XGBOOST_REPOSITORY}:{XGBOOST_TAG}"
        )
        model_role = iam.Role(
            self, "ModelRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        # What the model's containers need, as SageMaker's execution-role page lists it for
        # CreateModel (https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html):
        # the model artefacts, the image, and the endpoint's logs and metrics. Inference
        # Recommender may run its benchmark models with this role too.
        model_policy = iam.Policy(
            self,
            "ModelPolicy",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[f"arn:{self.partition}:s3:::{MODEL_BUCKET}/{MODEL_KEY}"],
                ),
                iam.PolicyStatement(
                    actions=[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    resources=[
                        self.format_arn(
                            service="ecr",
                            account=image_account,
                            resource="repository",
                            resource_name=XGBOOST_REPOSITORY,
                        )
                    ],
                ),
                # GetAuthorizationToken takes no resource: only "*".
                iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]),
                iam.PolicyStatement(
                    actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[
                        self.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="/aws/sagemaker/*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                ),
                iam.PolicyStatement(
                    actions=["cloudwatch:PutMetricData"],
                    resources=["*"],
                    conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
                ),
            ],
        )
        model_role.attach_inline_policy(model_policy)
        model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=model_role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=image, model_data_url=MODEL_DATA
            ),
        )
        # CloudFormation creates the model only once its role may read what it needs.
        model.node.add_dependency(model_policy)
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
        endpoint = RecommendedEndpoint(
            self,
            "Endpoint",
            job=job,
            model_name=model.attr_model_name,
            # The traffic expected: from 600 to 12,000 requests a minute.
            autoscaling=Autoscaling(
                min_invocations_per_minute=600, max_invocations_per_minute=12_000
            ),
        )
        top, scaling = job.recommended, endpoint.scaling  # the job waits: typed, never None
        if scaling is None:  # pragma: no cover - the endpoint scales
            raise RuntimeError("an endpoint given autoscaling= has a scaling recommendation")
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
        cdk.CfnOutput(self, "MinInstances", value=cdk.Token.as_string(scaling.min_capacity))
        cdk.CfnOutput(self, "MaxInstances", value=cdk.Token.as_string(scaling.max_capacity))
        cdk.CfnOutput(self, "ScalingMetric", value=scaling.predefined_metric_type)
        cdk.CfnOutput(self, "ScalingTarget", value=cdk.Token.as_string(scaling.target_value))


def main() -> None:
    """Synthesize the example."""
    app = cdk.App()
    RightSizedEndpointStack(app, "InfrecRightSizedEndpoint")
    app.synth()


if __name__ == "__main__":
    main()
