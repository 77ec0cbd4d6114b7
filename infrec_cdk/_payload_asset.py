"""A sample payload from local disk: checked, packed deterministically, staged as a CDK file asset.

``PayloadConfig.from_asset(path)`` takes a ``.tar.gz`` file, or a directory that is packed into
one at synth time. The job's ``SamplePayloadUrl`` becomes the asset's ``s3://`` URL in the CDK
bootstrap bucket, and the job's role may read exactly that object.

What the archive must be, and how each rule is graded (``reference/validation-evidence.md``):

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

import gzip
import hashlib
import io
import itertools
import json
import shutil
import tarfile
import tempfile
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrec_cdk._props import TypeChecked
from infrec_cdk._sources import API_PAYLOAD, GUIDE_PREREQUISITES

__all__ = [
    "MAX_INVOKE_BODY",
    "MAX_SERVERLESS_BODY",
    "SAMPLE_PAYLOAD_FIELD",
    "Archive",
    "PayloadAsset",
    "PayloadError",
    "PayloadFile",
    "StagedPayload",
    "content_kinds",
    "fill_sample_payload",
    "may_test_serverless",
    "pack_directory",
    "payload_warnings",
    "read_archive",
    "stage_payload",
]

SAMPLE_PAYLOAD_FIELD = "InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl"
# botocore's sagemaker-runtime model (2017-05-13): InvokeEndpoint's Body is a BodyBlob of at most
# 6291456 bytes; a request with a larger body is refused before it reaches the model.
MAX_INVOKE_BODY = 6_291_456
# "The maximum request and response payload size for serverless invocations is 4 MB."
GUIDE_SERVERLESS_INVOKE = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html"
)
MAX_SERVERLESS_BODY = 4 * 1024 * 1024
# The API reference page of InvokeEndpoint, whose Body carries the same maximum as botocore.
API_INVOKE_ENDPOINT = (
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"
)

# Every packed entry gets these, whatever the disk says: the same files give the same bytes.
_FILE_MODE = 0o644
_DIRECTORY_MODE = 0o755
# A version of the packing format, part of the digest: a change here must change every hash.
_FORMAT = b"infrec-cdk sample payload tar v1\n"
_CHUNK = 1024 * 1024
_SHOWN_FILES = 5


class PayloadError(Exception):
    """The sample payload cannot be used; ``problems`` says why (without the field path)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


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


@dataclass(frozen=True, slots=True)
class PayloadFile:
    """One file of the archive: its name in the archive, its size, what it looks like."""

    name: str
    size: int
    kinds: frozenset[str] | None
    """Content kinds it matches (``content_kinds``); ``None``: too large to have been read."""


@dataclass(frozen=True, slots=True)
class Archive:
    """What a checked or packed sample payload holds."""

    files: tuple[PayloadFile, ...]
    layout: tuple[str, ...]
    """Entries that are neither files at the top nor plain directories (see the layout warning)."""
    digest: str
    """SHA-256 of the uncompressed tar (a packed directory) or of the file (a given archive)."""


# --- what a file looks like ----------------------------------------------------------------------

_IMAGE_MAGIC: Mapping[str, tuple[bytes, ...]] = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tiff": (b"II*\x00", b"MM\x00*"),
}
_IMAGES = frozenset({*_IMAGE_MAGIC, "webp"})


def content_kinds(data: bytes) -> frozenset[str]:
    """Return the kinds of content ``data`` could be: json, jsonlines, text, images, npy, npz."""
    kinds = {name for name, magics in _IMAGE_MAGIC.items() if data.startswith(magics)}
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kinds.add("webp")
    if data.startswith(b"\x93NUMPY"):
        kinds.add("npy")
    if data.startswith(b"PK\x03\x04"):
        kinds.add("npz")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return frozenset(kinds)
    if "\x00" not in text:
        kinds.add("text")
    if _is_json(text):
        kinds.add("json")
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(_is_json(line) for line in lines):
        kinds.add("jsonlines")
    return frozenset(kinds)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# The content types whose files can be recognised; any other type is not checked.
