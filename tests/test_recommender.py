"""InferenceRecommender: many jobs on one role, key, bucket and network, within AWS's limits."""

from __future__ import annotations

import functools
import json
from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from infrec_cdk import (
    InferenceRecommendationsJob,
    InferenceRecommender,
    InfrecValidationError,
    ModelSource,
    Wait,
    _policy_size,
    _waiter_function,
)
from infrec_cdk._policy_size import rendered_length
from tests.annotations import error_messages, warning_ids
from tests.example_stacks import platform_app
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LocalCloudFormation

PlatformStack = platform_app.PlatformStack
model_package = platform_app.model_package

JOB = "Custom::InferenceRecommendationsJob"
# IAM: "Role policy size ... 10,240 characters" (inline, all of a role's together), managed
# policies 6,144 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
ROLE_INLINE_LIMIT = 10_240
# What a reference may stand for at deploy time, at most: an ARN of a key, bucket or role.
REFERENCE_LENGTH = 100
PSEUDO = {
    "AWS::Partition": "aws-us-gov",
    "AWS::Region": "ap-southeast-4",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com.cn",
}


def rendered(value: Any) -> Any:
    """``value`` as IAM would see it at deploy time, references at their longest."""
    if isinstance(value, list):
        return [rendered(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        return PSEUDO.get(value["Ref"], "x" * REFERENCE_LENGTH)
    if "Fn::GetAtt" in value or "Fn::ImportValue" in value:
        return "x" * REFERENCE_LENGTH
    if "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        return delimiter.join(str(rendered(item)) for item in items)
    return {key: rendered(item) for key, item in value.items()}


def inline_policy_sizes(template: dict[str, Any]) -> dict[str, int]:
    """Characters of inline policy per role (IAM counts them together, without whitespace)."""
    sizes: Counter[str] = Counter()
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        document = json.dumps(
            rendered(resource["Properties"]["PolicyDocument"]), separators=(",", ":")
        )
        for role in resource["Properties"]["Roles"]:
            sizes[json.dumps(role)] += len(document)
    return dict(sizes)


@functools.cache
def platform_template() -> dict[str, Any]:
    return template_of(PlatformStack(cdk.App(), "InfrecPlatform"))


def template_of(stack: cdk.Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).to_json())


def logical_id_of(template: dict[str, Any], construct_id: str) -> str:
    """The logical id of the job ``construct_id`` in ``template``."""
    (found,) = [k for k in jobs_of(template) if k.startswith(construct_id)]
    return str(found)


def copy_of(template: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(template))
    return copied


def jobs_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == JOB}


def stack_with(count: int, *, waiting: bool = False, **recommender: Any) -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "TestStack")
    shared = InferenceRecommender(stack, "Recommender", **recommender)
    for index in range(count):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(model_package(index)),
            recommender=shared,
            wait=Wait() if waiting else None,
        )
    return stack


def resource_count(stack: cdk.Stack) -> int:
    return len(Template.from_stack(stack).to_json()["Resources"])


def test_the_platform_example_fits_cloudformation_and_iam():
    template = platform_template()
    types = Counter(r["Type"] for r in template["Resources"].values())

    assert types[JOB] == 50
    assert types["Custom::InferenceRecommendationsResults"] == 25
    assert len(template["Resources"]) <= 250  # CloudFormation allows 500: room to spare
    assert types["AWS::KMS::Key"] == 1
    assert types["AWS::S3::Bucket"] == 1
    assert types["AWS::EC2::SecurityGroup"] == 1 + 1  # the jobs' and the VPC endpoints'
    assert "AWS::IAM::ManagedPolicy" not in types
    sizes = inline_policy_sizes(template)
    assert len(sizes) == 3  # the jobs' role, the handler's and the waiter's
    assert max(sizes.values()) <= ROLE_INLINE_LIMIT, sizes


