"""The InferenceRecommendationsJob construct, checked on synthesized templates."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import poll
import pytest
import request as lambda_request
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Annotations, Capture, Match, Template

from infrec_cdk import (
    RESOURCE_TYPE,
    ContainerConfig,
    EndpointConfiguration,
    FlatInvocations,
    InferenceRecommendationsJob,
    InfrecValidationError,
    JobType,
    LatencyPercentile,
    ModelLatencyThreshold,
    ModelSource,
    PayloadConfig,
    Phase,
    ResourceLimit,
    ServerlessConfig,
    StoppingConditions,
    TrafficPattern,
    Wait,
)
from infrec_cdk._job import HANDLER_TAGS, WAITER_TAGS
from tests.annotations import warning_ids

PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
PAYLOAD_URL = "s3://ml-artifacts/churn/payload.tar.gz"


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "TestStack")


def default_job(stack: cdk.Stack, id: str = "Job", **props: Any) -> InferenceRecommendationsJob:
    return InferenceRecommendationsJob(
        stack, id, model=ModelSource.from_model_package_version(PACKAGE_ARN), **props
    )


def advanced_job(stack: cdk.Stack, **props: Any) -> InferenceRecommendationsJob:
    return default_job(
        stack,
        job_duration=cdk.Duration.hours(2),
        endpoint_configurations=[
            EndpointConfiguration.instance("ml.c5.xlarge"),
            EndpointConfiguration.serverless(
                ServerlessConfig(memory_size_in_mb=2048, max_concurrency=10)
            ),
        ],
        traffic_pattern=TrafficPattern.phases(
            [Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1)]
        ),
        stopping_conditions=StoppingConditions(
            max_invocations=1000,
            model_latency_threshold=ModelLatencyThreshold(
                percentile=LatencyPercentile.P95, value=cdk.Duration.millis(100)
            ),
            flat_invocations=FlatInvocations.STOP,
        ),
        resource_limit=ResourceLimit(max_number_of_tests=2, max_parallel_of_tests=1),
        **props,
    )


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of ``construct``'s CloudFormation resource (its L1 child, for L2s)."""
    while not isinstance(construct, cdk.CfnElement):
        construct = construct.node.default_child
    return stack.get_logical_id(construct)


def request_of(template: Template) -> dict[str, Any]:
    resources = template.find_resources(RESOURCE_TYPE)
    assert len(resources) == 1
    (resource,) = resources.values()
    request: dict[str, Any] = resource["Properties"]["Request"]
    return request


def statements(template: Template) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def test_starts_the_job_from_a_custom_resource(stack):
    job = default_job(stack)
    template = Template.from_stack(stack)

    template.resource_count_is(RESOURCE_TYPE, 1)
    template.has_resource_properties(
        RESOURCE_TYPE,
        {
            "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("InfrecJobHandler"), "Arn"]},
            "JobNamePrefix": Match.string_like_regexp("^teststack-[0-9a-f]{4}-job$"),
            "Request": Match.object_like(
                {
                    "JobType": "Default",
                    "InputConfig": Match.object_like({"ModelPackageVersionArn": PACKAGE_ARN}),
                }
            ),
        },
    )
    assert "JobName" not in request_of(template)
    resource_id = logical_id(stack, job.node.default_child)
    assert stack.resolve(job.job_arn) == {"Fn::GetAtt": [resource_id, "JobArn"]}
    assert stack.resolve(job.job_name) == {"Fn::GetAtt": [resource_id, "JobName"]}


def test_job_type_is_advanced_when_load_test_settings_are_given(stack):
    advanced_job(stack)
    request = request_of(Template.from_stack(stack))

    assert request["JobType"] == "Advanced"
    assert request["InputConfig"]["JobDurationInSeconds"] == 7200
    assert request["InputConfig"]["TrafficPattern"] == {
        "TrafficType": "PHASES",
        "Phases": [{"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120}],
    }
    assert request["InputConfig"]["EndpointConfigurations"] == [
        {"InstanceType": "ml.c5.xlarge"},
        {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 10}},
    ]
    assert request["StoppingConditions"] == {
        "MaxInvocations": 1000,
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 100}],
        "FlatInvocations": "Stop",
    }
    assert request["InputConfig"]["ResourceLimit"] == {
        "MaxNumberOfTests": 2,
        "MaxParallelOfTests": 1,
    }


