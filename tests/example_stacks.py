"""Every example stack the security gates (cdk-nag, cfn-lint) check.

A new example is one entry in ``EXAMPLE_STACKS``: a name and a function that builds the stack in
the given app. Each stack's own (user-side) resources are imported, not created, so that every
resource cdk-nag and cfn-lint see is one infrec-cdk creates.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from app import EXAMPLE_MODEL_PACKAGE, ExampleStack
from infrec_cdk import (
    AIAdapter,
    AIBenchmarkJob,
    AIComputeSpec,
    AIModel,
    AIPerformanceMetric,
    AIRecommendationJob,
    AIWorkloadConfig,
    AIWorkloadDataset,
    Autoscaling,
    ContainerConfig,
    InferenceRecommendationsJob,
    ModelSource,
    PayloadConfig,
    RecommendedEndpoint,
    SupportedEndpointType,
    Wait,
    WorkloadSpec,
    add_vpc_endpoints,
)

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")

StackFactory = Callable[[cdk.App], cdk.Stack]


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"examples_{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


platform_app = load_example("platform_app")

# The example model's container: an XGBoost classifier with a CSV sample payload.
CHURN_CONTAINER = ContainerConfig(
    domain="MACHINE_LEARNING",
    task="CLASSIFICATION",
    framework="XGBOOST",
    payload_config=PayloadConfig(
        sample_payload_url="s3://example-ml-artifacts/churn/payload.tar.gz",
        supported_content_types=["text/csv"],
    ),
)


def default_stack(app: cdk.App) -> cdk.Stack:
    """The example app's own stack (``app.py`` without a request)."""
    return ExampleStack(app, "InfrecExample")


def request_stack(path: Path) -> StackFactory:
    """The example app's stack for the request file at ``path`` (``cdk synth -c request=``)."""

    def build(app: cdk.App) -> cdk.Stack:
        return ExampleStack(
            app, "InfrecExample", request=json.loads(path.read_text(encoding="utf-8"))
        )

    return build


def bring_your_own_stack(app: cdk.App) -> cdk.Stack:
    """Role, key and output bucket given (existing ones), the key also for the handler's logs."""
    stack = cdk.Stack(app, "InfrecBringYourOwn", env=ENV)
    key = kms.Key.from_key_arn(
        stack,
        "Key",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(EXAMPLE_MODEL_PACKAGE),
        role=iam.Role.from_role_arn(stack, "Role", f"arn:aws:iam::{ACCOUNT}:role/recommender"),
        encryption_key=key,
        output_bucket=s3.Bucket.from_bucket_name(stack, "Outputs", "example-recommender-outputs"),
        log_encryption_key=key,
    )
    return stack


def hardened_stack(app: cdk.App) -> cdk.Stack:
    """Everything created, plus server access logs and a customer managed key for the logs."""
    stack = cdk.Stack(app, "InfrecHardened", env=ENV)
    log_key = kms.Key(
        stack, "LogKey", enable_key_rotation=True, description="Example: handler log group key"
    )
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(EXAMPLE_MODEL_PACKAGE),
        container_config=CHURN_CONTAINER,
        access_logs_bucket=s3.Bucket.from_bucket_name(
            stack, "AccessLogs", "example-s3-access-logs"
        ),
        log_encryption_key=log_key,
    )
    return stack


def vpc_stack(app: cdk.App) -> cdk.Stack:
    """An existing VPC whose subnets have no NAT, with the VPC endpoints added."""
    stack = cdk.Stack(app, "InfrecVpc", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.0.0.0/16",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        isolated_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )
    add_vpc_endpoints(vpc)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(EXAMPLE_MODEL_PACKAGE),
        vpc=vpc,
    )
    return stack


def existing_model_stack(app: cdk.App) -> cdk.Stack:
    """A model the app defines, with an execution role of its own, right-sized by name."""
    stack = cdk.Stack(app, "InfrecModel", env=ENV)
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/churn-model",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            model_data_url="s3://example-ml-artifacts/churn/model.tar.gz",
        ),
        enable_network_isolation=True,
    )
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model(model),
        container_config=CHURN_CONTAINER,
    )
    return stack