def test_jobs_on_a_recommender_share_its_role_key_and_network_with_a_prefix_each():
    requests = [job["Properties"]["Request"] for job in jobs_of(platform_template()).values()]

    assert len({json.dumps(r["RoleArn"]) for r in requests}) == 1
    assert len({json.dumps(r["OutputConfig"]["KmsKeyId"]) for r in requests}) == 1
    assert len({json.dumps(r["InputConfig"]["VpcConfig"]) for r in requests}) == 1
    outputs = {json.dumps(r["OutputConfig"]["CompiledOutputConfig"]) for r in requests}
    assert len(outputs) == 50  # a prefix per job in the one bucket


def test_an_extra_job_adds_one_resource_and_an_extra_waiting_job_four():
    assert resource_count(stack_with(12)) - resource_count(stack_with(2)) == 10
    # The job, its wait handle, wait condition and results resource: the poll rule is shared.
    assert (
        resource_count(stack_with(12, waiting=True)) - resource_count(stack_with(2, waiting=True))
        == 4 * 10
    )


def test_the_shared_policy_merges_statements_instead_of_adding_one_per_job():
    def job_role_statements(count: int) -> list[dict[str, Any]]:
        template = dict(Template.from_stack(stack_with(count)).to_json())
        (policy,) = [
            r
            for k, r in template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy" and k.startswith("RecommenderRolePolicy")
        ]
        return list(policy["Properties"]["PolicyDocument"]["Statement"])

    two, twenty = job_role_statements(2), job_role_statements(20)
    assert len(twenty) == len(two)
    sids = [s.get("Sid") for s in twenty if "Sid" in s]
    assert len(sids) == len(set(sids))
    (packages,) = [s for s in twenty if s["Action"] == "sagemaker:DescribeModelPackage"]
    assert sorted(packages["Resource"]) == sorted(model_package(i) for i in range(20))


def test_a_role_the_user_gives_gains_one_policy_for_fifty_jobs():
    stack = cdk.Stack(cdk.App(), "TestStack")
    role = iam.Role(
        stack, "PlatformRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
    )
    shared = InferenceRecommender(stack, "Recommender", role=role)
    for index in range(50):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(model_package(index)),
            recommender=shared,
        )
    template = dict(Template.from_stack(stack).to_json())
    role_id = stack.resolve(role.node.default_child.logical_id)  # type: ignore[union-attr]
    on_role = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    assert len(on_role) == 1
    assert max(inline_policy_sizes(template).values()) <= ROLE_INLINE_LIMIT


def test_a_stack_of_plain_jobs_shares_a_default_recommender_from_its_second_job():
    def keys(count: int) -> tuple[Counter[str], list[str]]:
        stack = cdk.Stack(cdk.App(), "TestStack")
        for index in range(count):
            InferenceRecommendationsJob(
                stack,
                f"Job{index}",
                model=ModelSource.from_model_package_version(model_package(index)),
            )
        template = dict(Template.from_stack(stack).to_json())
        types = Counter(r["Type"] for r in template["Resources"].values())
        key_ids = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key"]
        return types, key_ids

    single, single_keys = keys(1)
    assert single["AWS::KMS::Key"] == 1
    assert single["AWS::S3::Bucket"] == 1
    assert single_keys[0].startswith("Job0")  # a single job keeps its own, as it always had
    many, many_keys = keys(50)
    assert many["AWS::KMS::Key"] == 2
    assert many["AWS::S3::Bucket"] == 2
    assert sorted(k[:5] for k in many_keys) == ["Infre", "Job0E"]


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"role": "role"}, "role"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "removal_policy"),
    ],
)
def test_a_job_attached_to_a_recommender_refuses_resources_of_its_own(props, field):
    stack = cdk.Stack(cdk.App(), "TestStack")
    shared = InferenceRecommender(stack, "Recommender")
    if props.get("role") == "role":
        props = {"role": iam.Role.from_role_arn(stack, "R", "arn:aws:iam::123456789012:role/r")}
    with pytest.raises(
        InfrecValidationError, match=rf"{field}: is given to a job attached to a recommender"
    ):
        InferenceRecommendationsJob(
            stack,
            "Job",
            model=ModelSource.from_model_package_version(model_package(0)),
            recommender=shared,
            **props,
        )


