"""A sample payload from local disk: checked, packed deterministically, staged as a CDK file asset.

``PayloadConfig.from_asset(path)`` takes a ``.tar.gz`` file, or a directory that is packed into
one at synth time. The job's ``SamplePayloadUrl`` becomes the asset's ``s3://`` URL in the CDK
bootstrap bucket, and the job's role may read exactly that object.

What the archive must be, and how each rule is graded (README "Validation": an error only where
AWS says so plainly):

* "This path must point to a single gzip compressed tar archive (.tar.gz suffix)" (API reference,
  ``SamplePayloadUrl``, ``API_PAYLOAD``): a file that is not one is an **error**, since we hold the
  bytes; so is an archive or directory with no file in it, which cannot be "an archive that
  contains individual files that the load testing tool can send to your SageMaker endpoints"
  (prerequisites, ``GUIDE_PREREQUISITES``), and a path that does not exist or cannot be packed
  (a symbolic link out of the directory, a special file).
* Everything else is a **warning**: "Your inference code must be able to read the file formats
  from the sample payload" (prerequisites) is the user's contract with their own model, so a file
  that does not look like any of ``SupportedContentTypes`` only warns
  (``infrec-cdk:samplePayloadContentType``); a file larger than an ``InvokeEndpoint`` body may be
  (6 MiB: botocore's ``sagemaker-runtime`` model, ``BodyBlob`` max 6291456; 4 MB for serverless
  endpoints, ``GUIDE_SERVERLESS_INVOKE``) warns, since the guide only implies that each file is
  sent as one request (``infrec-cdk:samplePayloadFileSize``); and subdirectories or links in the
  archive warn, since AWS's only example is a flat archive of files and the docs say nothing of
  anything else (``infrec-cdk:samplePayloadLayout``).

The object key must end in ``.tar.gz``. ``aws_s3_assets.Asset`` names its object
``<hash><extension>`` with Node's ``path.extname``, i.e. ``<hash>.gz`` for a ``.tar.gz``
(aws-cdk-lib ``core/lib/stack-synthesizers/asset-manifest-builder.ts``, ``defaultAddFileAsset``;
still open: https://github.com/aws/aws-cdk/issues/30257). So this module does the two steps
``Asset`` does, ``AssetStaging`` then ``synthesizer.add_file_asset``, with ``<hash>.tar`` as the
source hash: the key becomes ``<hash>.tar.gz``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrec_cdk._payload_archive import Archive, PayloadError, pack_directory, read_archive
from infrec_cdk._payload_checks import SAMPLE_PAYLOAD_FIELD, may_test_serverless, payload_warnings
from infrec_cdk._props import TypeChecked

__all__ = ["PayloadAsset", "StagedPayload", "fill_sample_payload", "stage_payload"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayloadAsset(TypeChecked):
    """A sample payload on local disk (see ``PayloadConfig.from_asset``).

    Parameters
    ----------
    path
        Absolute path of a ``.tar.gz`` file or of a directory to pack.
    asset_bucket_key
        The KMS key of the CDK bootstrap bucket, when its key policy leaves access to IAM.

    """

    path: Path
    asset_bucket_key: kms.IKey | None = None


# --- staging as a file asset ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StagedPayload:
    """A sample payload staged in the cloud assembly and published as a file asset."""

    archive: Archive
    bucket_name: str
    """The asset bucket's name (a token with the default synthesizer)."""
    object_key: str
    """``<hash>.tar.gz`` (with the synthesizer's prefix, if any)."""
    s3_url: str
    """``s3://<bucket>/<key>``: the job's ``SamplePayloadUrl``."""
    key_arn: str | None = None
    """The asset bucket's KMS key the role may decrypt with, when one was given."""


_CACHE = "_infrec_sample_payloads"
_TEMP_PREFIX = "infrec-cdk-payload-"
# AssetStaging keeps a ".tar.gz" extension whole (ARCHIVE_EXTENSIONS in asset-staging.ts).
_SUFFIX = ".tar.gz"
# Stands in for the URL of a payload that could not be used, so that the rest of the request is
# still checked; the job refuses the request before anything is rendered.
_UNUSABLE = "s3://unusable-sample-payload/sample-payload.tar.gz"