def test_explicit_job_type_wins(stack):
    advanced_job(stack, job_type=JobType.DEFAULT)
    assert request_of(Template.from_stack(stack))["JobType"] == "Default"
    assert warning_ids(stack) == [
        "infrec-cdk:defaultJobEndpointConfigurations",
        "infrec-cdk:defaultJobResourceLimit",
        "infrec-cdk:defaultJobStoppingConditions",
        "infrec-cdk:defaultJobTrafficPattern",
        "infrec-cdk:volumeKeyNotSet",
    ]


def test_provisions_a_rotated_retained_key(stack):
    # The volume key is set where every instance type the job may test uses EBS.
    default_job(stack, container_config=ContainerConfig(supported_instance_types=["ml.c5.xlarge"]))
    template = Template.from_stack(stack)

    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": Match.object_like({"EnableKeyRotation": True}),
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )
    key = Capture()
    template.has_resource_properties(
        RESOURCE_TYPE,
        {
            "Request": Match.object_like(
                {
                    "InputConfig": Match.object_like({"VolumeKmsKeyId": key}),
                    "OutputConfig": Match.object_like(
                        {"KmsKeyId": {"Fn::GetAtt": [Match.any_value(), "Arn"]}}
                    ),
                }
            )
        },
    )
    assert key.as_object()["Fn::GetAtt"][1] == "Arn"


def test_provisions_a_safe_output_bucket(stack):
    default_job(stack)
    template = Template.from_stack(stack)

    template.has_resource(
        "AWS::S3::Bucket",
        {
            "Properties": Match.object_like(
                {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            Match.object_like(
                                {
                                    "ServerSideEncryptionByDefault": {
                                        "SSEAlgorithm": "aws:kms",
                                        "KMSMasterKeyID": Match.any_value(),
                                    }
                                }
                            )
                        ]
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                }
            ),
            "DeletionPolicy": "Retain",
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )
    uri = request_of(template)["OutputConfig"]["CompiledOutputConfig"]["S3OutputUri"]
    assert stack.to_json_string(uri)  # resolvable
    assert uri["Fn::Join"][1][0] == "s3://"


def test_removal_policy_destroy_applies_to_key_and_bucket(stack):
    default_job(stack, removal_policy=cdk.RemovalPolicy.DESTROY)
    template = Template.from_stack(stack)
    template.has_resource("AWS::KMS::Key", {"DeletionPolicy": "Delete"})
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})


def test_job_role_is_least_privilege(stack):
    job = default_job(
        stack,
        container_config=ContainerConfig(
            payload_config=PayloadConfig(sample_payload_url=PAYLOAD_URL),
            supported_instance_types=["ml.c5.xlarge"],
        ),
    )
    template = Template.from_stack(stack)
    role_id = logical_id(stack, job.role.node.default_child)

    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {"Principal": {"Service": "sagemaker.amazonaws.com"}, "Effect": "Allow"}
                    )
                ]
            }
        },
    )
    for role in template.find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]

    job_policy = next(
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if policy["Properties"]["Roles"] == [{"Ref": role_id}]
    )
    actions = {
        a
        for s in job_policy
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "sagemaker:*" not in actions
    assert {"kms:CreateGrant", "kms:GenerateDataKey", "sagemaker:CreateEndpoint"} <= actions
    assert all(not a.endswith("*") for a in actions)
    wildcard = [s["Sid"] for s in job_policy if s["Resource"] == "*"]
    assert sorted(wildcard) == ["BenchmarkMetricsRead", "EcrLogin", "EndpointMetrics"]
    pass_role = next(s for s in job_policy if s.get("Sid") == "PassOwnRoleToSageMaker")
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    reads = [s["Resource"] for s in job_policy if s["Action"] == "s3:GetObject"]
    payload = "arn:aws:s3:::ml-artifacts/churn/payload.tar.gz"
    assert [stack.resolve(r) for r in reads] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, payload.removeprefix("arn:aws")]]}
    ]
    describe = next(s for s in job_policy if s["Action"] == "sagemaker:DescribeModelPackage")
    assert describe["Resource"] == PACKAGE_ARN


def test_one_handler_per_stack_shared_by_every_job(stack):
    default_job(stack, "First")
    default_job(stack, "Second")
    template = Template.from_stack(stack)

    template.resource_count_is(RESOURCE_TYPE, 2)
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Runtime": "python3.14", "Handler": "handler.handler", "Timeout": 300},
    )
    prefixes = [
        r["Properties"]["JobNamePrefix"] for r in template.find_resources(RESOURCE_TYPE).values()
    ]
    assert len(set(prefixes)) == 2