_KINDS_OF_TYPE: Mapping[str, frozenset[str]] = {
    "application/json": frozenset({"json"}),
    "application/jsonlines": frozenset({"jsonlines"}),
    "application/x-jsonlines": frozenset({"jsonlines"}),
    "application/jsonl": frozenset({"jsonlines"}),
    "text/csv": frozenset({"text"}),
    "text/plain": frozenset({"text"}),
    "text/x-libsvm": frozenset({"text"}),
    "image/jpeg": frozenset({"jpeg"}),
    "image/jpg": frozenset({"jpeg"}),
    "image/png": frozenset({"png"}),
    "image/gif": frozenset({"gif"}),
    "image/bmp": frozenset({"bmp"}),
    "image/tiff": frozenset({"tiff"}),
    "image/webp": frozenset({"webp"}),
    "image/x-image": _IMAGES,
    "application/x-image": _IMAGES,
    "application/x-npy": frozenset({"npy"}),
    "application/x-npz": frozenset({"npz"}),
}


def _type_kinds(content_type: str) -> frozenset[str] | None:
    """Return the kinds a file of ``content_type`` may be; ``None`` when it cannot be told."""
    bare = content_type.split(";", 1)[0].strip().lower()
    if bare in _KINDS_OF_TYPE:
        return _KINDS_OF_TYPE[bare]
    if bare.endswith("+json"):
        return frozenset({"json"})
    return None


# --- packing a directory -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str  # the name in the archive (POSIX, Unicode NFC)
    source: Path  # the file on disk (a link's target) or the directory
    directory: bool


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class _HashingWriter(io.RawIOBase):
    """Hands bytes on to ``target`` and hashes them: the digest of the uncompressed tar."""

    def __init__(self, target: _Writable) -> None:
        super().__init__()
        self._target = target
        self.hash = hashlib.sha256(_FORMAT)

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]  # a bytes-like object from tarfile
        self.hash.update(chunk)
        self._target.write(chunk)
        return len(chunk)


def _archive_name(relative: PurePosixPath) -> str:
    # macOS (HFS+) stores names decomposed, Linux as given: NFC makes both the same archive.
    return unicodedata.normalize("NFC", relative.as_posix())


def _entries(root: Path) -> tuple[list[_Entry], list[str]]:
    """Return every entry below ``root`` (links inside it followed) and the problems found."""
    entries: list[_Entry] = []
    problems: list[str] = []

    def visit(directory: Path, relative: PurePosixPath, on_path: frozenset[Path]) -> None:
        try:
            children = sorted(directory.iterdir(), key=lambda child: child.name)
        except OSError as error:
            problems.append(f"cannot list {_shown(relative)}: {error.strerror or error}")
            return
        for child in children:
            name = relative / child.name
            source = child
            if child.is_symlink():
                target = child.resolve()
                if not target.exists():
                    problems.append(f"{_shown(name)} is a symbolic link to nothing ({target})")
                    continue
                if not target.is_relative_to(root):
                    problems.append(
                        f"{_shown(name)} is a symbolic link to {target}, outside the directory; "
                        "only what is inside it is packed (copy the file in instead)"
                    )
                    continue
                source = target
            if source.is_dir():
                real = source.resolve()
                if real in on_path:
                    problems.append(f"{_shown(name)} is a symbolic link that loops back")
                    continue
                entries.append(_Entry(_archive_name(name), source, directory=True))
                visit(source, name, on_path | {real})
            elif source.is_file():
                entries.append(_Entry(_archive_name(name), source, directory=False))
            else:
                problems.append(f"{_shown(name)} is neither a file nor a directory")

    visit(root, PurePosixPath(), frozenset({root}))
    entries.sort(key=lambda entry: entry.name)  # a parent's name is a prefix: it sorts first
    names = [entry.name for entry in entries]
    problems += [
        f"{_shown(PurePosixPath(a))} appears twice once Unicode names are normalized (NFC)"
        for a, b in itertools.pairwise(names)
        if a == b
    ]
    return entries, problems


def _shown(relative: PurePosixPath) -> str:
    return repr(relative.as_posix())


