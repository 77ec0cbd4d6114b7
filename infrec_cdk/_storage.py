"""The KMS key and the S3 output bucket the library creates (for one job, or a recommender)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infrec_cdk import _security
from infrec_cdk._removal import tidy_auto_delete_provider

__all__ = ["new_key", "new_output_bucket"]


def new_key(scope: Construct, *, removal_policy: cdk.RemovalPolicy, purpose: str) -> kms.Key:
    """Return a customer managed key with yearly rotation; ``purpose`` says whose it is."""
    return kms.Key(
        scope,
        "EncryptionKey",
        enable_key_rotation=True,
        removal_policy=removal_policy,
        description=f"infrec-cdk: volumes and outputs of {purpose}",
    )


def new_output_bucket(
    scope: Construct,
    *,
    key: kms.IKey,
    removal_policy: cdk.RemovalPolicy,
    access_logs_bucket: s3.IBucket | None,
    access_logs_prefix: str | None,
    default_logs_prefix: str,
) -> s3.Bucket:
    """Return a versioned, SSL-only, KMS-encrypted bucket with public access blocked.

    ``DESTROY`` empties it first (every object version: it is versioned); the findings that do
    not apply to it are acknowledged.
    """
    bucket = s3.Bucket(
        scope,
        "OutputBucket",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=removal_policy,
        # CloudFormation deletes only empty buckets; CDK's auto-delete provider deletes every
        # object version and delete marker first (ListObjectVersions, DeleteObjects).
        auto_delete_objects=removal_policy == cdk.RemovalPolicy.DESTROY,
        **_security.access_logs(access_logs_bucket, access_logs_prefix, default_logs_prefix),
    )
    if removal_policy == cdk.RemovalPolicy.DESTROY:
        tidy_auto_delete_provider(scope)
    _security.acknowledge_output_bucket(bucket, created=True, access_logs=access_logs_bucket)
    return bucket
