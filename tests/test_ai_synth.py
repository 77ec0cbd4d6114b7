"""The generative-AI constructs synthesize to the resource contract the handler serves.

One stack (module-scoped) holds a workload configuration, a waiting recommendation job and a
benchmark of an endpoint and inference component of the same stack; smaller stacks check
``from_request``, the errors and the warnings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match, Template

from infrec_cdk import (
    AIAdapter,
    AIBenchmarkJob,
    AIModel,
    AIPerformanceMetric,
    AIRecommendationJob,
    AIWorkloadConfig,
    AIWorkloadDataset,
    InferenceRecommender,
    InfrecValidationError,
    MlflowConfig,
    Objective,
    Wait,
    WorkloadSpec,
)
from infrec_cdk._security import cfn_resource
from tests.example_stacks import waiting_stack

ENV = cdk.Environment(account="123456789012", region="us-east-1")
HANDLER = "InfrecJobHandler8f1c2a7e"
SPEC = WorkloadSpec(parameters={"prompt_input_tokens_mean": 550, "output_tokens_mean": 150})
MLFLOW_APP = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-EXAMPLE"


class Built:
    def __init__(self) -> None:
        self.stack = cdk.Stack(cdk.App(), "Gen", env=ENV)
        stack = self.stack
        models = s3.Bucket.from_bucket_name(stack, "Models", "example-models")
        self.secret = secretsmanager.Secret.from_secret_complete_arn(
            stack, "Token", "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-AbCdEf"
        )
        self.workload = AIWorkloadConfig(
            stack,
            "Workload",
            workload_spec=WorkloadSpec(
                parameters={"concurrency": 4}, secrets={"hf_token": self.secret}
            ),
            datasets=[AIWorkloadDataset.from_bucket("traffic", models, "datasets/traffic/")],
        )
        self.job = AIRecommendationJob(
            stack,
            "Sizing",
            model=AIModel.from_bucket(models, "llama-3-8b/"),
            workload=self.workload,
            performance_target=AIPerformanceMetric.COST,
            adapters=[AIAdapter.from_s3("sql", "s3://example-adapters/sql/")],
            mlflow=MlflowConfig(resource_arn=MLFLOW_APP),
            wait=Wait(),
        )
        self.endpoint = sagemaker.CfnEndpoint(stack, "Endpoint", endpoint_config_name="config")
        self.component = sagemaker.CfnInferenceComponent(
            stack,
            "Component",
            endpoint_name=self.endpoint.attr_endpoint_name,
            specification=sagemaker.CfnInferenceComponent.InferenceComponentSpecificationProperty(
                model_name="llama"
            ),
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            stack,
            "Vpc",
            vpc_id="vpc-0123456789abcdef0",
            availability_zones=["us-east-1a"],
            isolated_subnet_ids=["subnet-0123456789abcdef0"],
        )
        self.benchmark = AIBenchmarkJob(
            stack,
            "Benchmark",
            endpoint=self.endpoint,
            inference_components=[self.component],
            workload=self.workload,
            vpc=vpc,
        )
        self.template = Template.from_stack(stack)
        self.json: dict[str, Any] = dict(self.template.to_json())

    def logical_id(self, construct: Any) -> str:
        return logical_id(self.stack, construct)

    def resource(self, construct: Any) -> dict[str, Any]:
        resource: dict[str, Any] = self.json["Resources"][self.logical_id(construct)]
        return resource

    def statements(self, path_part: str) -> dict[str, dict[str, Any]]:
        """The statements (by Sid) of the IAM policies whose logical id contains ``path_part``."""
        found: dict[str, dict[str, Any]] = {}
        for logical_id, resource in self.json["Resources"].items():
            if resource["Type"] == "AWS::IAM::Policy" and path_part in logical_id:
                for index, statement in enumerate(
                    resource["Properties"]["PolicyDocument"]["Statement"]
                ):
                    found[statement.get("Sid", f"{logical_id}#{index}")] = statement
        return found


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of a construct's CloudFormation resource (itself, or its default child)."""
    return str(stack.resolve(stack.get_logical_id(cfn_resource(construct))))


def by_type(built: Built, kind: str) -> dict[str, Any]:
    return dict(built.template.find_resources(kind))


