"""A sample payload from local disk (``PayloadConfig.from_asset``): packed, checked, published.

The packing and checking are pure functions, tested without CDK. One module-scoped stack holds a
job of every kind that can use the payload (its own role, ``role=``, a recommender's, the
default recommender's, ``from_request``); it is synthesized once, as ``cdk synth`` would.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import shutil
import tarfile
import unicodedata
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.validate
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from names import generated_name, owner, request_digest
from request import coerce_request, create_params

from infrec_cdk import (
    RESOURCE_TYPE,
    ContainerConfig,
    InferenceRecommendationsJob,
    InferenceRecommender,
    InfrecValidationError,
    ModelSource,
    PayloadConfig,
    SupportedEndpointType,
)
from infrec_cdk._payload_archive import (
    MAX_INVOKE_BODY,
    Archive,
    PayloadError,
    PayloadFile,
    pack_directory,
    read_archive,
)
from infrec_cdk._payload_asset import PayloadAsset, stage_payload
from infrec_cdk._payload_checks import SAMPLE_PAYLOAD_FIELD, may_test_serverless, payload_warnings
from infrec_cdk._payload_content import content_kinds
from infrec_cdk._validation import validate_request
from tests.annotations import warning_ids
from tests.harness.resolve import ACCOUNT, REGION, STACK_ID, resolve
from tests.iam_reference import check_template
from tests.test_request_contract import INPUT_SHAPE, delivered_requests

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PAYLOAD = ROOT / "examples" / "churn-payload"
BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GIVEN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/given-recommender"


def packed(directory: Path) -> tuple[bytes, Archive]:
    buffer = io.BytesIO()
    archive = pack_directory(directory, buffer)
    return buffer.getvalue(), archive


def write_files(directory: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return directory


def tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def problems_of(path: Path) -> tuple[str, ...]:
    def check() -> None:
        if path.is_dir():
            pack_directory(path, io.BytesIO())
        else:
            read_archive(path)

    with pytest.raises(PayloadError) as raised:
        check()
    return raised.value.problems


# --- determinism --------------------------------------------------------------------------------


def test_the_same_directory_packs_to_the_same_bytes_wherever_and_whenever(tmp_path):
    first = write_files(tmp_path / "a", {"b.csv": b"1,2\n", "a.csv": b"3,4\n", "x/c.csv": b"5\n"})
    again = tmp_path / "elsewhere" / "copy"
    shutil.copytree(first, again)
    # Other times, permissions and directory: none of it may reach the archive.
    os.utime(again / "a.csv", (1_000_000_000, 1_000_000_000))
    (again / "b.csv").chmod(0o600)
    (again / "x").chmod(0o700)

    data, archive = packed(first)
    data_again, archive_again = packed(again)

    assert data == data_again
    assert archive.digest == archive_again.digest
    assert [f.name for f in archive.files] == ["a.csv", "b.csv", "x/c.csv"]


def test_changed_content_changes_the_digest(tmp_path):
    directory = write_files(tmp_path / "p", {"a.csv": b"1,2\n"})
    _, before = packed(directory)
    (directory / "a.csv").write_bytes(b"1,3\n")
    _, after = packed(directory)
    (directory / "a.csv").write_bytes(b"1,2\n")
    (directory / "b.csv").write_bytes(b"")
    _, added = packed(directory)
    assert len({before.digest, after.digest, added.digest}) == 3


def test_headers_carry_no_time_owner_or_mode_of_the_disk(tmp_path):
    directory = write_files(tmp_path / "p", {"sub/a.json": b"{}", "b.csv": b"1\n"})
    data, _ = packed(directory)

    # gzip header (RFC 1952): FLG at byte 3 (no FNAME, 0x08), MTIME at bytes 4-7.
    assert data[:2] == b"\x1f\x8b"
    assert data[3] & 0x08 == 0
    assert data[4:8] == b"\x00\x00\x00\x00"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
    assert [(m.name, m.type) for m in members] == [
        ("b.csv", tarfile.REGTYPE),
        ("sub", tarfile.DIRTYPE),
        ("sub/a.json", tarfile.REGTYPE),
    ]
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (
            0,
            0,
            0,
            "",
            "",
        )
        assert member.mode == (0o755 if member.isdir() else 0o644)


def test_names_are_unicode_nfc_whatever_the_file_system_stored(tmp_path):
    decomposed = unicodedata.normalize("NFD", "café.json")
    directory = write_files(tmp_path / "p", {decomposed: b"{}"})
    data, archive = packed(directory)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert tar.getnames() == [unicodedata.normalize("NFC", "café.json")]
    assert archive.files[0].name == "café.json"


def test_the_asset_hash_is_the_same_in_two_apps_and_changes_with_the_content(tmp_path):
    directory = write_files(tmp_path / "p", {"a.csv": b"1,2\n"})

    def object_key() -> str:
        stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Payload")
        return stage_payload(stack, PayloadAsset(path=directory)).object_key

    first, second = object_key(), object_key()
    (directory / "a.csv").write_bytes(b"1,3\n")
    changed = object_key()

    assert first == second
    assert first != changed
    assert first.endswith(".tar.gz")  # the API's suffix; aws_s3_assets.Asset would give .gz


def test_packing_writes_nothing_in_the_source_tree_and_leaves_no_temporary_file(
    tmp_path, monkeypatch
):
    directory = write_files(tmp_path / "p", {"a.csv": b"1,2\n"})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temporary))

    def listing() -> list[tuple[Path, int]]:
        found = directory.rglob("*")
        return sorted((path.relative_to(directory), path.stat().st_mtime_ns) for path in found)

    before = listing()
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Payload")
    staged = stage_payload(stack, PayloadAsset(path=directory))

    assert listing() == before
    assert list(temporary.iterdir()) == []
    assert staged.archive.files[0].name == "a.csv"


def test_with_staging_disabled_the_packed_file_is_kept_for_the_assembly(tmp_path, monkeypatch):
    # AWS SAM sets aws:cdk:disable-asset-staging: the manifest then names the file itself.
    directory = write_files(tmp_path / "p", {"a.csv": b"1,2\n"})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temporary))
    app = cdk.App(outdir=str(tmp_path / "out"), context={"aws:cdk:disable-asset-staging": True})
    stage_payload(cdk.Stack(app, "Payload"), PayloadAsset(path=directory))
    (kept,) = temporary.glob("*/sample-payload.tar.gz")
    assert list((tmp_path / "out").glob("asset.*")) == []
    with tarfile.open(kept, "r:gz") as tar:
        assert tar.getnames() == ["a.csv"]


# --- what is packed, and what is refused ---------------------------------------------------------


def test_a_link_inside_the_directory_is_packed_as_the_file_it_names(tmp_path):
    directory = write_files(tmp_path / "p", {"data/a.csv": b"1,2\n"})
    (directory / "link.csv").symlink_to(directory / "data" / "a.csv")
    data, archive = packed(directory)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        link = tar.getmember("link.csv")
        assert link.isfile()
        assert tar.extractfile(link).read() == b"1,2\n"  # type: ignore[union-attr]
    assert [f.name for f in archive.files] == ["data/a.csv", "link.csv"]


def test_a_link_out_of_the_directory_is_refused(tmp_path):
    outside = write_files(tmp_path / "secrets", {"key.pem": b"-----BEGIN"})
    directory = write_files(tmp_path / "p", {"a.csv": b"1\n"})
    (directory / "key.csv").symlink_to(outside / "key.pem")
    (problem,) = problems_of(directory)
    assert problem.startswith("'key.csv' is a symbolic link to ")
    assert "outside the directory" in problem


def test_a_dangling_link_and_a_looping_link_are_refused(tmp_path):
    directory = write_files(tmp_path / "p", {"a.csv": b"1\n"})
    (directory / "gone.csv").symlink_to(directory / "missing.csv")
    (directory / "sub").mkdir()
    (directory / "sub" / "up").symlink_to(directory / "sub")
    assert sorted(problems_of(directory)) == [
        f"'gone.csv' is a symbolic link to nothing ({directory / 'missing.csv'})",
        "'sub/up' is a symbolic link that loops back",
    ]


def test_an_empty_directory_is_refused(tmp_path):
    directory = tmp_path / "p"
    (directory / "only-a-folder").mkdir(parents=True)
    (problem,) = problems_of(directory)
    assert problem.startswith("holds no file to send")
    assert "inference-recommender-prerequisites" in problem


def test_a_file_that_is_not_gzip_is_refused_citing_the_api(tmp_path):
    path = tmp_path / "payload.zip"
    path.write_bytes(b"PK\x03\x04 not a tar")
    (problem,) = problems_of(path)
    assert problem.startswith("is not a gzip-compressed tar archive (it does not start as gzip")
    assert "API_RecommendationJobPayloadConfig" in problem


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # mtime=0: the bytes are part of the test's id, which every xdist worker must collect
        # alike (gzip's default header time would differ between them).
        ("gzip-of-text.tar.gz", gzip.compress(b"hello, not a tar archive", mtime=0)),
        ("truncated.tar.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x01\x02"),
    ],
    ids=["gzip-of-text", "truncated"],
)
def test_gzip_that_is_not_a_whole_tar_is_refused(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    (problem,) = problems_of(path)
    assert problem.startswith("is not a gzip-compressed tar archive (")


def test_a_given_archive_is_read_not_repacked(tmp_path):
    path = tar_gz(tmp_path / "payload.tar.gz", {"./a.json": b'{"x": 1}', "img/b.jpg": b"\xff\xd8"})
    archive = read_archive(path)
    assert [(f.name, f.size) for f in archive.files] == [("./a.json", 8), ("img/b.jpg", 2)]
    assert archive.layout == ("'img/b.jpg' is in a subdirectory",)
    assert len(archive.digest) == 64


@pytest.mark.parametrize("name", ["payload.tar.gz", "payload.TGZ", "payload"])
def test_a_given_archive_is_published_as_it_is(tmp_path, name):
    path = tar_gz(tmp_path / name, {"a.csv": b"1,2\n"})
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Payload")
    staged = stage_payload(stack, PayloadAsset(path=path))
    assert staged.object_key.endswith(".tar.gz")  # whatever the file's own name
    (copy,) = (tmp_path / "out").glob("asset.*.tar.gz")
    assert copy.read_bytes() == path.read_bytes()


def test_an_archive_without_files_is_refused(tmp_path):
    path = tar_gz(tmp_path / "empty.tar.gz", {})
    (problem,) = problems_of(path)
    assert problem.startswith("holds no file to send")


def test_a_file_larger_than_a_request_is_packed_without_reading_it_whole(tmp_path):
    directory = tmp_path / "p"
    directory.mkdir()
    with (directory / "big.bin").open("wb") as big:
        big.truncate(MAX_INVOKE_BODY + 1)
    _, archive = packed(directory)
    assert archive.files == (PayloadFile("big.bin", MAX_INVOKE_BODY + 1, None),)


# --- content types, sizes and layout: warnings --------------------------------------------------


def test_content_kinds_recognise_what_endpoints_are_sent():
    assert content_kinds(b"1,2\n3,4\n") == {"text"}
    assert content_kinds(b'{"instances": [1]}') == {"text", "json", "jsonlines"}
    assert content_kinds(b'{"a": 1}\n{"a": 2}\n') == {"text", "jsonlines"}
    assert content_kinds(b"\xff\xd8\xff\xe0JFIF") == {"jpeg"}
    assert content_kinds(b"\x89PNG\r\n\x1a\n....") == {"png"}
    assert content_kinds(b"\x93NUMPY\x01\x00") == {"npy"}
    assert content_kinds(b"\x00\x01\x02") == set()


def archive_of(*files: PayloadFile, layout: tuple[str, ...] = ()) -> Archive:
    return Archive(files=files, layout=layout, digest="0" * 64)


def warned(archive: Archive, types: list[str] | None, *, serverless: bool = False) -> list[str]:
    return [
        warning_id
        for warning_id, _ in payload_warnings(
            archive, content_types=types, serverless=serverless, shown="PayloadConfig.from_asset"
        )
    ]


def test_a_file_unlike_every_content_type_warns_naming_it():
    archive = archive_of(
        PayloadFile("a.csv", 4, frozenset({"text"})), PayloadFile(".DS_Store", 9, frozenset())
    )
    ((warning_id, message),) = payload_warnings(
        archive, content_types=["text/csv"], serverless=False, shown="PayloadConfig.from_asset('p')"
    )
    assert warning_id == "infrec-cdk:samplePayloadContentType"
    assert message.startswith(
        f"{SAMPLE_PAYLOAD_FIELD}: PayloadConfig.from_asset('p'): '.DS_Store' do not look like "
        "text/csv;"
    )
    assert warned(archive, ["text/csv", "application/json; charset=utf-8"]) == [
        "infrec-cdk:samplePayloadContentType"
    ]
    assert warned(archive, ["image/jpeg", "text/plain"]) == ["infrec-cdk:samplePayloadContentType"]


def test_no_content_type_warning_when_a_type_cannot_be_checked_or_none_is_given():
    archive = archive_of(PayloadFile("a.bin", 4, frozenset()))
    assert warned(archive, ["application/x-recordio-protobuf"]) == []
    assert warned(archive, ["text/csv", "application/octet-stream"]) == []
    assert warned(archive, None) == []


def test_files_too_large_for_a_request_warn_with_the_limit_that_applies():
    archive = archive_of(
        PayloadFile("ok.csv", 4 * 1024 * 1024, None),
        PayloadFile("serverless-too-big.csv", 4 * 1024 * 1024 + 1, None),
        PayloadFile("too-big.csv", MAX_INVOKE_BODY + 1, None),
    )
    real_time = payload_warnings(archive, content_types=None, serverless=False, shown="p")
    assert [(i, "'too-big.csv'" in m) for i, m in real_time] == [
        ("infrec-cdk:samplePayloadFileSize", True)
    ]
    assert "6,291,456 bytes" in real_time[0][1]
    serverless = payload_warnings(archive, content_types=None, serverless=True, shown="p")
    assert len(serverless) == 2
    assert "'serverless-too-big.csv' are larger than the 4 MB" in serverless[1][1]


def test_subdirectories_and_links_warn_as_layout():
    archive = archive_of(PayloadFile("a.csv", 1, None), layout=("'x/a.csv' is in a subdirectory",))
    assert warned(archive, None) == ["infrec-cdk:samplePayloadLayout"]


@pytest.mark.parametrize(
    ("input_config", "serverless"),
    [
        ({}, True),
        ({"ContainerConfig": {"SupportedEndpointType": "RealTime"}}, False),
        ({"ContainerConfig": {"SupportedEndpointType": "Serverless"}}, True),
        ({"EndpointConfigurations": [{"InstanceType": "ml.c5.xlarge"}]}, False),
        ({"EndpointConfigurations": [{"ServerlessConfig": {"MemorySizeInMB": 2048}}]}, True),
        ({"Endpoints": [{"EndpointName": "existing"}]}, False),
    ],
)
def test_which_jobs_may_benchmark_serverless_endpoints(input_config, serverless):
    assert may_test_serverless({"InputConfig": input_config}) is serverless


# --- the jobs: one stack, synthesized once ------------------------------------------------------

CONTAINER = {"Domain": "MACHINE_LEARNING", "Task": "CLASSIFICATION", "Framework": "XGBOOST"}


def container(payload: PayloadConfig, **extra: Any) -> ContainerConfig:
    return ContainerConfig(
        domain="MACHINE_LEARNING",
        task="CLASSIFICATION",
        framework="XGBOOST",
        payload_config=payload,
        **extra,
    )


@functools.cache
def warned_payload(directory: str) -> Path:
    return write_files(
        Path(directory), {"a.csv": b"1,2\n", "bin/blob.csv": b"\x00\x01", "b.csv": b"3,4\n"}
    )


@pytest.fixture(scope="module")
def jobs_stack(tmp_path_factory) -> tuple[cdk.Stack, Path]:
    """Jobs on every kind of role, all with the example payload; synthesized once."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "TestStack")
    payload = PayloadConfig.from_asset(EXAMPLE_PAYLOAD, supported_content_types=["text/csv"])
    model = ModelSource.from_model_name("churn-xgboost")
    InferenceRecommendationsJob(stack, "Own", model=model, container_config=container(payload))
    InferenceRecommendationsJob(
        stack,
        "Given",
        model=model,
        container_config=container(payload),
        role=iam.Role.from_role_arn(stack, "GivenRole", GIVEN_ROLE),
    )
    recommender = InferenceRecommender(stack, "Rec")
    InferenceRecommendationsJob(
        stack, "Shared", model=model, container_config=container(payload), recommender=recommender
    )
    InferenceRecommendationsJob.from_request(
        stack,
        "Raw",
        {
            "JobType": "Default",
            "InputConfig": {
                "ModelName": "churn-xgboost",
                "ContainerConfig": {**CONTAINER, "PayloadConfig": payload},
            },
        },
        recommender=recommender,
    )
    keyed = PayloadConfig.from_asset(
        str(EXAMPLE_PAYLOAD),
        supported_content_types=["text/csv"],
        asset_bucket_key=kms.Key.from_key_arn(stack, "AssetKey", KEY_ARN),
    )
    # A plain job after the first: the stack's default recommender (InfrecRecommender).
    InferenceRecommendationsJob(stack, "Keyed", model=model, container_config=container(keyed))
    warnings_payload = warned_payload(str(tmp_path_factory.mktemp("warned")))
    InferenceRecommendationsJob(
        stack,
        "Warned",
        model=model,
        container_config=container(
            PayloadConfig.from_asset(warnings_payload, supported_content_types=["text/csv"]),
            supported_endpoint_type=SupportedEndpointType.REAL_TIME,
        ),
        recommender=recommender,
    )
    assembly = app.synth()
    return stack, Path(assembly.directory)