def _tar_info(name: str, *, size: int, directory: bool) -> tarfile.TarInfo:
    """Return a header that depends on the name, the size and the kind alone."""
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.mode = _DIRECTORY_MODE if directory else _FILE_MODE
    info.size = 0 if directory else size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def pack_directory(root: Path, target: BinaryIO) -> Archive:
    """Write ``root`` to ``target`` as a gzip-compressed tar, the same bytes for the same files.

    Entries are sorted by name; names are POSIX and Unicode NFC; every header has mtime 0, uid and
    gid 0, no user or group name, mode 0644 (files) or 0755 (directories); the gzip header has
    mtime 0 and no file name. Links inside ``root`` are stored as the files they point to.
    The digest is the SHA-256 of the uncompressed tar: it does not depend on zlib's version.
    """
    root = root.resolve()
    entries, problems = _entries(root)
    if problems:
        raise PayloadError(problems)
    files: list[PayloadFile] = []
    layout: list[str] = []
    with gzip.GzipFile(filename="", mode="wb", fileobj=target, mtime=0, compresslevel=9) as gz:
        writer = _HashingWriter(gz)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for entry in entries:
                if entry.directory:
                    tar.addfile(_tar_info(entry.name, size=0, directory=True))
                    continue
                files.append(_add_file(tar, entry))
                if "/" in entry.name:
                    layout.append(f"{entry.name!r} is in a subdirectory")
    if not files:
        raise PayloadError([_no_files()])
    return Archive(tuple(files), tuple(layout), writer.hash.hexdigest())


def _add_file(tar: tarfile.TarFile, entry: _Entry) -> PayloadFile:
    try:
        size = entry.source.stat().st_size
        if size <= MAX_INVOKE_BODY:
            data = entry.source.read_bytes()
            tar.addfile(_tar_info(entry.name, size=len(data), directory=False), io.BytesIO(data))
            return PayloadFile(entry.name, len(data), content_kinds(data))
        with entry.source.open("rb") as stream:
            tar.addfile(_tar_info(entry.name, size=size, directory=False), stream)
    except OSError as error:
        raise PayloadError([f"cannot read {entry.name!r}: {error.strerror or error}"]) from error
    return PayloadFile(entry.name, size, None)


def _no_files() -> str:
    return (
        'holds no file to send: the sample payload is "an archive that contains individual '
        'files that the load testing tool can send to your SageMaker endpoints" '
        f"(source: {GUIDE_PREREQUISITES})"
    )


# --- checking a given archive --------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"


def read_archive(path: Path) -> Archive:
    """Check that ``path`` is a gzip-compressed tar with files in it; return what it holds."""
    not_an_archive = (
        'is not a gzip-compressed tar archive ({why}); the sample payload must be "a single '
        f'gzip compressed tar archive (.tar.gz suffix)" (source: {API_PAYLOAD})'
    )
    try:
        with path.open("rb") as stream:
            magic = stream.read(len(_GZIP_MAGIC))
            digest = hashlib.sha256(magic)
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
        if magic != _GZIP_MAGIC:
            raise PayloadError([not_an_archive.format(why="it does not start as gzip does")])
        with tarfile.open(path, mode="r:gz") as tar:
            files, layout = _members(tar)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        why = f"{type(error).__name__}: {error}"
        raise PayloadError([not_an_archive.format(why=why)]) from error
    except OSError as error:
        raise PayloadError([f"cannot read it: {error.strerror or error}"]) from error
    if not files:
        raise PayloadError([_no_files()])
    return Archive(tuple(files), tuple(layout), digest.hexdigest())


def _members(tar: tarfile.TarFile) -> tuple[list[PayloadFile], list[str]]:
    files: list[PayloadFile] = []
    layout: list[str] = []
    for member in tar:
        name = member.name.removeprefix("./")
        if member.isdir():
            continue
        if not member.isfile():
            layout.append(f"{member.name!r} is a link or a special file, not a file")
            continue
        if member.name.startswith("/") or ".." in PurePosixPath(member.name).parts:
            layout.append(f"{member.name!r} points outside the archive")
        elif "/" in name:
            layout.append(f"{member.name!r} is in a subdirectory")
        kinds = None
        if member.size <= MAX_INVOKE_BODY:
            extracted = tar.extractfile(member)
            kinds = content_kinds(extracted.read() if extracted is not None else b"")
        files.append(PayloadFile(member.name, member.size, kinds))
    return files, layout


