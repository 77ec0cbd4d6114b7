"""Example app: right-size an open-weights LLM while deploying, host it, benchmark it.

In one ``cdk deploy``:

1. ``AIWorkloadConfig``: the traffic to size for (token distributions, concurrency);
2. ``AIRecommendationJob``: SageMaker AI benchmarks the model from S3 on up to three GPU
   instance types, optimised for cost, and the deployment waits for its recommendations;
3. a SageMaker model from the top recommendation's model package (which holds the optimised
   container image, environment and artefacts), an endpoint configuration on its instance type
   and count, and the endpoint;
4. ``AIBenchmarkJob``: the same workload against the endpoint just deployed.

What maps from a recommendation to CloudFormation, and what does not:

- **Maps**: ``ModelDetails.ModelPackageArn`` (the model), ``DeploymentConfiguration``'s
  ``InstanceType`` and ``InstanceCount`` (the variant), as the deployment guide does it
  (GUIDE_AI_DEPLOY in ``infrec_cdk._ai_sources``).
- **Serverless**: never recommended (every instance type these jobs consider is a GPU one,
  which serverless endpoints do not offer), so there is no serverless variant to choose.
- **Inference components**: a recommendation with ``CopyCountPerInstance`` above 1, or with
  adapters, is a topology of inference components (one per copy group or adapter, with
  ``MinCpuMemoryRequiredInMb``). A template cannot choose its resources from a value known
  only at deploy time, so this example deploys one model copy per instance; the recommended
  copy count is an output (``top.copy_count_per_instance``), and a stack that expects
  components defines ``CfnInferenceComponent`` resources itself (``AIBenchmarkJob`` takes them).
- **Named inference specification**: a model package with several specifications needs
  ``InferenceSpecificationName`` (``top.inference_specification_name``); the recommended
  package is used with its default one here, since an empty name cannot be left out at
  deploy time.
- **Environment variables** come with the model package; ``top.environment_variables`` is
  JSON text, for reading, not a map CloudFormation could pass on.

    cdk synth --app "python3 examples/genai_app.py"
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from infrec_cdk import (
    AIBenchmarkJob,
    AIComputeSpec,
    AIModel,
    AIPerformanceMetric,
    AIRecommendationJob,
    AIWorkloadConfig,
    Wait,
    WorkloadSpec,
)

MODEL_BUCKET = "example-ml-artifacts"
# A HuggingFace checkpoint with SafeTensor weights, copied to S3 (e.g. `hf download`, then
# `aws s3 sync`): the form the recommendation guide asks for.
MODEL_PREFIX = "models/Qwen2.5-7B-Instruct/"
INSTANCE_TYPES = ["ml.g6e.2xlarge", "ml.g5.12xlarge", "ml.g6e.12xlarge"]


def acknowledge(construct: IConstruct, findings: dict[str, str]) -> None:
    """Acknowledge cdk-nag findings on one of this app's resources, in both forms cdk-nag reads.

    cdk-nag 3 matches the bare id; CDK's validation report, which runs the packs as plugins,
    ``<pack>::<id>``. A bare id covers every finding of its rule on the resource.
    """
    resource = construct.node.default_child or construct
    cdk.Validations.of(resource).acknowledge(
        *[
            cdk.Acknowledgment(id=form, reason=reason)
            for rule, reason in findings.items()
            for form in (rule, f"{rule.split('-', 1)[0]}::{rule}")
        ]
    )


class GenAIStack(cdk.Stack):
    """An open-weights LLM, sized by an AI recommendation job, hosted, then benchmarked."""

    def __init__(self, scope: Construct, id: str, *, env: cdk.Environment | None = None) -> None:
        super().__init__(scope, id, env=env)
        workload = AIWorkloadConfig(
            self,
            "Workload",
            workload_spec=WorkloadSpec(
                parameters={
                    "prompt_input_tokens_mean": 550,
                    "prompt_input_tokens_stddev": 150,
                    "output_tokens_mean": 150,
                    "output_tokens_stddev": 50,
                    "concurrency": 8,
                    "tokenizer": "Qwen/Qwen2.5-7B-Instruct",
                }
            ),
        )
        job = AIRecommendationJob(
            self,
            "Sizing",
            model=AIModel.from_s3(f"s3://{MODEL_BUCKET}/{MODEL_PREFIX}"),
            workload=workload,
            performance_target=AIPerformanceMetric.COST,
            compute=AIComputeSpec(instance_types=INSTANCE_TYPES),
            wait=Wait(),
        )
        top = job.recommended  # the job waits: typed tokens, never None

        model_role = iam.Role(
            self, "ModelRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        # What the hosted model needs (SageMaker's execution-role page for CreateModel,
        # https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html): its artefacts,
        # the source checkpoint and the optimised ones the job wrote to its output bucket; the
        # image, in an AWS-owned account of this region; its logs and metrics.
        model_policy = iam.Policy(
            self,
            "ModelPolicy",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject", "s3:ListBucket"],
                    resources=[
                        f"arn:{self.partition}:s3:::{MODEL_BUCKET}",
                        f"arn:{self.partition}:s3:::{MODEL_BUCKET}/{MODEL_PREFIX}*",
                        job.output_bucket.bucket_arn,
                        job.output_bucket.arn_for_objects("*"),
                    ],
                ),
                iam.PolicyStatement(
                    actions=["kms:Decrypt"],
                    resources=[] if job.encryption_key is None else [job.encryption_key.key_arn],
                ),
                iam.PolicyStatement(
                    actions=[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    resources=[
                        self.format_arn(
                            service="ecr", account="*", resource="repository", resource_name="*"
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
        # The recommended model package holds the optimised image, environment and artefacts
        # (the deployment guide's "simplest deployment path").
        model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=model_role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                model_package_name=top.model_package_arn
            ),
        )
        model.node.add_dependency(model_policy)
        # GPU instance types have local NVMe storage, which a hardware module encrypts and for
        # which SageMaker refuses or ignores a KMS key: none is given (see RecommendedEndpoint).
        endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name="AllTraffic",
                    model_name=model.attr_model_name,
                    instance_type=top.instance_type,
                    initial_instance_count=top.instance_count,
                    initial_variant_weight=1,
                )
            ],
        )
        endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint", endpoint_config_name=endpoint_config.attr_endpoint_config_name
        )
        # cdk-nag's findings on this app's own resources, acknowledged with their reasons as a
        # user would (the library acknowledges those on its own resources itself). AwsSolutions'
        # IAM5 findings on the model policy's wildcards are left for the reader: cdk-nag names
        # each by its resource as synthesized (e.g. the output bucket's logical id).
        acknowledge(
            model_policy,
            {
                "NIST.800.53.R5-IAMNoInlinePolicy": "One inline policy, for this model role only",
                "HIPAA.Security-IAMNoInlinePolicy": "One inline policy, for this model role only",
            },
        )
        no_key = (
            "The recommended GPU instance types have local NVMe storage, which a hardware module "
            "encrypts and for which SageMaker refuses or ignores a KMS key"
        )
        acknowledge(
            endpoint_config,
            {
                "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured": no_key,
                "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured": no_key,
            },
        )
        # The same workload against what was deployed; its results go next to the sizing's.
        benchmark = AIBenchmarkJob(
            self,
            "Benchmark",
            endpoint=endpoint,
            workload=workload,
            encryption_key=job.encryption_key,
            output_bucket=job.output_bucket,
        )
        cdk.CfnOutput(self, "JobArn", value=job.job_arn)
        cdk.CfnOutput(self, "RecommendedInstanceType", value=top.instance_type)
        cdk.CfnOutput(
            self, "RecommendedInstanceCount", value=cdk.Token.as_string(top.instance_count)
        )
        cdk.CfnOutput(
            self,
            "RecommendedCopiesPerInstance",
            value=cdk.Token.as_string(top.copy_count_per_instance),
        )
        cdk.CfnOutput(self, "RecommendedModelPackage", value=top.model_package_arn)
        cdk.CfnOutput(self, "ExpectedPerformance", value=top.expected_performance)
        cdk.CfnOutput(self, "ResultsArchive", value=top.archive_uri)
        cdk.CfnOutput(self, "EndpointName", value=endpoint.attr_endpoint_name)
        cdk.CfnOutput(self, "BenchmarkJobArn", value=benchmark.job_arn)


def main() -> None:
    """Synthesize the example."""
    app = cdk.App()
    GenAIStack(app, "InfrecGenAI")
    app.synth()


if __name__ == "__main__":
    main()