def test_a_recommender_serves_only_its_own_stack():
    app = cdk.App()
    shared = InferenceRecommender(cdk.Stack(app, "One"), "Recommender")
    with pytest.raises(InfrecValidationError, match=r"recommender: .* is in another stack"):
        InferenceRecommendationsJob(
            cdk.Stack(app, "Two"),
            "Job",
            model=ModelSource.from_model_package_version(model_package(0)),
            recommender=shared,
        )


def test_max_concurrent_jobs_starts_each_job_after_the_one_that_many_places_before_ended():
    stack = stack_with(5, waiting=True, max_concurrent_jobs=2)
    template = dict(Template.from_stack(stack).to_json())
    resources = template["Resources"]
    conditions = {
        k: r for k, r in resources.items() if r["Type"] == "AWS::CloudFormation::WaitCondition"
    }

    def condition_of(job: int) -> str:
        (found,) = [k for k in conditions if k.startswith(f"Job{job}Wait")]
        return str(found)

    for index, (logical_id, job) in enumerate(sorted(jobs_of(template).items())):
        waits_for = {d for d in job.get("DependsOn", []) if d in conditions}
        assert logical_id.startswith(f"Job{index}")
        assert waits_for == (set() if index < 2 else {condition_of(index - 2)})


def test_max_concurrent_jobs_refuses_a_job_that_does_not_wait():
    stack = stack_with(3, max_concurrent_jobs=2)
    errors = error_messages(stack)
    assert len(errors) == 3  # one for each job that does not wait
    assert "TestStack/Job0: max_concurrent_jobs=2 paces the jobs" in errors[0]


def test_max_concurrent_jobs_is_at_least_one():
    with pytest.raises(InfrecValidationError, match="max_concurrent_jobs: 0 must be at least 1"):
        stack_with(1, max_concurrent_jobs=0)


def test_tags_of_a_scope_reach_the_job_and_its_own_tags_win():
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(model_package(0)),
        tags={"team": "vision"},
    )
    cdk.Tags.of(stack).add("cost-center", "ml-platform")
    cdk.Tags.of(stack).add("team", "platform")
    (job,) = jobs_of(dict(Template.from_stack(stack).to_json())).values()
    assert job["Properties"]["Request"]["Tags"] == [
        {"Key": "cost-center", "Value": "ml-platform"},
        {"Key": "team", "Value": "vision"},
    ]


def test_tags_applied_to_a_scope_count_toward_sagemakers_fifty():
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(model_package(0)),
        tags={f"own{i}": "v" for i in range(40)},
    )
    for index in range(9):
        cdk.Tags.of(stack).add(f"applied{index}", "v")
    (error,) = error_messages(stack)
    assert error.startswith("[/TestStack/Job] Tags: has 49 items with the tags applied by Tags.of")


def test_a_tag_change_alone_keeps_the_wait():
    def wait_ids(tag: str) -> set[str]:
        stack = stack_with(1, waiting=True)
        cdk.Tags.of(stack).add("cost-center", tag)
        resources = Template.from_stack(stack).to_json()["Resources"]
        return {
            k for k, r in resources.items() if r["Type"].startswith("AWS::CloudFormation::Wait")
        }

    assert wait_ids("a") == wait_ids("b")