@functools.cache
def template_of(stack: cdk.Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).to_json())


def payload_asset(assembly: Path) -> tuple[str, str, Path]:
    """(bucket, key, staged file) of the example payload's asset, from the asset manifest."""
    manifest = json.loads((assembly / "TestStack.assets.json").read_text())
    found = []
    for asset_id, asset in manifest["files"].items():
        if not asset_id.endswith(".tar"):
            continue
        with tarfile.open(assembly / asset["source"]["path"], "r:gz") as tar:
            if tar.getnames() != ["0.csv", "1.csv"]:
                continue
        (destination,) = asset["destinations"].values()
        bucket = destination["bucketName"].replace("${AWS::AccountId}", ACCOUNT)
        bucket = bucket.replace("${AWS::Region}", REGION)
        found.append((bucket, destination["objectKey"], assembly / asset["source"]["path"]))
    (only,) = found
    return only


def requests_by_job(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    template = template_of(stack)
    return {
        logical_id: resolve(resource["Properties"]["Request"], template)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == RESOURCE_TYPE
    }


def test_every_job_sends_the_url_of_the_published_asset(jobs_stack):
    stack, assembly = jobs_stack
    bucket, key, staged = payload_asset(assembly)
    assert bucket == BUCKET
    assert key.endswith(".tar.gz")
    urls = [
        request["InputConfig"]["ContainerConfig"]["PayloadConfig"]["SamplePayloadUrl"]
        for request in requests_by_job(stack).values()
    ]
    # Five jobs send the example payload; "Warned" sends another directory, another asset.
    assert urls.count(f"s3://{bucket}/{key}") == 5
    (other,) = (url for url in urls if url != f"s3://{bucket}/{key}")
    assert other.startswith(f"s3://{bucket}/")
    assert other.endswith(".tar.gz")
    # The staged file is the example directory, packed.
    with tarfile.open(staged, "r:gz") as tar:
        assert tar.extractfile("0.csv").read() == (EXAMPLE_PAYLOAD / "0.csv").read_bytes()  # type: ignore[union-attr]


def payload_reads(stack: cdk.Stack) -> dict[str, list[Any]]:
    """Per policy (logical id), the resources of its statements that read from the asset bucket."""
    template = template_of(stack)
    found: dict[str, list[Any]] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        for statement in resolve(resource["Properties"]["PolicyDocument"], template)["Statement"]:
            resources = statement["Resource"]
            for arn in resources if isinstance(resources, list) else [resources]:
                if BUCKET in arn:
                    found.setdefault(logical_id, []).append((statement["Action"], arn))
    return found


def policy_of(stack: cdk.Stack, path: str) -> str:
    construct: Any = stack
    for part in path.split("/"):
        construct = construct.node.find_child(part)
    return stack.get_logical_id(construct.node.default_child)


def test_each_role_may_read_exactly_the_payload_object(jobs_stack):
    stack, assembly = jobs_stack
    _, key, _ = payload_asset(assembly)
    reads = payload_reads(stack)
    given_policy = next(
        construct.node.id
        for construct in stack.node.children
        if construct.node.id.startswith("InfrecRolePolicy")
    )
    exact = [("s3:GetObject", f"arn:aws:s3:::{BUCKET}/{key}")]
    for path in ("Own/RolePolicy", given_policy, "Rec/RolePolicy", "InfrecRecommender/RolePolicy"):
        resources = [r for r in reads.pop(policy_of(stack, path)) if key in r[1]]
        assert resources == exact, path
    # The recommender's policy reads the warned payload too; nothing reads more than objects.
    assert not reads
    assert all("*" not in arn for arns in payload_reads(stack).values() for _, arn in arns)


def test_a_given_bootstrap_key_is_granted_for_decrypting_through_s3_only(jobs_stack):
    stack, _ = jobs_stack
    template = template_of(stack)
    keyed = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resolve(resource["Properties"]["PolicyDocument"], template)["Statement"]
        if statement.get("Sid") == "SamplePayloadKey"
    ]
    assert keyed == [
        {
            "Action": "kms:Decrypt",
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": KEY_ARN,
            "Sid": "SamplePayloadKey",
        }
    ]
    default_policy = policy_of(stack, "InfrecRecommender/RolePolicy")
    assert template["Resources"][default_policy]["Properties"]["PolicyDocument"]["Statement"]
    assert "SamplePayloadKey" in json.dumps(template["Resources"][default_policy])