def test_handler_may_touch_only_this_stacks_jobs_and_pass_only_job_roles(stack):
    first = default_job(stack, "First")
    second = default_job(stack, "Second")
    template = Template.from_stack(stack)

    by_sid = {s.get("Sid"): s for s in statements(template)}
    create = by_sid["CreateOwnJobs"]
    assert set(create["Action"]) == {
        "sagemaker:CreateInferenceRecommendationsJob",
        "sagemaker:AddTags",
    }
    owned = {"Fn::Join": ["", [{"Ref": "AWS::StackId"}, "/*"]]}
    assert create["Condition"] == {"StringLike": {"aws:RequestTag/infrec-cdk:owner": owned}}
    assert by_sid["OwnJobs"]["Condition"] == {
        "StringLike": {"aws:ResourceTag/infrec-cdk:owner": owned}
    }
    by_name = [
        s
        for s in statements(template)
        if "Sid" not in s and "sagemaker:DescribeInferenceRecommendationsJob" in s["Action"]
    ]
    assert len(by_name) == 1
    resource = by_name[0]["Resource"]
    joined = "".join(part if isinstance(part, str) else "" for part in resource["Fn::Join"][1])
    assert joined.endswith(
        ":inference-recommendations-job/teststack-" + joined.split("teststack-")[1]
    )
    assert joined.endswith("-*")
    assert set(by_name[0]["Action"]) == {
        "sagemaker:DescribeInferenceRecommendationsJob",
        "sagemaker:StopInferenceRecommendationsJob",
        "sagemaker:ListTags",
    }

    pass_roles = [s for s in statements(template) if s["Action"] == "iam:PassRole"]
    passed = [stack.resolve(s["Resource"]) for s in pass_roles]
    for job in (first, second):
        assert stack.resolve(job.role.role_arn) in passed
    for s in pass_roles:
        assert s["Condition"] == {
            "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
        }


def test_custom_resource_outlives_the_permissions_it_needs(stack):
    job = default_job(stack)
    template = Template.from_stack(stack)
    resource_id = logical_id(stack, job.node.default_child)
    depends_on = template.to_json()["Resources"][resource_id]["DependsOn"]
    policies = set(template.find_resources("AWS::IAM::Policy"))
    assert policies <= set(depends_on)