def test_waiting_jobs_share_one_invoke_permission_and_one_rule_statement():
    def waiter(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        resources = Template.from_stack(stack_with(count, waiting=True)).to_json()["Resources"]
        permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
        (policy,) = [
            r
            for k, r in resources.items()
            if k.startswith("InfrecJobWaiter") and r["Type"] == "AWS::IAM::Policy"
        ]
        return permissions, policy["Properties"]["PolicyDocument"]["Statement"]

    (permission,), two = waiter(2)
    more_permissions, ten = waiter(10)
    assert len(more_permissions) == 1
    assert len(ten) == len(two)
    source = json.dumps(permission["Properties"]["SourceArn"])
    assert source.endswith('-*"]]}')


def test_a_stack_that_cannot_fit_is_refused_with_the_numbers():
    stack = cdk.Stack(cdk.App(), "TestStack")
    for index in range(3):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(model_package(index)),
            wait=Wait(),
        )
    for index in range(480):  # the rest of a large stack (cheaper to make than 120 jobs)
        cdk.CfnResource(stack, f"Other{index}", type="AWS::CloudFormation::WaitConditionHandle")
    with pytest.raises(
        RuntimeError,
        match=r"\] 5\d\d resources, CloudFormation allows 500 in a stack .* It has 3 "
        r"recommendation jobs, 3 of them waiting",
    ):
        Template.from_stack(stack)


def test_the_platform_deploys_updates_one_job_and_deletes_leaving_nothing_running(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    waiting_cloudformation.parallel = True
    template = copy_of(platform_template())
    queue = capture_completion_events(aws_services)

    created = waiting_cloudformation.deploy(template)

    assert created.status == "CREATE_COMPLETE", created.failure
    assert len(fake_sagemaker.jobs) == 50  # each created once
    waited = [j for j in fake_sagemaker.jobs.values() if j.status == "COMPLETED"]
    assert len(waited) >= 25  # every waiting job ended before the stack completed
    # The 25 waits waited together: the stack took about one job's run, not 25 runs' worth of
    # the fake clock (each waiting thread once moved it on by itself).
    assert waiting_cloudformation.elapsed < 2 * fake_sagemaker.DEFAULT_RUN_SECONDS
    events: list[dict[str, Any]] = []
    while batch := captured_events(aws_services, queue):
        events += batch
    announced = Counter(str(event["detail"]["jobName"]) for event in events)
    assert len(announced) == 25  # one completion event for each waiting job, and one only
    assert set(announced.values()) == {1}
    # A new version of one model is registered: that job alone is right-sized again. (Edited in
    # the template rather than synthesized again, to save a 50-job synth: a job that does not
    # wait, whose request is all that changes; the harness evaluates no IAM policy.)
    changed = copy_of(template)
    request = changed["Resources"][logical_id_of(changed, "Model01")]["Properties"]["Request"]
    request["InputConfig"]["ModelPackageVersionArn"] = model_package(1, version=2)

    updated = waiting_cloudformation.deploy(changed)

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    assert len(fake_sagemaker.jobs) == 51  # one new job for the changed request, no other

    deleted = waiting_cloudformation.destroy()

    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.running_jobs == []


def advanced_job(stack: cdk.Stack, **props: Any) -> InferenceRecommendationsJob:
    """An Advanced job load-testing two instance types for an hour each (at most 2 h a test)."""
    return InferenceRecommendationsJob.from_request(
        stack,
        "Job",
        {
            "JobType": "Advanced",
            "InputConfig": {
                "ModelPackageVersionArn": model_package(0),
                "JobDurationInSeconds": 7200,
                "EndpointConfigurations": [
                    {"InstanceType": "ml.c5.xlarge"},
                    {"InstanceType": "ml.g4dn.xlarge"},
                ],
                "TrafficPattern": {
                    "TrafficType": "PHASES",
                    "Phases": [
                        {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 3600}
                    ],
                },
            },
            "StoppingConditions": {"MaxInvocations": 1000},
        },
        **props,
    )


def estimate_warnings(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("Worst case"))
    return [str(w.entry.data) for w in found]


def test_each_job_warns_with_its_worst_case_instance_hours():
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = advanced_job(stack)
    (warning,) = estimate_warnings(stack)

    assert job.instance_hours.per_instance_type.keys() == {"ml.c5.xlarge", "ml.g4dn.xlarge"}
    assert f"at most {job.instance_hours.total:g} instance-hours" in warning
    assert "ml.c5.xlarge" in warning
    assert "ml.g4dn.xlarge" in warning
    assert "[ack: infrec-cdk:instanceHours]" in warning


def test_max_instance_hours_refuses_a_job_that_could_use_more():
    stack = cdk.Stack(cdk.App(), "TestStack")
    with pytest.raises(
        InfrecValidationError,
        match=r"max_instance_hours: the job could use 2\.5 instance-hours, above the limit of 1",
    ):
        advanced_job(stack, max_instance_hours=1)
    assert advanced_job(cdk.Stack(cdk.App(), "Other"), max_instance_hours=2.5) is not None


def test_a_recommenders_limit_and_prices_apply_to_its_jobs():
    stack = cdk.Stack(cdk.App(), "TestStack")
    strict = InferenceRecommender(stack, "Strict", max_instance_hours=1)
    with pytest.raises(InfrecValidationError, match="above the limit of 1"):
        advanced_job(stack, recommender=strict)

    priced = cdk.Stack(cdk.App(), "Priced")
    shared = InferenceRecommender(
        priced, "Recommender", instance_prices={"ml.c5.xlarge": 0.2, "ml.g4dn.xlarge": 0.8}
    )
    job = advanced_job(priced, recommender=shared)
    (warning,) = estimate_warnings(priced)
    expected = job.instance_hours.cost({"ml.c5.xlarge": 0.2, "ml.g4dn.xlarge": 0.8})
    assert expected is not None
    assert f"about {expected:,.2f} USD at the given prices" in warning


def test_fifty_waiting_jobs_with_defaults_fit_with_room_to_spare():
    stack = cdk.Stack(cdk.App(), "TestStack")
    for index in range(50):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(model_package(index)),
            wait=Wait(),
        )
    template = dict(Template.from_stack(stack).to_json())
    assert len(template["Resources"]) <= 250
    assert max(inline_policy_sizes(template).values()) <= ROLE_INLINE_LIMIT