def stage_payload(scope: Construct, asset: PayloadAsset) -> StagedPayload:
    """Check or pack ``asset``, stage it and add it to the stack's file assets (once a stack).

    Raises ``PayloadError`` when the payload cannot be used.
    """
    stack = cdk.Stack.of(scope)
    cache: dict[PayloadAsset, StagedPayload] = getattr(stack, _CACHE, None) or {}
    setattr(stack, _CACHE, cache)
    if asset in cache:
        return cache[asset]
    path = asset.path
    if not path.exists():
        raise PayloadError(["no such file or directory"])
    keep = bool(scope.node.try_get_context("aws:cdk:disable-asset-staging"))
    if path.is_dir():
        staged = _in_temporary_directory(scope, stack, asset, keep=keep)
    elif path.is_file() and path.name.lower().endswith(_SUFFIX):
        staged = _stage(scope, stack, asset, path, read_archive(path))
    elif path.is_file():
        # Staging names the copy after the file's extension (.tgz stays .tgz): copy it first.
        staged = _in_temporary_directory(scope, stack, asset, keep=keep)
    else:
        raise PayloadError(["is neither a file nor a directory"])
    cache[asset] = staged
    return staged


def _in_temporary_directory(
    scope: Construct, stack: cdk.Stack, asset: PayloadAsset, *, keep: bool
) -> StagedPayload:
    """Write ``<temporary>/sample-payload.tar.gz`` (never in the source tree), then stage it.

    Staging copies it into the cloud assembly, so the temporary directory is removed at once;
    with asset staging disabled (``aws:cdk:disable-asset-staging``, as AWS SAM sets it) the
    assembly points at the file itself, which is then kept.
    """
    if keep:
        return _write_and_stage(scope, stack, asset, Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX)))
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as directory:
        return _write_and_stage(scope, stack, asset, Path(directory))


def _write_and_stage(
    scope: Construct, stack: cdk.Stack, asset: PayloadAsset, directory: Path
) -> StagedPayload:
    """Pack the directory, or copy the archive, to ``directory`` and stage that file."""
    target = directory / f"sample-payload{_SUFFIX}"
    if asset.path.is_dir():
        with target.open("wb") as stream:
            archive = pack_directory(asset.path, stream)
    else:
        archive = read_archive(asset.path)
        shutil.copyfile(asset.path, target)
    return _stage(scope, stack, asset, target, archive)


def _stage(
    scope: Construct, stack: cdk.Stack, asset: PayloadAsset, source: Path, archive: Archive
) -> StagedPayload:
    # A custom hash: CDK then hashes our digest, not the file (no fingerprint cache, and the same
    # hash on every machine, whatever zlib compressed the bytes with).
    salt = scope.node.try_get_context("@aws-cdk/core:assetHashSalt")
    custom = archive.digest if salt is None else f"{archive.digest}:{salt}"
    staging = cdk.AssetStaging(
        scope,
        "SamplePayload",
        source_path=str(source),
        asset_hash=custom,
        asset_hash_type=cdk.AssetHashType.CUSTOM,
    )
    location = stack.synthesizer.add_file_asset(
        # "<hash>.tar" + the staged file's extension ".gz": the object key ends in .tar.gz.
        source_hash=f"{staging.asset_hash}.tar",
        file_name=staging.relative_staged_path(stack),
        packaging=cdk.FileAssetPackaging.FILE,
        display_name=f"{cdk.Names.stack_relative_construct_path(scope)} sample payload",
    )
    key = asset.asset_bucket_key
    return StagedPayload(
        archive=archive,
        bucket_name=location.bucket_name,
        object_key=location.object_key,
        s3_url=location.s3_object_url,
        key_arn=None if key is None else key.key_arn,
    )


def fill_sample_payload(
    scope: Construct, request: Mapping[str, object]
) -> tuple[StagedPayload | None, list[str]]:
    """Put the asset's URL in place of a ``PayloadAsset`` in ``SamplePayloadUrl``, and warn.

    Return the staged payload (``None``: the request has no local payload) and the problems, each
    naming the field. A payload that cannot be used leaves a placeholder in the field, so that the
    request's other checks go on and every problem is reported at once (the job raises before it
    renders anything). The warnings go on ``scope``.
    """
    input_config = request.get("InputConfig")
    container = input_config.get("ContainerConfig") if isinstance(input_config, Mapping) else None
    payload = container.get("PayloadConfig") if isinstance(container, Mapping) else None
    asset = payload.get("SamplePayloadUrl") if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or not isinstance(asset, PayloadAsset):
        return None, []
    shown = f"PayloadConfig.from_asset({str(asset.path)!r})"
    try:
        staged = stage_payload(scope, asset)
    except PayloadError as error:
        payload["SamplePayloadUrl"] = _UNUSABLE
        return None, [f"{SAMPLE_PAYLOAD_FIELD}: {shown}: {problem}" for problem in error.problems]
    payload["SamplePayloadUrl"] = staged.s3_url
    types = payload.get("SupportedContentTypes")
    known = isinstance(types, list) and all(isinstance(t, str) for t in types)
    for warning_id, message in payload_warnings(
        staged.archive,
        content_types=types if known and isinstance(types, list) else None,
        serverless=may_test_serverless(request),
        shown=shown,
    ):
        cdk.Annotations.of(scope).add_warning_v2(warning_id, message)
    return staged, []