# --- The resource contract ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "kind", "name_member", "id_part"),
    [
        ("workload", "Custom::AIWorkloadConfig", "AIWorkloadConfigName", "workload"),
        ("job", "Custom::AIRecommendationJob", "AIRecommendationJobName", "sizing"),
        ("benchmark", "Custom::AIBenchmarkJob", "AIBenchmarkJobName", "benchmar"),
    ],
)
def test_each_resource_is_the_stacks_one_handlers_with_a_request_and_a_name_prefix(
    built, attribute, kind, name_member, id_part
):
    resource = built.resource(getattr(built, attribute))
    properties = resource["Properties"]
    assert resource["Type"] == kind
    handler, attribute = properties["ServiceToken"]["Fn::GetAtt"]
    assert handler.startswith(f"{HANDLER}Function")
    assert attribute == "Arn"
    assert properties["ServiceTimeout"] == "1200"
    assert re.fullmatch(rf"gen-[0-9a-f]{{4}}-{id_part}", properties["JobNamePrefix"])
    assert name_member not in properties["Request"]
    assert len(by_type(built, "AWS::Lambda::Function")) == 2  # the handler and the waiter


def test_attributes_are_getatts_of_the_resource(built):
    resolve = built.stack.resolve
    job_id = built.logical_id(built.job)
    assert resolve(built.job.job_arn) == {"Fn::GetAtt": [job_id, "JobArn"]}
    assert resolve(built.job.job_name) == {"Fn::GetAtt": [job_id, "JobName"]}
    workload_id = built.logical_id(built.workload)
    assert resolve(built.workload.workload_config_arn) == {"Fn::GetAtt": [workload_id, "Arn"]}
    assert resolve(built.workload.workload_config_name) == {"Fn::GetAtt": [workload_id, "Name"]}


def test_jobs_name_their_workload_and_start_after_it_and_their_policies(built):
    workload_id = built.logical_id(built.workload)
    for job in (built.job, built.benchmark):
        resource = built.resource(job)
        assert resource["Properties"]["Request"]["AIWorkloadConfigIdentifier"] == {
            "Fn::GetAtt": [workload_id, "Name"]
        }
        depends = resource["DependsOn"]
        assert any(d.startswith(f"{HANDLER}Policy") for d in depends)
        assert any(d.startswith(built.logical_id(job)[:5]) and "RolePolicy" in d for d in depends)


def test_output_and_role_are_provisioned(built):
    request = built.resource(built.job)["Properties"]["Request"]
    assert request["RoleArn"] == {"Fn::GetAtt": [built.logical_id(built.job.role), "Arn"]}
    location = built.stack.resolve(request["OutputConfig"]["S3OutputLocation"])
    assert location["Fn::Join"][1][-1].endswith("-sizing/output")
    assert request["OutputConfig"]["MlflowConfig"] == {"MlflowResourceArn": MLFLOW_APP}


def test_a_created_role_trusts_sagemaker_from_this_account_only(built):
    role = built.resource(built.job.role)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


# --- Waiting ------------------------------------------------------------------------------------


def test_the_wait_says_its_kind_and_waits_up_to_twelve_hours(built):
    (condition,) = by_type(built, "AWS::CloudFormation::WaitCondition").values()
    wait = condition["Metadata"]["infrec-cdk:wait"]
    assert wait["Kind"] == "Custom::AIRecommendationJob"
    assert wait["JobName"] == {"Fn::GetAtt": [built.logical_id(built.job), "JobName"]}
    assert condition["Properties"]["Timeout"] == "43200"


def test_the_results_resource_says_its_kind_and_no_classic_selection(built):
    (results,) = by_type(built, "Custom::InferenceRecommendationsResults").values()
    assert set(results["Properties"]) == {
        "ServiceToken",
        "ServiceTimeout",
        "JobName",
        "Bucket",
        "KeyPrefix",
        "KmsKeyId",
        "Kind",
    }
    assert results["Properties"]["Kind"] == "Custom::AIRecommendationJob"