def test_every_statement_matches_the_service_authorization_reference(jobs_stack):
    # The grants of every kind of role, the bootstrap key's included (tests/iam_reference.py).
    stack, _ = jobs_stack
    assert check_template(template_of(stack)) == []


def test_the_handler_contract_accepts_every_request(jobs_stack):
    stack, _ = jobs_stack
    requests = delivered_requests(stack)
    assert len(requests) == 6
    for logical_id, delivered, prefix in requests:
        request = coerce_request(delivered, INPUT_SHAPE)
        digest = request_digest(STACK_ID, logical_id, "5f3c0c8e-request")
        params = create_params(
            request,
            job_name=generated_name(prefix, digest),
            digest=digest,
            owner=owner(STACK_ID, logical_id),
        )
        botocore.validate.validate_parameters(params, INPUT_SHAPE)  # raises on a problem
        assert validate_request(params).errors == ()


def test_payload_warnings_are_on_the_job_they_concern(jobs_stack):
    stack, _ = jobs_stack
    warned = stack.node.find_child("Warned")
    assert {"infrec-cdk:samplePayloadContentType", "infrec-cdk:samplePayloadLayout"} <= set(
        warning_ids(stack)
    )
    messages = [
        entry.data
        for entry in warned.node.metadata
        if entry.type == "aws:cdk:warning" and "samplePayload" in str(entry.data)
    ]
    assert any("'bin/blob.csv' do not look like text/csv" in str(m) for m in messages)
    assert not any(
        "samplePayload" in str(entry.data)
        for job in ("Own", "Shared")
        for entry in stack.node.find_child(job).node.metadata
    )