def test_a_paced_campaign_runs_at_most_that_many_jobs_at_once(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    report = waiting_cloudformation.deploy(
        template_of(stack_with(5, waiting=True, max_concurrent_jobs=2))
    )

    assert report.status == "CREATE_COMPLETE", report.failure
    jobs = sorted(fake_sagemaker.jobs.values(), key=lambda job: job.created_at)
    assert len(jobs) == 5
    assert all(job.completion_time is not None for job in jobs)
    for index, job in enumerate(jobs):
        # The jobs that were running when this one started (itself included).
        running_then = [
            j
            for j in jobs
            if j.created_at <= job.created_at
            and (j.completion_time is None or j.completion_time > job.created_at)
        ]
        assert len(running_then) <= 2, f"job {index} started beside {len(running_then) - 1}"
    # The third started once the first had ended (without pacing, all five start at once).
    first_end = jobs[0].completion_time
    assert first_end is not None
    assert jobs[2].created_at >= first_end


def test_max_instance_hours_that_cannot_be_checked_warns_instead_of_refusing():
    # A Default job without SupportedInstanceTypes: the model package chooses the candidates.
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(model_package(0)),
        max_instance_hours=0.1,
    )
    assert "infrec-cdk:instanceHoursUnbounded" in warning_ids(stack)