def sample_payload_stack(app: cdk.App) -> cdk.Stack:
    """A sample payload from local disk (``PayloadConfig.from_asset``), published as an asset."""
    stack = cdk.Stack(app, "InfrecSamplePayload", env=ENV)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_name("churn-xgboost"),
        container_config=ContainerConfig(
            domain="MACHINE_LEARNING",
            task="CLASSIFICATION",
            framework="XGBOOST",
            payload_config=PayloadConfig.from_asset(
                ROOT / "examples" / "churn-payload", supported_content_types=["text/csv"]
            ),
        ),
    )
    return stack


def waiting_stack(app: cdk.App) -> cdk.Stack:
    """A job the deployment waits for, and an endpoint sized and scaled by its recommendations."""
    stack = cdk.Stack(app, "InfrecWaiting", env=ENV)
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(EXAMPLE_MODEL_PACKAGE),
        wait=Wait(endpoint_type=SupportedEndpointType.REAL_TIME),
    )
    RecommendedEndpoint(
        stack,
        "Endpoint",
        job=job,
        model_name="churn-xgboost",
        encryption_key=job.encryption_key,
        autoscaling=Autoscaling(
            min_invocations_per_minute=100,
            max_invocations_per_minute=6000,
            target_cpu_utilization_per_core=60,
        ),
    )
    return stack


def ai_stack(app: cdk.App) -> cdk.Stack:
    """Generative AI: a workload with a dataset and a secret, a waiting recommendation job with
    an adapter, and a benchmark of an existing endpoint from an existing VPC."""
    stack = cdk.Stack(app, "InfrecAI", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        isolated_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )
    token = secretsmanager.Secret.from_secret_complete_arn(
        stack, "HfToken", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:hf-token-AbCdEf"
    )
    workload = AIWorkloadConfig(
        stack,
        "AIWorkload",
        workload_spec=WorkloadSpec(
            parameters={"prompt_input_tokens_mean": 550, "output_tokens_mean": 150},
            secrets={"hf_token": token},
        ),
        datasets=[AIWorkloadDataset.from_s3("traffic", "s3://example-ml-datasets/traffic/")],
    )
    AIRecommendationJob(
        stack,
        "AIRecommendation",
        model=AIModel.from_s3("s3://example-ml-artifacts/llama-3-8b/"),
        workload=workload,
        performance_target=AIPerformanceMetric.COST,
        adapters=[AIAdapter.from_s3("sql", "s3://example-ml-artifacts/adapters/sql/")],
        compute=AIComputeSpec(instance_types=["ml.g6e.2xlarge", "ml.g5.12xlarge"]),
        model_package_group="llama-recommended",
        wait=Wait(),
    )
    AIBenchmarkJob(
        stack, "AIBenchmark", endpoint="existing-llm-endpoint", workload=workload, vpc=vpc
    )
    return stack


EXAMPLE_STACKS: list[tuple[str, StackFactory]] = [
    ("default", default_stack),
    *(
        (f"request-{path.stem}", request_stack(path))
        for path in sorted((ROOT / "examples").glob("*.json"))
    ),
    ("bring-your-own", bring_your_own_stack),
    ("hardened", hardened_stack),
    ("vpc", vpc_stack),
    ("existing-model", existing_model_stack),
    ("sample-payload", sample_payload_stack),
    ("waiting", waiting_stack),
    # Ten jobs: every resource kind of the 50-job example (tests/test_recommender.py), for less.
    ("platform", lambda app: platform_app.PlatformStack(app, "InfrecPlatform", models=10)),
    ("ai", ai_stack),
]
"""(name, factory) of every example stack; add new ones here."""


@functools.cache
def synthesized_example(name: str) -> cdk.Stack:
    """Example stack ``name``, synthesized (aspects and lazy values run), once per test process:
    the gates of several modules (cdk-nag, cfn-lint, the IAM checks) read the same stacks."""
    app = cdk.App()
    stack = dict(EXAMPLE_STACKS)[name](app)
    app.synth()
    return stack


@functools.cache
def _example_template_json(name: str) -> str:
    return json.dumps(Template.from_stack(synthesized_example(name)).to_json())


def example_template(name: str) -> dict[str, Any]:
    """The template of ``synthesized_example(name)``, a fresh copy for each caller."""
    return dict(json.loads(_example_template_json(name)))