def test_the_top_recommendation_is_typed_getatts_of_the_results(built):
    results_id = next(iter(by_type(built, "Custom::InferenceRecommendationsResults")))
    top = built.job.recommended
    resolve = built.stack.resolve
    for value, name in [
        (top.instance_type, "InstanceType"),
        (top.instance_count, "InstanceCount"),
        (top.copy_count_per_instance, "CopyCountPerInstance"),
        (top.min_cpu_memory_required_in_mb, "MinCpuMemoryRequiredInMb"),
        (top.image_uri, "ImageUri"),
        (top.model_data_uri, "ModelDataUri"),
        (top.recommendation_index, "RecommendationIndex"),
        (top.environment_variables, "EnvironmentVariables"),
        (top.model_package_arn, "ModelPackageArn"),
        (top.inference_specification_name, "InferenceSpecificationName"),
        (top.benchmark_job_arn, "AIBenchmarkJobArn"),
        (top.description, "RecommendationDescription"),
        (top.optimization_types, "OptimizationTypes"),
        (top.expected_performance, "ExpectedPerformance"),
        (top.recommendation_count, "RecommendationCount"),
        (top.archive_uri, "ArchiveUri"),
    ]:
        assert resolve(value) == {"Fn::GetAtt": [results_id, name]}


def test_the_waiter_may_describe_this_stacks_ai_recommendation_jobs(built):
    statements = built.statements("InfrecJobWaiter3b9d51c4")
    owned = statements["OwnAIRecommendationJobs"]
    assert owned["Action"] == [
        "sagemaker:DescribeAIRecommendationJob",
        "sagemaker:ListTags",
        "sagemaker:AddTags",
    ]
    assert "aws:ResourceTag/infrec-cdk:owner" in owned["Condition"]["StringLike"]
    prefix = built.stack.resolve(statements["StackAIRecommendationJobs"]["Resource"])
    stack_part = built.job._handler.stack_name_part
    assert prefix["Fn::Join"][1][-1] == (
        f":sagemaker:us-east-1:123456789012:ai-recommendation-job/{stack_part}-*"
    )


def test_a_classic_stack_has_no_ai_machinery():
    template = Template.from_stack(waiting_stack(cdk.App())).to_json()
    text = str(template)
    assert "AIRecommendation" not in text
    assert "Kind" not in text
    assert "ai-workload-config" not in text


# --- IAM ----------------------------------------------------------------------------------------