def test_uses_the_role_key_and_bucket_it_is_given(stack):
    role = iam.Role(stack, "MyRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    key = kms.Key(stack, "MyKey", enable_key_rotation=True)
    bucket = s3.Bucket(stack, "MyBucket", encryption_key=key)
    job = default_job(
        stack,
        role=role,
        encryption_key=key,
        output_bucket=bucket,
        container_config=ContainerConfig(supported_instance_types=["ml.c5.xlarge"]),
    )
    template = Template.from_stack(stack)

    assert job.role is role
    assert job.encryption_key is key
    assert job.output_bucket is bucket
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::S3::Bucket", 1)
    request = request_of(template)
    assert stack.resolve(request["RoleArn"]) == stack.resolve(role.role_arn)
    assert request["InputConfig"]["VolumeKmsKeyId"] == stack.resolve(key.key_arn)


def test_vpc_gets_a_security_group_without_inbound_rules_and_private_subnets(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    job = default_job(stack, vpc=vpc)
    template = Template.from_stack(stack)

    assert len(job.security_groups) == 1
    group_id = logical_id(stack, job.security_groups[0].node.default_child)
    group = template.to_json()["Resources"][group_id]["Properties"]
    assert "SecurityGroupIngress" not in group
    vpc_config = request_of(template)["InputConfig"]["VpcConfig"]
    assert vpc_config["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    private = [stack.resolve(s.subnet_id) for s in vpc.private_subnets]
    assert vpc_config["Subnets"] == private
    actions = [
        a
        for s in statements(template)
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert "ec2:CreateNetworkInterface" in actions


def test_no_vpc_means_no_network_permissions(stack):
    default_job(stack)
    template = Template.from_stack(stack)
    assert "VpcConfig" not in request_of(template)["InputConfig"]
    flat = str(statements(template))
    assert "ec2:" not in flat


def test_model_from_a_cfn_model_waits_for_it(stack):
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn="arn:aws:iam::123456789012:role/model",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(image="image:1"),
    )
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model(model),
        container_config=ContainerConfig(
            domain="MACHINE_LEARNING",
            task="OTHER",
            framework="XGBOOST",
            payload_config=PayloadConfig(sample_payload_url=PAYLOAD_URL),
        ),
    )
    template = Template.from_stack(stack)
    model_id = logical_id(stack, model)
    assert request_of(template)["InputConfig"]["ModelName"] == {
        "Fn::GetAtt": [model_id, "ModelName"]
    }
    # The GetAtt orders the model before the job (created first, deleted last), no DependsOn.
    resource_id = logical_id(stack, job.node.default_child)
    assert model_id not in template.to_json()["Resources"][resource_id].get("DependsOn", [])


def test_from_request_keeps_the_request_and_provisions_the_rest(stack):
    request = {
        "JobType": "Default",
        "JobDescription": "from a file",
        "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
    }
    job = InferenceRecommendationsJob.from_request(stack, "Job", request)
    template = Template.from_stack(stack)

    rendered = request_of(template)
    assert rendered["JobDescription"] == "from a file"
    assert stack.resolve(rendered["RoleArn"]) == stack.resolve(job.role.role_arn)
    assert set(rendered["OutputConfig"]) == {"KmsKeyId", "CompiledOutputConfig"}
    # SageMaker picks the instance types (maybe with local NVMe storage): no volume key.
    assert "VolumeKmsKeyId" not in rendered["InputConfig"]
    assert request == {
        "JobType": "Default",
        "JobDescription": "from a file",
        "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
    }, "the caller's dict is not modified"
    assert isinstance(job, InferenceRecommendationsJob)


def test_from_request_uses_a_given_role_arn_as_is(stack):
    role_arn = "arn:aws:iam::123456789012:role/recommender"
    InferenceRecommendationsJob.from_request(
        stack,
        "Job",
        {
            "JobType": "Default",
            "RoleArn": role_arn,
            "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
        },
    )
    template = Template.from_stack(stack)
    assert request_of(template)["RoleArn"] == role_arn
    template.resource_count_is("AWS::IAM::Role", 1)  # only the handler's
    pass_role = [s for s in statements(template) if s["Action"] == "iam:PassRole"]
    assert [s["Resource"] for s in pass_role] == [role_arn]


def test_fixed_job_name_is_allowed_to_the_handler_and_warned_about(stack):
    default_job(stack, job_name="Churn-Recommendation")
    template = Template.from_stack(stack)

    assert request_of(template)["JobName"] == "Churn-Recommendation"
    resources = [
        stack.resolve(s["Resource"])
        for s in statements(template)
        if "Sid" not in s and "sagemaker:DescribeInferenceRecommendationsJob" in s["Action"]
    ]
    flat = str(resources)
    assert "inference-recommendations-job/Churn-Recommendation" in flat
    assert "inference-recommendations-job/churn-recommendation" in flat
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Job", Match.string_like_regexp("never reuses job names")
    )


def test_bad_input_fails_at_synth_naming_the_field(stack):
    with pytest.raises(InfrecValidationError) as raised:
        default_job(
            stack,
            job_duration=cdk.Duration.hours(1),
            endpoint_configurations=[EndpointConfiguration.instance("ml.c5.xlarge")],
            traffic_pattern=TrafficPattern.phases(
                [
                    Phase(
                        duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1
                    ),
                    Phase(
                        duration=cdk.Duration.seconds(60), initial_number_of_users=1, spawn_rate=1
                    ),
                ]
            ),
            stopping_conditions=StoppingConditions(max_invocations=10),
            description="x" * 129,
        )
    message = str(raised.value)
    assert (
        "InputConfig.TrafficPattern.Phases[1].DurationInSeconds: 60 is below the minimum 120"
        in message
    )
    assert "JobDescription" in message
    assert "in TestStack/Job" in message
    assert len(raised.value.problems) >= 2


def test_from_request_rejects_a_non_mapping(stack):
    with pytest.raises(InfrecValidationError, match="request: expected a mapping"):
        InferenceRecommendationsJob.from_request(stack, "Job", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_leaves_room_for_every_tag_the_library_adds(stack):
    # The handler adds two tags (create request, owner); a waiting job gets the waiter's third.
    with pytest.raises(InfrecValidationError, match=r"Tags: has 49 items, at most 48"):
        default_job(stack, tags={f"k{i}": "v" for i in range(49)})
    default_job(stack, "Fits", tags={f"k{i}": "v" for i in range(48)})
    with pytest.raises(InfrecValidationError, match=r"Tags: has 48 items, at most 47") as raised:
        default_job(stack, "Waits", tags={f"k{i}": "v" for i in range(48)}, wait=Wait())
    assert "infrec-cdk:announced" in str(raised.value)
    default_job(stack, "WaitsAndFits", tags={f"k{i}": "v" for i in range(47)}, wait=Wait())


def test_the_library_tags_match_what_the_lambdas_add():
    assert set(HANDLER_TAGS) == set(lambda_request.OWN_TAGS)
    assert WAITER_TAGS == (poll.ANNOUNCED_TAG,)


def test_fails_when_vpc_is_given_twice(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1)
    request = {
        "JobType": "Default",
        "InputConfig": {
            "ModelPackageVersionArn": PACKAGE_ARN,
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
        },
    }
    with pytest.raises(InfrecValidationError, match=r"InputConfig\.VpcConfig: is given both"):
        InferenceRecommendationsJob.from_request(stack, "Job", request, vpc=vpc)


def test_from_request_keeps_a_given_vpc_config_and_grants_network_access(stack):
    vpc_config = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123abcd"]}
    job = InferenceRecommendationsJob.from_request(
        stack,
        "Job",
        {
            "JobType": "Default",
            "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN, "VpcConfig": vpc_config},
        },
    )
    template = Template.from_stack(stack)
    assert request_of(template)["InputConfig"]["VpcConfig"] == vpc_config
    assert job.security_groups == []
    assert "ec2:CreateNetworkInterface" in str(statements(template))


def test_from_request_with_a_role_token_passes_that_role(stack):
    mine = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    job = InferenceRecommendationsJob.from_request(
        stack,
        "Job",
        {
            "JobType": "Default",
            "RoleArn": mine.role_arn,
            "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
        },
    )
    template = Template.from_stack(stack)
    assert stack.resolve(job.role.role_arn) == stack.resolve(mine.role_arn)
    assert stack.resolve(request_of(template)["RoleArn"]) == stack.resolve(mine.role_arn)
    template.resource_count_is("AWS::IAM::Role", 2)  # the user's and the handler's, no spare
    passed = [
        stack.resolve(s["Resource"]) for s in statements(template) if s["Action"] == "iam:PassRole"
    ]
    assert passed == [stack.resolve(mine.role_arn)]


def test_fails_when_the_role_is_given_twice(stack):
    mine = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    with pytest.raises(InfrecValidationError, match="RoleArn: is given both"):
        InferenceRecommendationsJob.from_request(
            stack,
            "Job",
            {
                "JobType": "Default",
                "RoleArn": "arn:aws:iam::123456789012:role/other",
                "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
            },
            role=mine,
        )


def test_custom_resources_fail_long_before_an_hour_if_nobody_answers(stack):
    # Three invocations (Lambda's async retries) of the 5-minute handler, 1-minute waiter, and
    # the pauses between them fit; CloudFormation's default would be one hour.
    default_job(stack, wait=Wait())
    template = Template.from_stack(stack)

    template.has_resource_properties(RESOURCE_TYPE, {"ServiceTimeout": "1200"})
    template.has_resource_properties(
        "Custom::InferenceRecommendationsResults", {"ServiceTimeout": "600"}
    )


def _nested_prefix_and_scope(unrelated_tokens: int) -> tuple[str, str]:
    app = cdk.App()
    parent = cdk.Stack(app, "Parent")
    for index in range(unrelated_tokens):  # other constructs whose names are tokens
        cdk.NestedStack(parent, f"Other{index}")
    nested = cdk.NestedStack(parent, "Nested")
    default_job(nested)
    template = Template.from_stack(nested).to_json()
    (job,) = [r for r in template["Resources"].values() if r["Type"] == RESOURCE_TYPE]
    scope = next(
        str(statement["Resource"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if "Sid" not in statement
        and "sagemaker:DescribeInferenceRecommendationsJob" in statement["Action"]
    )
    return job["Properties"]["JobNamePrefix"], scope


def test_job_names_in_a_nested_stack_do_not_follow_unrelated_changes():
    # A nested stack's name is a token whose text counts the app's tokens: names made from it
    # would move (with the handler's IAM scope) whenever the app gains an unrelated construct.
    prefix, scope = _nested_prefix_and_scope(0)
    assert (prefix, scope) == _nested_prefix_and_scope(3)
    assert prefix.startswith("parentnest-")
    assert "token" not in prefix
    assert f"inference-recommendations-job/{prefix.rsplit('-', 1)[0]}-*" in scope


def test_the_handler_function_takes_the_tags_applied_to_its_scope():
    def function_tags(tags: dict[str, str]) -> object:
        stack = cdk.Stack(cdk.App(), "TestStack")
        InferenceRecommendationsJob(
            stack, "Job", model=ModelSource.from_model_package_version(PACKAGE_ARN)
        )
        for key, value in tags.items():
            cdk.Tags.of(stack).add(key, value)
        (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
        return function["Properties"].get("Tags")

    assert function_tags({"team": "ml", "cost-center": "42"}) == [
        {"Key": "cost-center", "Value": "42"},
        {"Key": "team", "Value": "ml"},
    ]
    assert function_tags({}) is None
