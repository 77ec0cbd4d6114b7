"""The benchmark endpoints' volume key, where SageMaker hosting may refuse or ignore it.

``InputConfig.VolumeKmsKeyId`` is passed to endpoint creation; SageMaker's pages say a KMS key
cannot be used with (or does not encrypt) local NVMe instance storage. The construct sets the key
only when every instance type the job may test is known to use EBS, says so otherwise, keeps a
key the user gives (with a warning), and grants the job role only the keys the request names.
See ``infrec_cdk/_instance_storage.py`` for the sources.
"""

from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from infrec_cdk import (
    ContainerConfig,
    EndpointConfiguration,
    InferenceRecommendationsJob,
    ModelSource,
    Phase,
    RecommendedEndpoint,
    ServerlessConfig,
    StoppingConditions,
    SupportedEndpointType,
    TrafficPattern,
    Wait,
)
from infrec_cdk._instance_storage import (
    EBS_ONLY_FAMILIES,
    INSTANCE_STORE_FAMILIES,
    Storage,
    instance_family,
    storage_of,
)
from tests.annotations import warning_ids

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def new_stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "TestStack")


def request(**input_config: Any) -> dict[str, Any]:
    job_type = "Advanced" if "EndpointConfigurations" in input_config else "Default"
    extra: dict[str, Any] = {}
    if job_type == "Advanced":
        extra = {
            "StoppingConditions": {"MaxInvocations": 300},
        }
        input_config.setdefault(
            "TrafficPattern",
            {
                "TrafficType": "PHASES",
                "Phases": [{"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120}],
            },
        )
    return {
        "JobType": job_type,
        "InputConfig": {"ModelPackageVersionArn": PACKAGE, **input_config},
        **extra,
    }


def from_request(req: dict[str, Any]) -> tuple[cdk.Stack, InferenceRecommendationsJob]:
    stack = new_stack()
    job = InferenceRecommendationsJob.from_request(stack, "Job", copy.deepcopy(req))
    return stack, job


def rendered(stack: cdk.Stack) -> dict[str, Any]:
    (resource,) = (
        Template.from_stack(stack).find_resources("Custom::InferenceRecommendationsJob").values()
    )
    return dict(resource["Properties"]["Request"])


def job_statements(stack: cdk.Stack, job: InferenceRecommendationsJob) -> list[dict[str, Any]]:
    policy = job.node.find_child("RolePolicy")
    logical_id = stack.get_logical_id(policy.node.default_child)  # type: ignore[arg-type]
    resource = Template.from_stack(stack).to_json()["Resources"][logical_id]
    return list(resource["Properties"]["PolicyDocument"]["Statement"])


def actions(statements: list[dict[str, Any]]) -> set[str]:
    return {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }


# --- the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "family", "storage"),
    [
        ("ml.g5.2xlarge", "g5", Storage.INSTANCE_STORE),
        ("ml.g4dn.xlarge", "g4dn", Storage.INSTANCE_STORE),
        ("ml.p4d.24xlarge", "p4d", Storage.INSTANCE_STORE),
        ("ml.trn1.32xlarge", "trn1", Storage.INSTANCE_STORE),
        ("ml.dl1.24xlarge", "dl1", Storage.INSTANCE_STORE),
        ("ml.m5d.large", "m5d", Storage.INSTANCE_STORE),
        # Not in the table, but EC2's naming convention: "d - Instance store volumes".
        ("ml.c6id.xlarge", "c6id", Storage.INSTANCE_STORE),
        ("ml.r7gd.large", "r7gd", Storage.INSTANCE_STORE),
        ("ml.x2iedn.xlarge", "x2iedn", Storage.INSTANCE_STORE),
        ("ml.c5.xlarge", "c5", Storage.EBS),
        ("ml.m5.large", "m5", Storage.EBS),
        ("ml.c6i.2xlarge", "c6i", Storage.EBS),
        ("ml.inf2.xlarge", "inf2", Storage.EBS),
        ("ml.p3.2xlarge", "p3", Storage.EBS),
        # Newer than the table: not known to be EBS-only.
        ("ml.g6.xlarge", "g6", Storage.UNKNOWN),
        ("ml.p5.48xlarge", "p5", Storage.UNKNOWN),
        ("ml.p6-b200.48xlarge", "p6-b200", Storage.UNKNOWN),
        ("ml.m7i.large", "m7i", Storage.UNKNOWN),
        # Not an instance type name at all.
        ("g5.xlarge", None, Storage.UNKNOWN),
        ("ml.g5", None, Storage.UNKNOWN),
    ],
)
def test_instance_types_are_matched_by_family(instance_type, family, storage):
    assert instance_family(instance_type) == family
    assert storage_of(instance_type) == storage


def test_the_tables_do_not_overlap_and_ebs_families_have_no_instance_store_letter():
    assert not EBS_ONLY_FAMILIES & INSTANCE_STORE_FAMILIES
    for family in EBS_ONLY_FAMILIES:
        assert storage_of(f"ml.{family}.xlarge") == Storage.EBS, family


def test_every_hosting_family_of_the_api_model_is_classified_or_unknown_on_purpose():
    # botocore's ProductionVariantInstanceType: the families SageMaker hosting offers. A family
    # the table does not know stays UNKNOWN (no default key); listing them keeps that a choice.
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape: Any = model.shape_for("ProductionVariantInstanceType")
    families = {value.split(".")[1] for value in shape.enum}
    unknown = {
        family for family in families if storage_of(f"ml.{family}.xlarge") == Storage.UNKNOWN
    }
    assert unknown <= {
        "c7i", "c8g", "g6", "g6e", "g7", "g7e", "m7i", "m8g", "p5", "p5e", "p5en",
        "p6-b200", "p6-b300", "p6e-gb200", "r7i", "r8g", "trn2",
    }  # fmt: skip


# --- the construct ------------------------------------------------------------------------------


def test_default_job_where_sagemaker_picks_the_instances_gets_no_volume_key_and_a_warning():
    stack = new_stack()
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE)
    )

    assert "VolumeKmsKeyId" not in rendered(stack)["InputConfig"]
    assert "KmsKeyId" in rendered(stack)["OutputConfig"]
    assert "infrec-cdk:volumeKeyNotSet" in warning_ids(stack)
    statements = job_statements(stack, job)
    assert "kms:CreateGrant" not in actions(statements)
    assert not {s.get("Sid") for s in statements} & {"VolumeKey", "VolumeKeyDescribe"}
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= actions(statements)