def test_the_handler_may_create_each_kind_with_its_owner_tag_and_look_it_up_by_prefix(built):
    statements = built.statements(HANDLER)
    for kind in ("AIRecommendationJob", "AIBenchmarkJob", "AIWorkloadConfig"):
        create = statements[f"CreateOwn{kind}"]
        assert create["Action"][1] == "sagemaker:AddTags"
        assert "aws:RequestTag/infrec-cdk:owner" in create["Condition"]["StringLike"]
        own = statements[f"Own{kind}"]
        assert "aws:ResourceTag/infrec-cdk:owner" in own["Condition"]["StringLike"]
        stack_prefix = built.stack.resolve(statements[f"Stack{kind}"]["Resource"])
        assert stack_prefix["Fn::Join"][1][-1].endswith("-*")
    assert statements["OwnAIRecommendationJob"]["Action"][:3] == [
        "sagemaker:DescribeAIRecommendationJob",
        "sagemaker:StopAIRecommendationJob",
        "sagemaker:DeleteAIRecommendationJob",
    ]
    passed = [s for s in statements.values() if s["Action"] == "iam:PassRole"]
    assert len(passed) == 2  # each job's own role, to SageMaker only
    assert all(
        s["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
        for s in passed
    )


def test_the_recommendation_role_reads_exactly_what_the_request_names(built):
    statements = built.statements("SizingRolePolicy")
    resolve = built.stack.resolve
    model = resolve(statements["ReadModel"]["Resource"])
    assert model["Fn::Join"][1][-1] == ":s3:::example-models/llama-3-8b/*"
    assert statements["ListModel"]["Condition"] == {"StringLike": {"s3:prefix": ["llama-3-8b/*"]}}
    adapter = resolve(statements["ReadAdapter0"]["Resource"])
    assert adapter["Fn::Join"][1][-1] == ":s3:::example-adapters/sql/*"
    dataset = resolve(statements["ReadDataset0"]["Resource"])
    assert dataset["Fn::Join"][1][-1] == ":s3:::example-models/datasets/traffic/*"
    assert statements["WorkloadSecrets"]["Resource"] == (
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-AbCdEf"
    )
    group = resolve(statements["AdapterPackageGroup"]["Resource"])
    assert group["Fn::Join"][1][-1].endswith(f":model-package-group/{built.job.job_name_prefix}*")
    packages = resolve(statements["AdapterPackages"]["Resource"])
    assert packages["Fn::Join"][1][-1].endswith(f":model-package/{built.job.job_name_prefix}*/*")
    assert statements["MlflowApp"] == {
        "Action": "sagemaker:DescribeMlflowApp",
        "Effect": "Allow",
        "Resource": MLFLOW_APP,
        "Sid": "MlflowApp",
    }
    actions = [a for s in statements.values() for a in _list(s["Action"])]
    assert not [a for a in actions if a.endswith("*")]


def test_the_benchmark_role_invokes_only_its_target_from_its_vpc(built):
    statements = built.statements("BenchmarkRolePolicy")
    assert statements["InvokeTarget"]["Resource"] == {"Ref": built.logical_id(built.endpoint)}
    assert statements["InvokeTargetComponents"]["Resource"] == {
        "Fn::GetAtt": [built.logical_id(built.component), "InferenceComponentArn"]
    }
    assert "VpcCreateNetworkInterface" in statements
    assert "CandidateDeployments" not in statements  # only a recommendation job deploys
    assert "BenchmarkTrainingJobs" in statements
    request = built.resource(built.benchmark)["Properties"]["Request"]
    assert request["BenchmarkTarget"]["Endpoint"]["Identifier"] == {
        "Fn::GetAtt": [built.logical_id(built.endpoint), "EndpointName"]
    }
    assert request["NetworkConfig"]["VpcConfig"]["Subnets"] == ["subnet-0123456789abcdef0"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- from_request -------------------------------------------------------------------------------


def stack_of(name: str) -> cdk.Stack:
    return cdk.Stack(cdk.App(), name, env=ENV)


@pytest.mark.parametrize("kind", ["recommendation", "benchmark"])
def test_from_request_refuses_a_workload_named_twice(kind):
    stack = stack_of(f"Twice{kind}")
    workload = AIWorkloadConfig(
        stack, "Workload", workload_spec=WorkloadSpec(parameters={"concurrency": 8})
    )
    request: dict[str, Any] = (
        {
            "ModelSource": {"S3": {"S3Uri": "s3://raw-models/m/"}},
            "PerformanceTarget": {"Constraints": [{"Metric": "ttft-ms"}]},
        }
        if kind == "recommendation"
        else {"BenchmarkTarget": {"Endpoint": {"Identifier": "My-Endpoint"}}}
    )
    request["AIWorkloadConfigIdentifier"] = "existing"
    from_request = (
        AIRecommendationJob.from_request
        if kind == "recommendation"
        else AIBenchmarkJob.from_request
    )
    with pytest.raises(InfrecValidationError, match="AIWorkloadConfigIdentifier: is given both"):
        from_request(stack, "Job", request, workload=workload)


def test_from_request_fills_in_the_name_role_and_output_it_leaves_out():
    stack = stack_of("Raw")
    workload = AIWorkloadConfig.from_request(
        stack,
        "Workload",
        {
            "AIWorkloadConfigs": {"WorkloadSpec": {"Inline": "benchmark:\n  type: aiperf\n"}},
            "DatasetConfig": {
                "InputDataConfig": [
                    {
                        "ChannelName": "t",
                        "DataSource": {"S3DataSource": {"S3Uri": "s3://raw-data/t/"}},
                    }
                ]
            },
        },
    )
    AIRecommendationJob.from_request(
        stack,
        "Job",
        {
            "ModelSource": {"S3": {"S3Uri": "s3://raw-models/m/"}},
            "PerformanceTarget": {"Constraints": [{"Metric": "ttft-ms"}]},
        },
        workload=workload,
    )
    AIBenchmarkJob.from_request(
        stack,
        "Bench",
        {
            "BenchmarkTarget": {"Endpoint": {"Identifier": "My-Endpoint"}},
            "AIWorkloadConfigIdentifier": "existing",
            "RoleArn": "arn:aws:iam::123456789012:role/benchmarker",
        },
    )
    template = Template.from_stack(stack)
    (job,) = template.find_resources("Custom::AIRecommendationJob").values()
    request = job["Properties"]["Request"]
    assert {"RoleArn", "OutputConfig", "AIWorkloadConfigIdentifier"} <= set(request)
    assert "AIRecommendationJobName" not in request
    (bench,) = template.find_resources("Custom::AIBenchmarkJob").values()
    assert bench["Properties"]["Request"]["RoleArn"] == "arn:aws:iam::123456789012:role/benchmarker"
    # A RoleArn in the request is used as is: no role is created, no policy written for it.
    roles = template.find_resources("AWS::IAM::Role")
    assert not [logical_id for logical_id in roles if logical_id.startswith("BenchRole")]
    policies = template.find_resources("AWS::IAM::Policy")
    job_policy = next(p for lid, p in policies.items() if lid.startswith("JobRolePolicy"))
    reads = [
        s["Resource"]
        for s in job_policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") in {"ReadModel", "ReadDataset0"}
    ]
    assert [stack.resolve(r)["Fn::Join"][1][-1] for r in reads] == [
        ":s3:::raw-models/m/*",
        ":s3:::raw-data/t/*",
    ]


def test_from_request_refuses_a_workload_given_twice():
    stack = stack_of("Twice")
    workload = AIWorkloadConfig(stack, "W", workload_spec=SPEC)
    with pytest.raises(InfrecValidationError, match="AIWorkloadConfigIdentifier: is given both"):
        AIBenchmarkJob.from_request(
            stack,
            "Bench",
            {
                "BenchmarkTarget": {"Endpoint": {"Identifier": "e"}},
                "AIWorkloadConfigIdentifier": "existing",
            },
            workload=workload,
        )


# --- Errors and warnings ------------------------------------------------------------------------


def recommendation(stack: cdk.Stack, id: str = "Job", **props: Any) -> AIRecommendationJob:
    values: dict[str, Any] = {
        "model": AIModel.from_s3("s3://models/m/"),
        "workload": "existing",
        "performance_target": AIPerformanceMetric.THROUGHPUT,
    }
    return AIRecommendationJob(stack, id, **(values | props))


def test_errors_name_every_field_path_at_once():
    with pytest.raises(InfrecValidationError) as raised:
        recommendation(
            stack_of("Bad"),
            adapters=[
                AIAdapter.from_s3("a", "s3://b/a/"),
                AIAdapter.from_model_package(
                    "b", "arn:aws:sagemaker:us-east-1:1:model-package/x/1"
                ),
            ],
            job_name="bad_name",
        )
    message = str(raised.value)
    assert "AIRecommendationJobName: 'bad_name' must match" in message
    assert "AdapterSource: must set exactly one of" in message
    assert "AdapterSource.ModelPackageArns[0].ModelPackageArn" in message


def test_a_wait_may_not_select_as_a_classic_one():
    with pytest.raises(InfrecValidationError) as raised:
        recommendation(
            stack_of("Select"),
            wait=Wait(objective=Objective.LOWEST_LATENCY, max_cost_per_hour=10),
        )
    assert "wait.objective: selects among a classic job's recommendations" in str(raised.value)
    assert "wait.max_cost_per_hour" in str(raised.value)


def test_waiting_on_a_bucket_without_its_key_is_refused():
    stack = stack_of("NoKey")
    bucket = s3.Bucket.from_bucket_name(stack, "Out", "outputs")
    with pytest.raises(InfrecValidationError, match="give the bucket's encryption_key too"):
        recommendation(stack, output_bucket=bucket, wait=Wait())


def test_a_recommender_shares_its_role_key_and_bucket_and_merges_the_policy():
    stack = stack_of("Shared")
    recommender = InferenceRecommender(stack, "Recommender")
    first = recommendation(stack, "First", recommender=recommender)
    second = recommendation(stack, "Second", recommender=recommender)
    assert first.role is second.role is recommender.role
    assert first.output_bucket is recommender.output_bucket
    template = Template.from_stack(stack)
    assert len(template.find_resources("AWS::KMS::Key")) == 1
    policies = [lid for lid in template.find_resources("AWS::IAM::Policy") if "RolePolicy" in lid]
    assert policies == [next(lid for lid in policies if lid.startswith("RecommenderRolePolicy"))]
    with pytest.raises(InfrecValidationError, match="role: is given to a job attached"):
        recommendation(
            stack,
            "Third",
            recommender=recommender,
            role=iam.Role.from_role_arn(stack, "R", "arn:aws:iam::123456789012:role/r"),
        )


def test_warnings_are_annotations_with_ids(tmp_path: Path):
    stack = stack_of("Warned")
    (tmp_path / "config.json").write_text("{}")
    recommendation(
        stack,
        model=AIModel.from_asset(str(tmp_path)),
        performance_target=[AIPerformanceMetric.COST, AIPerformanceMetric.THROUGHPUT],
        mlflow=MlflowConfig(resource_arn=MLFLOW_APP),
        job_name="fixed-name",
    )
    annotations = Annotations.from_stack(stack)
    for warning in (
        "infrec-cdk:modelAssetArchive",
        "infrec-cdk:performanceTargetCount",
        "infrec-cdk:mlflowActionsUndocumented",
        "infrec-cdk:fixedJobName",
    ):
        found = annotations.find_warning(
            "/Warned/Job", Match.string_like_regexp(f"\\[ack: {warning}\\]")
        )
        assert found, warning


def test_a_file_asset_is_uploaded_as_is_and_its_object_read(tmp_path: Path):
    stack = stack_of("Asset")
    model = tmp_path / "model.safetensors"
    model.write_text("weights")
    job = recommendation(stack, model=AIModel.from_asset(str(model)))
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("modelAssetArchive"))
    resources = Template.from_stack(stack).to_json()["Resources"]
    request = resources[logical_id(stack, job)]["Properties"]["Request"]
    uri = request["ModelSource"]["S3"]["S3Uri"]
    assert uri.startswith("s3://cdk-hnb659fds-assets-123456789012-us-east-1/")
    assert uri.endswith(".safetensors")
    read = next(
        s
        for lid, r in resources.items()
        if lid.startswith("JobRolePolicy")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "ReadModel"
    )
    assert read["Resource"]["Fn::Join"][1][-1].endswith(".safetensors*")


def test_tags_of_reach_the_request():
    stack = stack_of("Tagged")
    job = recommendation(stack, tags={"team": "ml"})
    cdk.Tags.of(stack).add("cost-center", "42")
    template = Template.from_stack(stack)
    (resource,) = template.find_resources("Custom::AIRecommendationJob").values()
    assert resource["Properties"]["Request"]["Tags"] == [
        {"Key": "cost-center", "Value": "42"},
        {"Key": "team", "Value": "ml"},
    ]
    assert job.tags.has_tags()


def test_a_benchmark_of_an_endpoint_by_name_invokes_its_lowercase_arn():
    stack = stack_of("ByName")
    AIBenchmarkJob(
        stack,
        "Bench",
        endpoint="My-Endpoint",
        inference_components=["My-Component"],
        workload="existing",
        encryption_key=kms.Key.from_key_arn(
            stack,
            "K",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        output_bucket=s3.Bucket.from_bucket_name(stack, "O", "outputs"),
    )
    template = Template.from_stack(stack).to_json()
    statements = {
        s.get("Sid"): s
        for lid, r in template["Resources"].items()
        if lid.startswith("BenchRolePolicy")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    }
    invoke = stack.resolve(statements["InvokeTarget"]["Resource"])
    assert invoke["Fn::Join"][1][-1].endswith(":endpoint/my-endpoint")
    component = stack.resolve(statements["InvokeTargetComponents"]["Resource"])
    assert component["Fn::Join"][1][-1].endswith(":inference-component/my-component")


def test_a_benchmark_attached_to_a_recommender_runs_in_its_vpc_and_takes_no_vpc_of_its_own():
    stack = stack_of("SharedVpc")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a"],
        isolated_subnet_ids=["subnet-0123456789abcdef0"],
    )
    recommender = InferenceRecommender(stack, "Recommender", vpc=vpc)
    bench = AIBenchmarkJob(stack, "Bench", endpoint="e", workload="w", recommender=recommender)
    assert bench.security_groups == recommender.security_groups
    (resource,) = Template.from_stack(stack).find_resources("Custom::AIBenchmarkJob").values()
    vpc_config = resource["Properties"]["Request"]["NetworkConfig"]["VpcConfig"]
    assert vpc_config["Subnets"] == ["subnet-0123456789abcdef0"]
    with pytest.raises(InfrecValidationError, match="vpc: is given to a job attached"):
        AIBenchmarkJob(stack, "Other", endpoint="e", workload="w", recommender=recommender, vpc=vpc)