# --- warnings ------------------------------------------------------------------------------------


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_SHOWN_FILES])
    more = len(names) - _SHOWN_FILES
    return shown + (f" and {more} more" if more > 0 else "")


def may_test_serverless(request: Mapping[str, object]) -> bool:
    """Whether the job may benchmark a serverless endpoint (whose requests carry at most 4 MB)."""
    input_config = request.get("InputConfig")
    if not isinstance(input_config, Mapping):
        return True
    container = input_config.get("ContainerConfig")
    if isinstance(container, Mapping) and container.get("SupportedEndpointType") == "RealTime":
        return False
    configurations = input_config.get("EndpointConfigurations")
    if isinstance(configurations, list):
        return any(
            not isinstance(item, Mapping) or "ServerlessConfig" in item for item in configurations
        )
    # An existing endpoint is real-time (inference-recommender-existing-endpoint.html).
    return "Endpoints" not in input_config


def payload_warnings(
    archive: Archive,
    *,
    content_types: Sequence[str] | None,
    serverless: bool,
    shown: str,
) -> list[tuple[str, str]]:
    """Return ``(annotation id, message)`` for what may keep the load test from using the files.

    ``shown`` names the payload in messages, e.g. ``PayloadConfig.from_asset('payload')``.
    """
    where = f"{SAMPLE_PAYLOAD_FIELD}: {shown}"
    warnings: list[tuple[str, str]] = []
    kinds = [_type_kinds(t) for t in content_types or ()]
    if kinds and all(k is not None for k in kinds):
        allowed = frozenset().union(*(k for k in kinds if k is not None))
        mismatched = [
            f.name for f in archive.files if f.kinds is not None and not f.kinds & allowed
        ]
        if mismatched:
            warnings.append(
                (
                    "infrec-cdk:samplePayloadContentType",
                    (
                        f"{where}: {_listed(mismatched)} do not look like "
                        f"{' or '.join(content_types or ())}; the load test sends each file to "
                        'the model, and "your inference code must be able to read the file '
                        f'formats from the sample payload" (source: {GUIDE_PREREQUISITES})'
                    ),
                )
            )
    too_large = [f.name for f in archive.files if f.size > MAX_INVOKE_BODY]
    if too_large:
        warnings.append(
            (
                "infrec-cdk:samplePayloadFileSize",
                (
                    f"{where}: {_listed(too_large)} are larger than the {MAX_INVOKE_BODY:,} bytes "
                    "an InvokeEndpoint request body may hold, and the load test sends each file "
                    f"as a request (source: {API_INVOKE_ENDPOINT}, {GUIDE_PREREQUISITES})"
                ),
            )
        )
    too_large_serverless = [
        f.name for f in archive.files if MAX_SERVERLESS_BODY < f.size <= MAX_INVOKE_BODY
    ]
    if serverless and too_large_serverless:
        warnings.append(
            (
                "infrec-cdk:samplePayloadFileSize",
                (
                    f"{where}: {_listed(too_large_serverless)} are larger than the 4 MB a "
                    "serverless endpoint accepts in a request, and the job may benchmark "
                    "serverless endpoints (set ContainerConfig.SupportedEndpointType to RealTime, "
                    f"or test only instance types, if it should not) (source: "
                    f"{GUIDE_SERVERLESS_INVOKE})"
                ),
            )
        )
    if archive.layout:
        warnings.append(
            (
                "infrec-cdk:samplePayloadLayout",
                (
                    f"{where}: {_listed(list(archive.layout))}; AWS's documented sample payload "
                    "is a flat archive of files, and whether the load test reads anything else "
                    f"is not documented (source: {GUIDE_PREREQUISITES})"
                ),
            )
        )
    return warnings


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