# --- refusals through the job -------------------------------------------------------------------


def test_an_unusable_payload_is_refused_with_the_requests_other_problems(tmp_path):
    stack = cdk.Stack(cdk.App(), "TestStack")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InfrecValidationError) as raised:
        InferenceRecommendationsJob(
            stack,
            "Job",
            model=ModelSource.from_model_name("churn-xgboost"),
            description="x" * 129,
            container_config=container(PayloadConfig.from_asset(empty)),
        )
    problems = raised.value.problems
    assert (
        f"{SAMPLE_PAYLOAD_FIELD}: PayloadConfig.from_asset({str(empty)!r}): holds no file to send"
    ) in "\n".join(problems)
    assert any(p.startswith("JobDescription:") for p in problems)


def test_a_missing_path_is_refused_naming_the_field(tmp_path):
    stack = cdk.Stack(cdk.App(), "TestStack")
    missing = tmp_path / "no-such-payload"
    with pytest.raises(InfrecValidationError) as raised:
        InferenceRecommendationsJob.from_request(
            stack,
            "Job",
            {
                "JobType": "Default",
                "InputConfig": {
                    "ModelName": "churn-xgboost",
                    "ContainerConfig": {
                        **CONTAINER,
                        "PayloadConfig": PayloadConfig.from_asset(missing),
                    },
                },
            },
        )
    assert raised.value.problems == (
        (
            f"{SAMPLE_PAYLOAD_FIELD}: PayloadConfig.from_asset({str(missing)!r}): "
            "no such file or directory"
        ),
    )


