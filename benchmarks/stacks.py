"""The stacks the synth benchmarks compare, built the same way in every measured process.

- ``empty``: one resource that does nothing, the cost of starting CDK at all.
- ``aws-custom-resource``: what users write today (README "Why"): a job role, a rotated key and a
  versioned, encrypted bucket per job, and an ``AwsCustomResource`` that calls
  CreateInferenceRecommendationsJob on create and StopInferenceRecommendationsJob on delete,
  with the ``iam:PassRole`` that ``from_sdk_calls`` leaves out.
- ``infrec``: ``InferenceRecommendationsJob`` with the example app's request and the defaults:
  a role, a key and a bucket provisioned per job.
- ``infrec-shared``: the same jobs given one role, key and bucket (``role=``,
  ``encryption_key=``, ``output_bucket=``), as a platform stack composes them.
- ``infrec-waiting``: the ``infrec`` jobs with ``wait=Wait()``: each adds a wait condition, a
  handle and a results resource, and the stack's poll rule and waiter.

Each process imports only what its kind needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import aws_cdk as cdk

__all__ = ["KINDS", "build_app"]

KINDS: Final = ("empty", "aws-custom-resource", "infrec", "infrec-shared", "infrec-waiting")
MODEL_PACKAGE: Final = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/3"
_CDK_JSON: Final = Path(__file__).resolve().parent.parent / "cdk.json"


def _context() -> dict[str, object]:
    """The example app's feature flags, so every stack synthesizes as ``cdk synth`` would."""
    context = json.loads(_CDK_JSON.read_text(encoding="utf-8"))["context"]
    return dict(context)


def _add_aws_custom_resource_jobs(stack: cdk.Stack, jobs: int) -> None:
    """Jobs the way users start them today."""
    from aws_cdk import aws_iam as iam  # noqa: PLC0415 (each kind imports what it uses)
    from aws_cdk import aws_kms as kms  # noqa: PLC0415
    from aws_cdk import aws_s3 as s3  # noqa: PLC0415
    from aws_cdk import custom_resources as cr  # noqa: PLC0415

    for index in range(jobs):
        key = kms.Key(stack, f"Key{index}", enable_key_rotation=True)
        bucket = s3.Bucket(
            stack,
            f"Bucket{index}",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        )
        role = iam.Role(
            stack, f"Role{index}", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        bucket.grant_read_write(role)
        key.grant_encrypt_decrypt(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sagemaker:DescribeModelPackage", "sagemaker:CreateEndpoint*"],
                resources=["*"],
            )
        )
        name = f"churn-{index}"
        job = cr.AwsCustomResource(
            stack,
            f"Job{index}",
            on_create=cr.AwsSdkCall(
                service="SageMaker",
                action="createInferenceRecommendationsJob",
                parameters={
                    "JobName": name,
                    "JobType": "Default",
                    "RoleArn": role.role_arn,
                    "InputConfig": {
                        "ModelPackageVersionArn": MODEL_PACKAGE,
                        "VolumeKmsKeyId": key.key_arn,
                        "ContainerConfig": {
                            "Domain": "MACHINE_LEARNING",
                            "Task": "CLASSIFICATION",
                            "Framework": "XGBOOST",
                            "PayloadConfig": {
                                "SamplePayloadUrl": (
                                    "s3://example-ml-artifacts/churn/payload.tar.gz"
                                ),
                                "SupportedContentTypes": ["text/csv"],
                            },
                        },
                    },
                    "OutputConfig": {
                        "KmsKeyId": key.key_arn,
                        "CompiledOutputConfig": {"S3OutputUri": bucket.s3_url_for_object("out")},
                    },
                    "Tags": [{"Key": "team", "Value": "ml-platform"}],
                },
                physical_resource_id=cr.PhysicalResourceId.from_response("JobArn"),
            ),
            on_delete=cr.AwsSdkCall(
                service="SageMaker",
                action="stopInferenceRecommendationsJob",
                parameters={"JobName": name},
                ignore_error_codes_matching="ValidationException",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=[
                            "sagemaker:CreateInferenceRecommendationsJob",
                            "sagemaker:StopInferenceRecommendationsJob",
                            "sagemaker:AddTags",
                        ],
                        resources=["*"],
                    ),
                    iam.PolicyStatement(actions=["iam:PassRole"], resources=[role.role_arn]),
                ]
            ),
            install_latest_aws_sdk=False,
        )
        cdk.CfnOutput(stack, f"JobArn{index}", value=job.get_response_field("JobArn"))


def _add_infrec_jobs(stack: cdk.Stack, jobs: int, *, shared: bool, waiting: bool) -> None:
    """Jobs the infrec-cdk way (the example app's request)."""
    from infrec_cdk import (  # noqa: PLC0415 (each kind imports what it uses)
        ContainerConfig,
        InferenceRecommendationsJob,
        ModelSource,
        PayloadConfig,
        Wait,
    )

    foundation: dict[str, object] = {}
    if shared:
        from aws_cdk import aws_iam as iam  # noqa: PLC0415
        from aws_cdk import aws_kms as kms  # noqa: PLC0415
        from aws_cdk import aws_s3 as s3  # noqa: PLC0415

        key = kms.Key(stack, "SharedKey", enable_key_rotation=True)
        foundation = {
            "role": iam.Role(
                stack, "SharedRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
            ),
            "encryption_key": key,
            "output_bucket": s3.Bucket(
                stack,
                "SharedBucket",
                encryption=s3.BucketEncryption.KMS,
                encryption_key=key,
                enforce_ssl=True,
                versioned=True,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            ),
        }
    for index in range(jobs):
        job = InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(MODEL_PACKAGE),
            description="Instance recommendation for the churn model",
            container_config=ContainerConfig(
                domain="MACHINE_LEARNING",
                task="CLASSIFICATION",
                framework="XGBOOST",
                payload_config=PayloadConfig(
                    sample_payload_url="s3://example-ml-artifacts/churn/payload.tar.gz",
                    supported_content_types=["text/csv"],
                ),
            ),
            tags={"team": "ml-platform"},
            wait=Wait() if waiting else None,
            **foundation,  # type: ignore[arg-type]
        )
        cdk.CfnOutput(stack, f"JobArn{index}", value=job.job_arn)


def build_app(kind: str, jobs: int, outdir: str) -> cdk.App:
    """Return an app whose one stack holds ``jobs`` jobs of ``kind`` (``empty``: none)."""
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    app = cdk.App(outdir=outdir, context=_context())
    stack = cdk.Stack(app, "Bench", env=cdk.Environment(account="123456789012", region="us-east-1"))
    if kind == "empty":
        cdk.CfnWaitConditionHandle(stack, "Nothing")
    elif kind == "aws-custom-resource":
        _add_aws_custom_resource_jobs(stack, jobs)
    else:
        _add_infrec_jobs(
            stack, jobs, shared=kind == "infrec-shared", waiting=kind == "infrec-waiting"
        )
    return app