def test_a_role_key_and_bucket_given_to_fifty_waiting_jobs_gain_one_policy_and_one_grant():
    # The platform team's way before recommenders: the same role, key and bucket to every job.
    def build(count: int) -> dict[str, Any]:
        stack = cdk.Stack(cdk.App(), "TestStack")
        role = iam.Role.from_role_arn(
            stack, "Role", "arn:aws:iam::123456789012:role/shared", mutable=True
        )
        key = kms.Key.from_key_arn(
            stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234"
        )
        bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "shared-outputs")
        for index in range(count):
            InferenceRecommendationsJob(
                stack,
                f"Job{index}",
                model=ModelSource.from_model_package_version(model_package(index)),
                role=role,
                encryption_key=key,
                output_bucket=bucket,
                wait=Wait(),
            )
        return dict(Template.from_stack(stack).to_json())

    two, fifty = build(2), build(50)

    def policies(template: dict[str, Any]) -> dict[str, int]:
        return {
            k: len(r["Properties"]["PolicyDocument"]["Statement"])
            for k, r in template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy"
        }

    assert policies(fifty) == policies(two)  # the same policies, as many statements each
    assert len(policies(fifty)) == 3  # the shared role's, the handler's, the waiter's
    assert max(inline_policy_sizes(fifty).values()) <= ROLE_INLINE_LIMIT


def test_a_merged_policy_that_cannot_fit_its_role_is_refused_and_one_that_may_not_warns(
    monkeypatch: pytest.MonkeyPatch,
):
    # IAM's limit, lowered so that a few jobs reach it (the check reads it when it runs).
    def stack_of(count: int) -> tuple[cdk.Stack, int, int]:
        stack = stack_with(count)
        (shared,) = [c for c in stack.node.children if isinstance(c, InferenceRecommender)]
        policy = shared.role_policy.policy
        assert policy is not None
        document = stack.resolve(policy.document)
        return (
            stack,
            rendered_length(document, longest=False),
            rendered_length(document, longest=True),
        )

    refused, shortest, _ = stack_of(3)
    monkeypatch.setattr(_policy_size, "MAX_ROLE_POLICY_CHARACTERS", shortest - 1)
    (error,) = error_messages(refused)
    assert f"takes at least {shortest} characters, and IAM" in error

    warned, shortest, longest = stack_of(3)
    assert shortest < longest  # the references' lengths are only known at deploy time
    monkeypatch.setattr(_policy_size, "MAX_ROLE_POLICY_CHARACTERS", shortest)
    assert "infrec-cdk:rolePolicySize" in warning_ids(warned)

    fits, _, longest = stack_of(3)
    monkeypatch.setattr(_policy_size, "MAX_ROLE_POLICY_CHARACTERS", longest)
    assert "infrec-cdk:rolePolicySize" not in warning_ids(fits)


def test_waits_the_poll_rule_cannot_list_are_refused_and_those_it_may_not_warn(
    monkeypatch: pytest.MonkeyPatch,
):
    # EventBridge's limit on a target's input, lowered so that three waits reach it.
    def input_length(stack_arn: str) -> int:
        stack = stack_with(3, waiting=True)
        (rule,) = Template.from_stack(stack).find_resources("AWS::Events::Rule").values()
        delimiter, parts = rule["Properties"]["Targets"][0]["Input"]["Fn::Join"]
        return len(delimiter.join(stack_arn if isinstance(p, dict) else p for p in parts))

    uuid = "0" * 36
    shortest = input_length(f"arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/{uuid}")
    longest = input_length(
        f"arn:aws-iso-b:cloudformation:ap-southeast-4:123456789012:stack/TestStack/{uuid}"
    )
    assert shortest < longest

    monkeypatch.setattr(_waiter_function, "MAX_RULE_INPUT", shortest - 1)
    (error,) = error_messages(stack_with(3, waiting=True))
    assert f"lists their wait conditions in at least {shortest}" in error

    monkeypatch.setattr(_waiter_function, "MAX_RULE_INPUT", shortest)
    assert "infrec-cdk:pollRuleInputSize" in warning_ids(stack_with(3, waiting=True))

    monkeypatch.setattr(_waiter_function, "MAX_RULE_INPUT", longest)
    assert "infrec-cdk:pollRuleInputSize" not in warning_ids(stack_with(3, waiting=True))