def test_default_job_narrowed_to_ebs_instance_types_gets_the_key_and_its_grant():
    stack = new_stack()
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        container_config=ContainerConfig(supported_instance_types=["ml.c5.xlarge", "ml.m5.large"]),
    )

    key = stack.resolve(job.encryption_key.key_arn)
    assert rendered(stack)["InputConfig"]["VolumeKmsKeyId"] == key
    assert "infrec-cdk:volumeKeyNotSet" not in warning_ids(stack)
    volume = [s for s in job_statements(stack, job) if s.get("Sid") == "VolumeKey"]
    assert [s["Resource"] for s in volume] == [key]


def test_default_job_that_may_pick_a_local_nvme_type_names_it_in_the_warning():
    stack, _job = from_request(
        request(ContainerConfig={"SupportedInstanceTypes": ["ml.c5.xlarge", "ml.g5.2xlarge"]})
    )

    assert "VolumeKmsKeyId" not in rendered(stack)["InputConfig"]
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Job",
        Match.string_like_regexp(r"VolumeKmsKeyId: is left unset.*ml\.g5\.2xlarge \(local NVMe"),
    )


def test_serverless_only_default_job_gets_the_key():
    stack, _job = from_request(request(ContainerConfig={"SupportedEndpointType": "Serverless"}))
    assert "VolumeKmsKeyId" in rendered(stack)["InputConfig"]


def test_advanced_job_on_ebs_types_and_serverless_gets_the_key():
    stack = new_stack()
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        job_duration=cdk.Duration.hours(1),
        traffic_pattern=TrafficPattern.phases(
            [Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1)]
        ),
        stopping_conditions=StoppingConditions(max_invocations=300),
        endpoint_configurations=[
            EndpointConfiguration.instance("ml.c5.xlarge"),
            EndpointConfiguration.serverless(
                ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)
            ),
        ],
    )
    assert "VolumeKmsKeyId" in rendered(stack)["InputConfig"]
    assert "infrec-cdk:volumeKeyNotSet" not in warning_ids(stack)