def test_a_url_and_a_local_payload_together_are_refused():
    with pytest.raises(InfrecValidationError, match="give sample_payload_url or a local payload"):
        PayloadConfig(
            sample_payload_url="s3://bucket/payload.tar.gz",
            asset=PayloadAsset(path=EXAMPLE_PAYLOAD),
        )
    with pytest.raises(InfrecValidationError, match=r"path must be a str or os\.PathLike, got int"):
        PayloadConfig.from_asset(3)  # type: ignore[arg-type]


def test_a_payload_too_large_for_serverless_warns_only_when_serverless_may_be_tested(tmp_path):
    directory = write_files(tmp_path / "p", {"big.csv": b"1," * (2 * 1024 * 1024 + 1)})
    stack = cdk.Stack(cdk.App(), "TestStack")
    payload = PayloadConfig.from_asset(directory, supported_content_types=["text/csv"])
    model = ModelSource.from_model_name("churn-xgboost")
    # A Default job may be recommended serverless endpoints; a real-time only one may not.
    InferenceRecommendationsJob(stack, "Any", model=model, container_config=container(payload))
    InferenceRecommendationsJob(
        stack,
        "RealTime",
        model=model,
        container_config=container(
            payload, supported_endpoint_type=SupportedEndpointType.REAL_TIME
        ),
    )
    sizes = {
        job: [
            entry.data
            for entry in stack.node.find_child(job).node.metadata
            if "samplePayloadFileSize" in str(entry.data)
        ]
        for job in ("Any", "RealTime")
    }
    assert len(sizes["Any"]) == 1
    assert "'big.csv' are larger than the 4 MB a serverless endpoint" in str(sizes["Any"][0])
    assert sizes["RealTime"] == []
    assert "infrec-cdk:samplePayloadFileSize" in warning_ids(stack)
    cdk.Annotations.of(stack).acknowledge_warning(
        "infrec-cdk:samplePayloadFileSize", "our endpoints are real-time"
    )
    assert "infrec-cdk:samplePayloadFileSize" not in warning_ids(stack)