@pytest.mark.parametrize(
    ("instance_type", "words"),
    [("ml.g4dn.xlarge", "local NVMe instance storage"), ("ml.g6.xlarge", "storage not known")],
)
def test_advanced_job_testing_a_type_not_known_to_be_ebs_gets_no_key(instance_type, words):
    stack, job = from_request(
        request(
            EndpointConfigurations=[
                {"InstanceType": "ml.c5.xlarge"},
                {"InstanceType": instance_type},
            ]
        )
    )

    assert "VolumeKmsKeyId" not in rendered(stack)["InputConfig"]
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Job", Match.string_like_regexp(f"{instance_type} \\({words}")
    )
    assert "kms:CreateGrant" not in actions(job_statements(stack, job))


def test_a_users_volume_key_is_kept_and_warned_about_on_local_nvme_types():
    stack, job = from_request(
        request(
            VolumeKmsKeyId=KEY,
            EndpointConfigurations=[{"InstanceType": "ml.g5.xlarge"}],
        )
    )

    assert rendered(stack)["InputConfig"]["VolumeKmsKeyId"] == KEY
    assert "infrec-cdk:volumeKeyOnInstanceStorage" in warning_ids(stack)
    volume = [s for s in job_statements(stack, job) if s.get("Sid") == "VolumeKey"]
    assert [s["Resource"] for s in volume] == [KEY]


def test_a_users_volume_key_on_ebs_types_is_kept_silently():
    stack, _job = from_request(
        request(VolumeKmsKeyId=KEY, EndpointConfigurations=[{"InstanceType": "ml.c5.xlarge"}])
    )
    assert rendered(stack)["InputConfig"]["VolumeKmsKeyId"] == KEY
    assert warning_ids(stack) == []


def test_recommended_endpoint_without_a_key_acknowledges_the_kms_finding_with_its_reason():
    stack = new_stack()
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        wait=Wait(endpoint_type=SupportedEndpointType.REAL_TIME),
    )
    endpoint = RecommendedEndpoint(stack, "Endpoint", job=job, model_name="churn")
    template = Template.from_stack(stack).to_json()

    config = template["Resources"][stack.get_logical_id(endpoint.endpoint_config)]
    assert "KmsKeyId" not in config["Properties"]
    suppressed = {entry["id"] for entry in config["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert suppressed == {
        "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
        "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
    }


def test_recommended_endpoint_with_a_key_warns_when_the_job_may_pick_local_nvme_types():
    stack = new_stack()
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        wait=Wait(endpoint_type=SupportedEndpointType.REAL_TIME),
    )
    RecommendedEndpoint(
        stack, "Endpoint", job=job, model_name="churn", encryption_key=job.encryption_key
    )
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Endpoint", Match.string_like_regexp("encryption_key: .*local NVMe")
    )


# --- keys given by alias ------------------------------------------------------------------------


def test_a_key_given_by_alias_is_warned_about_and_gets_no_dead_grant():
    stack, job = from_request(
        request(
            VolumeKmsKeyId="alias/benchmarks",
            ContainerConfig={"SupportedInstanceTypes": ["ml.c5.xlarge"]},
        )
    )

    assert rendered(stack)["InputConfig"]["VolumeKmsKeyId"] == "alias/benchmarks"
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Job",
        Match.string_like_regexp(
            r"InputConfig\.VolumeKmsKeyId: alias/benchmarks names a KMS alias"
        ),
    )
    assert "kms:CreateGrant" not in actions(job_statements(stack, job))
    # Never a made-up key ARN such as key/alias/benchmarks.
    assert ":key/alias/" not in str(stack.resolve(Template.from_stack(stack).to_json()))


def test_an_alias_construct_as_encryption_key_is_warned_about():
    stack = new_stack()
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        encryption_key=kms.Alias.from_alias_name(stack, "Alias", "alias/recommender"),
    )
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Job",
        Match.string_like_regexp(r"OutputConfig\.KmsKeyId: alias/recommender names a KMS alias"),
    )
