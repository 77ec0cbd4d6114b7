"""Hand-written tests of the rules the API model states only in words, tokens and order.

The rules are those of README "Validation", each citing its AWS page in ``infrec_cdk/_rules.py``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrec_cdk._rules import _DEFAULT_JOB_FIELDS, DOCUMENTED_VALUES
from infrec_cdk._sources import API_CONTAINER as _API_CONTAINER
from infrec_cdk._validation import ValidationReport, validate_request
from tests.test_validation_requests import (
    TOKEN_LIST,
    TOKEN_NUMBER,
    TOKEN_STRING,
    advanced_request,
    default_request,
    delete_at,
    fake_is_unresolved,
    get_at,
    model_name_request,
    set_at,
    stairs_request,
)

PHASES = "InputConfig.TrafficPattern.Phases"
STAIRS = "InputConfig.TrafficPattern.Stairs"
ENDPOINT = "InputConfig.EndpointConfigurations[0]"
SERVERLESS = "InputConfig.EndpointConfigurations[1].ServerlessConfig"
CONTAINER = "InputConfig.ContainerConfig"
THRESHOLD = "StoppingConditions.ModelLatencyThresholds[0]"
ROOT = Path(__file__).resolve().parent.parent


_CITATION = re.compile(r" \(source: https://\S+\)$")


def check(request: Any, **kwargs: Any) -> ValidationReport:
    return validate_request(request, is_unresolved=fake_is_unresolved, **kwargs)


def uncited(text: str) -> str:
    """``text`` without the source a rule cites at its end."""
    return _CITATION.sub("", text)


def errors(request: Any, **kwargs: Any) -> tuple[str, ...]:
    return tuple(uncited(error) for error in check(request, **kwargs).errors)


def warnings(request: Any) -> list[tuple[str, str]]:
    """(id, message without its source) of every warning."""
    return [(warning.id, uncited(warning.message)) for warning in check(request).warnings]


def warning_ids(request: Any) -> list[str]:
    return [warning.id for warning in check(request).warnings]


def changed(request: dict[str, Any], **values: object) -> dict[str, Any]:
    """Return ``request`` with each ``path=value`` set (paths use ``__`` for ``.``)."""
    for path, value in values.items():
        set_at(request, path.replace("__", "."), value)
    return request


def one_phase(**phase: int) -> dict[str, Any]:
    """Return an Advanced request with a single phase (and room for it: a 5-hour job)."""
    request = advanced_request()
    request["InputConfig"]["JobDurationInSeconds"] = 18000
    request["InputConfig"]["TrafficPattern"]["Phases"] = [
        {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120, **phase}
    ]
    return request


def two_phases(first: dict[str, Any], second_users: int) -> dict[str, Any]:
    request = advanced_request()
    request["InputConfig"]["TrafficPattern"]["Phases"] = [
        first,
        {"InitialNumberOfUsers": second_users, "SpawnRate": 0, "DurationInSeconds": 120},
    ]
    return request


# --- valid requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_factory",
    [advanced_request, stairs_request, default_request, model_name_request],
    ids=["advanced", "stairs", "default", "model-name"],
)
def test_accepts_valid_requests_without_warnings(request_factory):
    assert check(request_factory()) == ValidationReport(errors=(), warnings=())


def test_accepts_generated_job_name():
    assert errors(delete_at(advanced_request(), "JobName"), job_name_generated=True) == ()


def test_fails_when_job_name_missing_and_not_generated():
    assert errors(delete_at(advanced_request(), "JobName")) == ("JobName: is required",)


def test_accepts_tuples_as_lists():
    request = advanced_request()
    request["Tags"] = tuple(request["Tags"])
    assert errors(request) == ()


# --- JobName, JobDurationInSeconds ----------------------------------------------------------


def test_warns_when_job_name_longer_than_40():
    report = check(changed(advanced_request(), JobName="j" * 41))
    assert report.errors == ()
    assert [w.id for w in report.warnings] == ["infrec-cdk:longJobName"]
    assert report.warnings[0].message.startswith("JobName: ")
    assert "first 40" in report.warnings[0].message


def test_accepts_job_name_of_40_without_warning():
    assert check(changed(advanced_request(), JobName="j" * 40)).warnings == ()


def test_fails_when_job_duration_above_five_hours():
    request = changed(advanced_request(), InputConfig__JobDurationInSeconds=18001)
    assert errors(request) == (
        "InputConfig.JobDurationInSeconds: 18001 is above the maximum 18000",
    )


def test_accepts_job_duration_of_five_hours():
    assert errors(changed(advanced_request(), InputConfig__JobDurationInSeconds=18000)) == ()


# --- model source -------------------------------------------------------------------------------


def test_fails_when_both_model_package_and_model_name():
    request = changed(model_name_request(), InputConfig__ModelPackageVersionArn=advanced_arn())
    assert errors(request) == (
        (
            "InputConfig.ModelName: cannot be given together with ModelPackageVersionArn: "
            "give exactly one of them"
        ),
    )


def advanced_arn() -> str:
    return str(advanced_request()["InputConfig"]["ModelPackageVersionArn"])


def test_fails_when_neither_model_package_nor_model_name():
    request = delete_at(default_request(), "InputConfig.ModelPackageVersionArn")
    assert errors(request) == (
        "InputConfig: needs exactly one of ModelPackageVersionArn, ModelName (it has neither)",
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/my-package",
        "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/my-package",
    ],
    ids=["version-arn-without-version", "group-arn"],
)
def test_fails_when_model_package_is_a_group_naming_a_version_arn_to_give(arn):
    (error,) = errors(changed(default_request(), InputConfig__ModelPackageVersionArn=arn))
    assert error == (
        f"InputConfig.ModelPackageVersionArn: {arn!r} names the model package group "
        "'my-package', not one of its versions: give a version ARN, e.g. "
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/my-package/3"
    )


def test_fails_when_model_package_version_is_not_a_number():
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/my-package/latest"
    (error,) = errors(changed(default_request(), InputConfig__ModelPackageVersionArn=arn))
    assert error == (
        f"InputConfig.ModelPackageVersionArn: {arn!r} must end with a /<version> number "
        "(a versioned model package: ...:model-package/<group>/<version>)"
    )


def test_accepts_versioned_model_package():
    arn = "arn:aws-cn:sagemaker:cn-north-1:123456789012:model-package/group-a/123"
    assert errors(changed(default_request(), InputConfig__ModelPackageVersionArn=arn)) == ()


@pytest.mark.parametrize(
    ("deleted", "reported"),
    [
        ("Domain", "Domain"),
        ("Task", "Task"),
        ("PayloadConfig.SamplePayloadUrl", "PayloadConfig.SamplePayloadUrl"),
        ("PayloadConfig", "PayloadConfig.SamplePayloadUrl"),
    ],
)
def test_fails_when_model_name_lacks_container_field(deleted, reported):
    request = delete_at(model_name_request(), f"{CONTAINER}.{deleted}")
    assert errors(request) == (f"{CONTAINER}.{reported}: is required with ModelName",)


def test_warns_when_model_name_lacks_framework_as_aws_examples_do():
    # AWS's TGI example notebook sends ModelName + ContainerConfig without Framework.
    request = delete_at(model_name_request(), f"{CONTAINER}.Framework")
    report = check(request)
    assert report.errors == ()
    (warning,) = report.warnings
    assert warning.id == "infrec-cdk:modelNameWithoutFramework"
    assert warning.message.startswith(f"{CONTAINER}.Framework: is not given")
    assert "sagemaker-huggingface-tgi-hosting-examples" in warning.message


def test_fails_when_model_name_lacks_container_config():
    request = delete_at(model_name_request(), CONTAINER)
    (error,) = errors(request)
    assert error.startswith(f"{CONTAINER}: is required with ModelName")


def test_accepts_model_package_without_container_config():
    assert errors(default_request()) == ()


# --- Tags -----------------------------------------------------------------------------------------


def test_fails_when_tag_keys_repeat():
    request = advanced_request()
    request["Tags"] += [{"Key": "cost", "Value": "1"}, {"Key": "team", "Value": "2"}]
    assert errors(request) == ("Tags[2].Key: 'team' repeats Tags[0].Key: tag keys must be unique",)


def test_accepts_tag_keys_differing_in_case():
    request = advanced_request()
    request["Tags"].append({"Key": "Team", "Value": "ml"})
    assert errors(request) == ()


def test_accepts_unicode_tags():
    request = advanced_request()
    request["Tags"] = [{"Key": "プロジェクト", "Value": "Ünïcödé ١٢ +-=._:/@"}]
    assert errors(request) == ()


# --- Default vs Advanced ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["InputConfig.TrafficPattern", "StoppingConditions"])
def test_fails_when_advanced_job_lacks_load_test_field(path):
    request = delete_at(advanced_request(), path)
    assert errors(request) == (f"{path}: is required for Advanced jobs (load tests)",)


def test_warns_when_advanced_job_lacks_endpoint_configurations():
    request = delete_at(advanced_request(), "InputConfig.EndpointConfigurations")
    delete_at(request, "InputConfig.Endpoints")
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:advancedWithoutEndpointConfigurations"
    assert "may refuse a job that lists none" in message


def test_warns_when_advanced_job_on_an_existing_endpoint_lacks_endpoint_configurations():
    # The docs are silent on an Advanced job that tests an existing endpoint alone.
    request = delete_at(advanced_request(), "InputConfig.EndpointConfigurations")
    assert request["InputConfig"]["Endpoints"] == [{"EndpointName": "existing-endpoint"}]
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:advancedWithoutEndpointConfigurations"
    assert message.startswith("InputConfig.EndpointConfigurations: is not given: the docs")
    assert "existing endpoint" in message


def test_accepts_advanced_job_without_resource_limit():
    assert errors(delete_at(advanced_request(), "InputConfig.ResourceLimit")) == ()


@pytest.mark.parametrize(
    ("path", "warning_id"),
    [
        ("InputConfig.TrafficPattern", "infrec-cdk:defaultJobTrafficPattern"),
        ("StoppingConditions", "infrec-cdk:defaultJobStoppingConditions"),
        ("InputConfig.ResourceLimit", "infrec-cdk:defaultJobResourceLimit"),
        ("InputConfig.EndpointConfigurations", "infrec-cdk:defaultJobEndpointConfigurations"),
    ],
)
def test_warns_when_default_job_has_load_test_field(path, warning_id):
    # The docs never say whether a Default job refuses or ignores these: never refused.
    request = changed(advanced_request(), JobType="Default")
    for other in (
        "InputConfig.TrafficPattern",
        "StoppingConditions",
        "InputConfig.ResourceLimit",
        "InputConfig.EndpointConfigurations",
    ):
        if other != path:
            delete_at(request, other)
    assert errors(request) == ()
    ((found_id, message),) = warnings(request)
    assert found_id == warning_id
    assert message.startswith(f"{path}: is given on a Default job: ")
    assert message.endswith("SageMaker may ignore it or refuse the job")


def test_fails_when_job_type_is_not_exact_case():
    (error,) = errors(changed(advanced_request(), JobType="ADVANCED"))
    assert error == "JobType: 'ADVANCED' must be one of Default, Advanced (did you mean Advanced?)"


# --- TrafficPattern -----------------------------------------------------------------------------


def test_warns_when_traffic_type_missing():
    request = delete_at(advanced_request(), "InputConfig.TrafficPattern.TrafficType")
    assert errors(request) == ()
    assert warning_ids(request) == ["infrec-cdk:trafficTypeMissing"]


@pytest.mark.parametrize(
    ("request_factory", "deleted", "kind"),
    [(advanced_request, PHASES, "PHASES"), (stairs_request, STAIRS, "STAIRS")],
)
def test_warns_when_traffic_type_lacks_its_pattern(request_factory, deleted, kind):
    request = delete_at(request_factory(), deleted)
    assert errors(request) == ()
    assert warnings(request) == [
        (
            "infrec-cdk:trafficTypeMismatch",
            (
                f"{deleted}: is not given with TrafficType {kind}: the load test would have no "
                "traffic to send"
            ),
        )
    ]


@pytest.mark.parametrize(
    ("request_factory", "path", "value", "kind", "other"),
    [
        (advanced_request, STAIRS, {"UsersPerStep": 1}, "PHASES", "STAIRS"),
        (stairs_request, PHASES, [{"SpawnRate": 1}], "STAIRS", "PHASES"),
    ],
)
def test_warns_when_traffic_type_has_the_other_pattern(request_factory, path, value, kind, other):
    request = set_at(request_factory(), path, value)
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:trafficTypeMismatch"
    assert message.startswith(f"{path}: is given with TrafficType {kind}: ")
    assert message.endswith(f"(remove it, or use TrafficType {other})")


@pytest.mark.parametrize(
    ("member", "too_low", "low", "high", "too_high"),
    [
        ("InitialNumberOfUsers", 0, 1, 3, 4),
        ("DurationInSeconds", 119, 120, 3600, 3601),
    ],
)
def test_phase_bounds(member, too_low, low, high, too_high):
    path = f"{PHASES}[0].{member}"
    assert check(one_phase(**{member: low})) == ValidationReport(errors=(), warnings=())
    assert check(one_phase(**{member: high})) == ValidationReport(errors=(), warnings=())
    (below,) = errors(one_phase(**{member: too_low}))
    assert below.startswith(f"{path}: {too_low} is below the minimum ")
    assert errors(one_phase(**{member: too_high})) == (
        f"{path}: {too_high} is above the maximum {high}",
    )


def test_spawn_rate_below_zero_is_refused_by_the_model():
    assert errors(one_phase(SpawnRate=-1)) == (f"{PHASES}[0].SpawnRate: -1 is below the minimum 0",)


def test_warns_when_spawn_rate_above_three_as_the_guide_itself_sends_60():
    request = one_phase(SpawnRate=60)
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:spawnRateAboveDocumented"
    assert message.startswith(f"{PHASES}[0].SpawnRate: 60 is above the maximum 3 the load-test")
    assert check(one_phase(SpawnRate=3)).warnings == ()


def test_warns_when_a_later_phase_starts_above_three_users_as_the_sdk_does():
    # The SageMaker Python SDK's integration test: (300 s, 2 users, +2/min), then 14 users.
    request = advanced_request()
    request["InputConfig"]["TrafficPattern"]["Phases"] = [
        {"DurationInSeconds": 300, "InitialNumberOfUsers": 2, "SpawnRate": 2},
        {"DurationInSeconds": 300, "InitialNumberOfUsers": 14, "SpawnRate": 2},
    ]
    request["InputConfig"]["JobDurationInSeconds"] = 7200
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:laterPhaseInitialUsers"
    assert message.startswith(f"{PHASES}[1].InitialNumberOfUsers: 14 is above the maximum 3")
    assert "test_inference_recommender.py" in message


def test_fails_when_phase_too_short():
    assert errors(one_phase(DurationInSeconds=60)) == (
        f"{PHASES}[0].DurationInSeconds: 60 is below the minimum 120",
    )


def test_fails_when_phases_outlast_job():
    request = advanced_request()
    changed(request, InputConfig__JobDurationInSeconds=3600)
    set_at(request, f"{PHASES}[0].DurationInSeconds", 1800)
    set_at(request, f"{PHASES}[1].DurationInSeconds", 1801)
    set_at(request, f"{PHASES}[1].InitialNumberOfUsers", 3)
    set_at(request, f"{PHASES}[0].SpawnRate", 0)
    assert errors(request) == (
        (
            f"{PHASES}: total DurationInSeconds 3601 (1800 + 1801) is above "
            "InputConfig.JobDurationInSeconds 3600"
        ),
    )


def test_accepts_phases_filling_job_exactly():
    request = changed(advanced_request(), InputConfig__JobDurationInSeconds=240)
    assert errors(request) == ()


def test_accepts_phases_without_job_duration():
    request = delete_at(advanced_request(), "InputConfig.JobDurationInSeconds")
    set_at(request, f"{PHASES}[0].DurationInSeconds", 3600)
    set_at(request, f"{PHASES}[0].SpawnRate", 0)
    set_at(request, f"{PHASES}[1].DurationInSeconds", 3600)
    assert errors(request) == ()


def test_warns_when_next_phase_starts_far_from_where_previous_ends():
    # Phase 0 starts with 1 user and adds 3 a minute for 2 minutes: it ends with 7 users.
    # Both phases *start* with 1 user, so comparing starting users alone would miss this.
    request = two_phases({"InitialNumberOfUsers": 1, "SpawnRate": 3, "DurationInSeconds": 120}, 1)
    assert errors(request) == ()
    assert warnings(request) == [
        (
            "infrec-cdk:phaseContinuity",
            (
                f"{PHASES}[1].InitialNumberOfUsers: 1 is 6 users away from the 7 users "
                "Phases[0] ends with (1 initial + 3 per minute for 2 minutes): SageMaker "
                "requires a phase to start within 3 users of where the previous one ends, and "
                "may refuse the job"
            ),
        )
    ]


def test_accepts_next_phase_starting_three_users_below_previous_end():
    # Ends with 1 + 1 * 300/60 = 6 users; the next phase starts with 3: a gap of exactly 3.
    first = {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 300}
    assert check(two_phases(first, 3)) == ValidationReport(errors=(), warnings=())


def test_accepts_next_phase_starting_with_fewer_users_than_previous_start():
    # The rule compares with where the previous phase ends, not with how it started.
    first = {"InitialNumberOfUsers": 3, "SpawnRate": 0, "DurationInSeconds": 120}
    assert check(two_phases(first, 1)) == ValidationReport(errors=(), warnings=())


def test_warns_when_phase_gap_is_fractional_above_three():
    # 1 + 3 * 150/60 = 8.5 users at the end; starting with 1 is 7.5 away.
    first = {"InitialNumberOfUsers": 1, "SpawnRate": 3, "DurationInSeconds": 150}
    ((_, message),) = warnings(two_phases(first, 1))
    assert "1 is 7.5 users away from the 8.5 users Phases[0] ends with" in message
    assert "for 2.5 minutes" in message


def test_phase_gap_skips_unknown_values():
    first: dict[str, Any] = {"InitialNumberOfUsers": 1, "SpawnRate": TOKEN_NUMBER}
    assert check(two_phases({**first, "DurationInSeconds": 120}, 1)).warnings == ()


@pytest.mark.parametrize(
    ("duration", "ok"), [(119, False), (120, True), (3600, True), (3601, False)]
)
def test_warns_when_stairs_duration_outside_the_traffic_range(duration, ok):
    request = changed(stairs_request(), InputConfig__JobDurationInSeconds=18000)
    set_at(request, f"{STAIRS}.NumberOfSteps", 1)
    set_at(request, f"{STAIRS}.DurationInSeconds", duration)
    assert errors(request) == ()
    found = warnings(request)
    assert (found == []) is ok, found
    if not ok:
        ((warning_id, message),) = found
        assert warning_id == "infrec-cdk:stairsDuration"
        assert message.startswith(f"{STAIRS}.DurationInSeconds: {duration} is ")


def test_warns_when_stairs_outlast_job_read_per_step():
    # The API reference: DurationInSeconds is "how long each traffic step should be".
    request = changed(stairs_request(), InputConfig__JobDurationInSeconds=1000)
    set_at(request, f"{STAIRS}.DurationInSeconds", 120)
    set_at(request, f"{STAIRS}.NumberOfSteps", 10)
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:stairsLongerThanJob"
    assert message.startswith(
        f"{STAIRS}.DurationInSeconds: 120 s per step x 10 steps = 1200 s is above "
        "InputConfig.JobDurationInSeconds 1000"
    )


def test_warns_when_stairs_outlast_job_under_either_reading():
    request = changed(stairs_request(), InputConfig__JobDurationInSeconds=600)
    set_at(request, f"{STAIRS}.DurationInSeconds", 601)
    assert errors(request) == ()
    assert warning_ids(request) == ["infrec-cdk:stairsLongerThanJob"]


def test_accepts_stairs_as_long_as_job():
    request = changed(stairs_request(), InputConfig__JobDurationInSeconds=600)
    set_at(request, f"{STAIRS}.DurationInSeconds", 120)
    set_at(request, f"{STAIRS}.NumberOfSteps", 5)
    assert check(request) == ValidationReport(errors=(), warnings=())


@pytest.mark.parametrize(("member", "value"), [("NumberOfSteps", 0), ("UsersPerStep", 4)])
def test_fails_when_stairs_steps_out_of_range(member, value):
    (error,) = errors(set_at(stairs_request(), f"{STAIRS}.{member}", value))
    assert error.startswith(f"{STAIRS}.{member}: {value} is ")


# --- ResourceLimit --------------------------------------------------------------------------------


def test_warns_when_parallel_tests_above_number_of_tests():
    request = changed(
        advanced_request(),
        InputConfig__ResourceLimit={"MaxNumberOfTests": 3, "MaxParallelOfTests": 4},
    )
    report = check(request)
    assert report.errors == ()
    assert [(w.id, uncited(w.message)) for w in report.warnings] == [
        (
            "infrec-cdk:parallelAboveTests",
            (
                "InputConfig.ResourceLimit.MaxParallelOfTests: 4 is above MaxNumberOfTests 3: "
                "at most that many tests run at all"
            ),
        ),
    ]


@pytest.mark.parametrize("member", ["MaxNumberOfTests", "MaxParallelOfTests"])
def test_warns_when_resource_limit_above_the_documented_ten(member):
    request = changed(
        advanced_request(),
        InputConfig__ResourceLimit={"MaxNumberOfTests": 10, "MaxParallelOfTests": 10},
    )
    assert check(request).warnings == ()
    set_at(request, f"InputConfig.ResourceLimit.{member}", 11)
    assert errors(request) == ()
    found = [(i, m) for i, m in warnings(request) if i == "infrec-cdk:resourceLimitAboveDocumented"]
    ((_, message),) = found
    assert message.startswith(f"InputConfig.ResourceLimit.{member}: 11 is above the maximum 10")


def test_accepts_parallel_tests_equal_to_number_of_tests():
    request = changed(
        advanced_request(),
        InputConfig__ResourceLimit={"MaxNumberOfTests": 3, "MaxParallelOfTests": 3},
    )
    assert check(request).warnings == ()


# --- EndpointConfigurations ---------------------------------------------------------------------


def test_warns_when_endpoint_configuration_has_both_kinds():
    request = changed(
        advanced_request(),
        **{"InputConfig__EndpointConfigurations[1]__InstanceType": "ml.c5.large"},
    )
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:endpointConfigurationKind"
    assert message.startswith(
        "InputConfig.EndpointConfigurations[1]: has both of InstanceType, ServerlessConfig"
    )


def test_warns_when_endpoint_configuration_has_neither_kind():
    request = delete_at(advanced_request(), f"{ENDPOINT}.InstanceType")
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:endpointConfigurationKind"
    assert message.startswith(f"{ENDPOINT}: has neither of InstanceType, ServerlessConfig")


def test_fails_when_instance_type_is_burstable():
    request = changed(advanced_request(), **{f"{ENDPOINT}.InstanceType": "ml.t2.medium"})
    assert errors(request) == (
        (
            f"{ENDPOINT}.InstanceType: 'ml.t2.medium' is a burstable instance type: Inference "
            "Recommender does not load-test the ml.t2 family"
        ),
    )


@pytest.mark.parametrize("instance_type", ["ml.trn1.2xlarge", "ml.g5.xlarge", "ml.c5.large"])
def test_accepts_non_burstable_instance_types(instance_type):
    assert errors(changed(advanced_request(), **{f"{ENDPOINT}.InstanceType": instance_type})) == ()


@pytest.mark.parametrize(
    ("given", "suggested"),
    [
        ("m5.xlarge", "ml.m5.xlarge"),
        ("ML.M5.XLARGE", "ml.m5.xlarge"),
        ("g5.2xlarge", "ml.g5.2xlarge"),
    ],
)
def test_suggests_the_ml_prefixed_instance_type(given, suggested):
    request = changed(advanced_request(), **{f"{ENDPOINT}.InstanceType": given})
    assert errors(request) == (
        (
            f"{ENDPOINT}.InstanceType: {given!r} is not an instance type in botocore's model "
            f"(did you mean {suggested}?)"
        ),
    )


def test_fails_when_instance_type_unknown_and_suggests_one():
    request = changed(advanced_request(), **{f"{ENDPOINT}.InstanceType": "ml.m5.xlarg"})
    assert errors(request) == (
        (
            f"{ENDPOINT}.InstanceType: 'ml.m5.xlarg' is not an instance type in botocore's model "
            "(did you mean ml.m5.xlarge?)"
        ),
    )


@pytest.mark.parametrize("memory", [1024, 2048, 3072, 4096, 5120, 6144])
def test_accepts_serverless_memory_in_gigabyte_steps(memory):
    assert errors(changed(advanced_request(), **{f"{SERVERLESS}.MemorySizeInMB": memory})) == ()


@pytest.mark.parametrize(("memory", "model_bound"), [(1536, False), (1023, True), (7168, True)])
def test_fails_when_serverless_memory_not_a_gigabyte_step(memory, model_bound):
    (error,) = errors(changed(advanced_request(), **{f"{SERVERLESS}.MemorySizeInMB": memory}))
    expected = "imum" if model_bound else "must be one of 1024, 2048, 3072, 4096, 5120, 6144"
    assert error.startswith(f"{SERVERLESS}.MemorySizeInMB: {memory} ")
    assert expected in error


@pytest.mark.parametrize(("concurrency", "ok"), [(0, False), (1, True), (200, True), (201, False)])
def test_serverless_max_concurrency_bounds(concurrency, ok):
    found = errors(changed(advanced_request(), **{f"{SERVERLESS}.MaxConcurrency": concurrency}))
    assert (found == ()) is ok


def test_fails_when_serverless_has_provisioned_concurrency():
    request = changed(advanced_request(), **{f"{SERVERLESS}.ProvisionedConcurrency": 1})
    assert errors(request) == (
        (
            f"{SERVERLESS}.ProvisionedConcurrency: is not supported by Inference Recommender: "
            "leave it out"
        ),
    )


def test_warns_when_categorical_parameter_name_empty():
    path = f"{ENDPOINT}.EnvironmentParameterRanges.CategoricalParameterRanges[0].Name"
    request = changed(advanced_request(), **{path: ""})
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:emptyEnvironmentName"
    assert message.startswith(f"{path}: '' is empty")


def test_accepts_one_character_categorical_parameter_name():
    path = f"{ENDPOINT}.EnvironmentParameterRanges.CategoricalParameterRanges[0].Name"
    assert errors(changed(advanced_request(), **{path: "X"})) == ()


# --- ContainerConfig --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "value", "warning"),
    [
        ("Domain", "AUDIO", "infrec-cdk:unknownDomain"),
        ("Task", "TRANSLATION", "infrec-cdk:unknownTask"),
        ("Framework", "JAX", "infrec-cdk:unknownFramework"),
        ("NearestModelName", "gpt-2", "infrec-cdk:unknownNearestModelName"),
    ],
)
def test_warns_when_container_value_is_undocumented(member, value, warning):
    report = check(changed(advanced_request(), **{f"{CONTAINER}.{member}": value}))
    assert report.errors == ()
    assert [w.id for w in report.warnings] == [warning]
    assert report.warnings[0].message.startswith(f"{CONTAINER}.{member}: {value!r} is not one")
    assert report.warnings[0].message.endswith("(source: " + _API_CONTAINER + ")")


def test_warns_with_suggestion_for_wrong_case():
    (warning,) = check(
        changed(advanced_request(), **{f"{CONTAINER}.Framework": "pytorch"})
    ).warnings
    assert "(did you mean PYTORCH?)" in warning.message


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("Domain", "COMPUTER_VISION"),
        ("Domain", "OTHER"),
        ("Task", "FILL_MASK"),
        ("Framework", "SAGEMAKER-SCIKIT-LEARN"),
        ("Framework", "OTHER"),  # the troubleshooting guide: "or OTHER if unknown"
        ("NearestModelName", "xceptionV1-keras"),
    ],
)
def test_accepts_documented_container_values(member, value):
    assert check(changed(advanced_request(), **{f"{CONTAINER}.{member}": value})).warnings == ()


@pytest.mark.parametrize("text", ["{not json", "{'a': 1}", "[1, 2", "[" * 1020])
def test_warns_when_data_input_config_is_not_json(text):
    request = changed(advanced_request(), **{f"{CONTAINER}.DataInputConfig": text})
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:dataInputConfigNotJson"
    assert message.startswith(f"{CONTAINER}.DataInputConfig: ")
    assert "is not valid JSON (" in message


@pytest.mark.parametrize("text", ['{"input_1": [1, 28, 28]}', "[[1, 3, 224, 224]]"])
def test_accepts_json_data_input_config(text):
    assert errors(changed(advanced_request(), **{f"{CONTAINER}.DataInputConfig": text})) == ()


@pytest.mark.parametrize("url", ["s3://bucket/payload.tar", "s3://bucket/payload.zip", "s3://b/"])
def test_fails_when_sample_payload_not_tar_gz(url):
    path = f"{CONTAINER}.PayloadConfig.SamplePayloadUrl"
    (error,) = errors(changed(advanced_request(), **{path: url}))
    assert (
        error
        == f"{path}: {url!r} must end in .tar.gz (a single gzip tar archive of sample payloads)"
    )


def test_accepts_https_tar_gz_sample_payload():
    path = f"{CONTAINER}.PayloadConfig.SamplePayloadUrl"
    assert errors(changed(advanced_request(), **{path: "https://host/p.tar.gz"})) == ()


# --- StoppingConditions -------------------------------------------------------------------------


def test_fails_when_percentile_not_p95_or_p99():
    request = changed(advanced_request(), **{f"{THRESHOLD}.Percentile": "P90"})
    assert errors(request) == (f"{THRESHOLD}.Percentile: 'P90' must be one of P95, P99",)


def test_warns_when_load_test_uses_p99():
    report = check(changed(advanced_request(), **{f"{THRESHOLD}.Percentile": "P99"}))
    assert report.errors == ()
    assert [w.id for w in report.warnings] == ["infrec-cdk:loadTestPercentile"]


@pytest.mark.parametrize("member", ["Percentile", "ValueInMilliseconds"])
def test_warns_when_latency_threshold_member_missing(member):
    request = delete_at(advanced_request(), f"{THRESHOLD}.{member}")
    assert errors(request) == ()
    ((warning_id, message),) = warnings(request)
    assert warning_id == "infrec-cdk:incompleteLatencyThreshold"
    assert message.startswith(f"{THRESHOLD}.{member}: is not given")


@pytest.mark.parametrize(("value", "ok"), [(-5, False), (0, False), (1, True)])
def test_warns_when_latency_threshold_value_is_not_positive(value, ok):
    request = changed(advanced_request(), **{f"{THRESHOLD}.ValueInMilliseconds": value})
    assert errors(request) == ()
    expected = [] if ok else ["infrec-cdk:nonPositiveLatency"]
    assert warning_ids(request) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "-1 is below the minimum 1"),
        (0, "0 is below the minimum 1"),
        (1, None),
        (30_000, None),
        (30_001, "30001 is above the maximum 30000"),
    ],
)
def test_warns_when_max_invocations_outside_the_documented_range(value, problem):
    request = changed(advanced_request(), StoppingConditions__MaxInvocations=value)
    assert errors(request) == ()
    found = warnings(request)
    if problem is None:
        assert found == []
    else:
        ((warning_id, message),) = found
        assert warning_id == "infrec-cdk:maxInvocationsRange"
        assert message.startswith(f"StoppingConditions.MaxInvocations: {problem} requests per")


def test_fails_when_two_latency_thresholds():
    request = advanced_request()
    thresholds = request["StoppingConditions"]["ModelLatencyThresholds"]
    thresholds.append(dict(thresholds[0]))
    assert errors(request) == (
        "StoppingConditions.ModelLatencyThresholds: must have at most 1 item (it has 2)",
    )


# --- types, unknown members -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("InputConfig.JobDurationInSeconds", "3600", "'3600' is not an integer (it is a string)"),
        ("InputConfig.JobDurationInSeconds", True, "True is not an integer (it is a boolean)"),
        ("InputConfig.JobDurationInSeconds", 3600.5, "3600.5 is not an integer (it is a float)"),
        ("JobName", 7, "7 is not a string (it is an integer)"),
        ("InputConfig.TrafficPattern", [], "[] is not an object (it is a list)"),
        (PHASES, {"Phase": 1}, "{'Phase': 1} is not a list (it is an object)"),
        (f"{PHASES}[0]", None, "None is not an object (it is null)"),
        ("Tags", "team=ml", "'team=ml' is not a list (it is a string)"),
        (f"{PHASES}[0].SpawnRate", object, "<class 'object'> is not an integer (it is a type)"),
    ],
)
def test_fails_when_value_has_wrong_type(path, value, expected):
    assert errors(set_at(advanced_request(), path, value)) == (f"{path}: {expected}",)


def test_treats_null_members_as_absent():
    request = changed(advanced_request(), JobDescription=None)
    assert errors(request) == ()
    assert errors(changed(advanced_request(), RoleArn=None)) == ("RoleArn: is required",)


def test_fails_when_member_unknown():
    request = changed(advanced_request(), InputConfig__ModelArn="arn:x")
    assert errors(request) == (
        (
            "InputConfig.ModelArn: is not a member of RecommendationJobInputConfig (allowed: "
            "ContainerConfig, EndpointConfigurations, Endpoints, JobDurationInSeconds, ModelName, "
            "ModelPackageVersionArn, ResourceLimit, TrafficPattern, VolumeKmsKeyId, VpcConfig)"
        ),
    )


def test_fails_when_top_level_member_misspelled():
    request = advanced_request()
    request["ResourceLimits"] = request["InputConfig"].pop("ResourceLimit")
    (error,) = errors(request)
    assert error.startswith(
        "ResourceLimits: is not a member of CreateInferenceRecommendationsJobRequest (allowed: "
    )


def test_names_odd_keys_readably():
    request = advanced_request()
    request["InputConfig"]["bad key\n"] = 1
    request["InputConfig"][7] = 1
    assert errors(request) == (
        "InputConfig: has a key 7 that is not a string",
        (
            "InputConfig['bad key\\n']: is not a member of RecommendationJobInputConfig (allowed: "
            "ContainerConfig, EndpointConfigurations, Endpoints, JobDurationInSeconds, ModelName, "
            "ModelPackageVersionArn, ResourceLimit, TrafficPattern, VolumeKmsKeyId, VpcConfig)"
        ),
    )


def test_shortens_long_values_in_messages():
    (error, *_) = errors(changed(advanced_request(), JobName="x" * 10_000))
    assert len(error) < 200
    assert "it has 10000" in error


# --- tokens -------------------------------------------------------------------------------------


def test_skips_unresolved_strings_numbers_and_lists():
    request = advanced_request()
    changed(
        request,
        RoleArn=f"arn:aws:iam::{TOKEN_STRING}:role/x",
        JobName=TOKEN_STRING,
        InputConfig__JobDurationInSeconds=TOKEN_NUMBER,
        InputConfig__VpcConfig__SecurityGroupIds=TOKEN_LIST,
        **{
            f"{PHASES}[0].DurationInSeconds": TOKEN_NUMBER,
            f"{ENDPOINT}.InstanceType": TOKEN_STRING,
        },
    )
    assert check(request) == ValidationReport(errors=(), warnings=())


def test_skips_sums_that_include_a_token():
    request = changed(advanced_request(), InputConfig__JobDurationInSeconds=200)
    set_at(request, f"{PHASES}[0].DurationInSeconds", TOKEN_NUMBER)
    assert errors(request) == ()


def test_skips_token_lists_of_phases_and_tags():
    request = changed(advanced_request(), Tags=TOKEN_LIST, **{PHASES: TOKEN_LIST})
    assert errors(request) == ()


def test_still_checks_siblings_of_tokens():
    request = advanced_request()
    set_at(request, f"{PHASES}[0].DurationInSeconds", TOKEN_NUMBER)
    set_at(request, f"{PHASES}[0].InitialNumberOfUsers", 9)
    assert errors(request) == (f"{PHASES}[0].InitialNumberOfUsers: 9 is above the maximum 3",)


def test_token_model_source_counts_as_given():
    request = changed(default_request(), InputConfig__ModelPackageVersionArn=TOKEN_STRING)
    assert errors(request) == ()


def test_skips_real_cdk_tokens():
    request = advanced_request()
    changed(
        request,
        RoleArn=f"arn:aws:iam::{cdk.Aws.ACCOUNT_ID}:role/x",
        InputConfig__JobDurationInSeconds=cdk.Token.as_number(cdk.Fn.ref("Seconds")),
        InputConfig__VpcConfig__Subnets=cdk.Token.as_list(cdk.Fn.ref("Subnets")),
        InputConfig__ResourceLimit=cdk.Fn.get_att("Limits", "Value"),
    )
    report = validate_request(request, is_unresolved=cdk.Token.is_unresolved)
    assert report == ValidationReport(errors=(), warnings=())


def test_survives_a_predicate_that_raises():
    def explode(_value: object) -> bool:
        raise AttributeError("not a jsii object")

    assert validate_request(advanced_request(), is_unresolved=explode).errors == ()


# --- all problems together, in document order --------------------------------------------------


def test_reports_several_problems_together_in_document_order():
    request = advanced_request()
    changed(
        request,
        JobName="-bad",
        InputConfig__JobDurationInSeconds=20000,
        **{
            f"{PHASES}[1].DurationInSeconds": 60,
            f"{ENDPOINT}.InstanceType": "ml.t2.medium",
            f"{THRESHOLD}.Percentile": "P50",
        },
    )
    request["Tags"].append({"Key": "team", "Value": "again"})
    delete_at(request, "RoleArn")
    assert errors(request) == (
        "JobName: '-bad' must match pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}$",
        "InputConfig.JobDurationInSeconds: 20000 is above the maximum 18000",
        f"{PHASES}[1].DurationInSeconds: 60 is below the minimum 120",
        (
            f"{ENDPOINT}.InstanceType: 'ml.t2.medium' is a burstable instance type: Inference "
            "Recommender does not load-test the ml.t2 family"
        ),
        f"{THRESHOLD}.Percentile: 'P50' must be one of P95, P99",
        "Tags[1].Key: 'team' repeats Tags[0].Key: tag keys must be unique",
        "RoleArn: is required",
    )


def test_order_follows_the_request_not_the_model():
    request = changed(advanced_request(), JobName="-bad", JobType="Sometimes")
    reordered = {"JobType": request.pop("JobType"), **request}
    assert [e.split(":")[0] for e in errors(request)] == ["JobName", "JobType"]
    assert [e.split(":")[0] for e in errors(reordered)] == ["JobType", "JobName"]


def test_does_not_repeat_a_model_error_as_a_rule_error():
    # 0 breaks the model's minimum 1; the rule's minimum 120 would say the same thing again.
    assert errors(one_phase(DurationInSeconds=0)) == (
        f"{PHASES}[0].DurationInSeconds: 0 is below the minimum 1",
    )


# --- garbage never raises ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["InputConfig", "TrafficPattern", "Phases", "JobType", "Tags"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


_BASE_PATHS = _paths(advanced_request())[1:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_never_raises_on_random_json(value):
    report = validate_request(value, is_unresolved=fake_is_unresolved)
    assert report.errors  # random JSON is never a whole valid request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_BASE_PATHS), json_values)
def test_never_raises_on_garbage_anywhere_in_a_request(path, garbage):
    request = advanced_request()
    node: Any = request
    for segment in path[:-1]:
        node = node[segment]
    node[path[-1]] = copy.deepcopy(garbage)
    report = check(request)
    assert all(isinstance(error, str) and ": " in error for error in report.errors)


@pytest.mark.parametrize(
    "path",
    [
        "InputConfig.JobDurationInSeconds",
        f"{PHASES}[0].SpawnRate",
        f"{PHASES}[1].DurationInSeconds",
        f"{SERVERLESS}.MemorySizeInMB",
        f"{SERVERLESS}.MaxConcurrency",
        "JobName",
    ],
)
@pytest.mark.parametrize("huge", [10**5000, -(10**5000)], ids=["positive", "negative"])
def test_never_raises_on_integers_too_long_to_print(path, huge):
    report = check(set_at(advanced_request(), path, huge))
    found = [*report.errors, *(warning.message for warning in report.warnings)]
    assert found
    assert all("digits>" in error for error in found)


def test_never_raises_on_foreign_objects():
    loop: list[Any] = []
    loop.append(loop)
    odd = {"JobName": b"bytes", "Tags": loop, "InputConfig": {"TrafficPattern": {1, 2}}}
    for value in (None, 3, "x", object(), loop, odd, {"InputConfig": {"Phases": loop}}):
        assert isinstance(validate_request(value), ValidationReport)  # type: ignore[arg-type]
    assert get_at(advanced_request(), "JobType") == "Advanced"


# --- every rule cites its source ----------------------------------------------------------------


def test_every_rule_finding_cites_its_source_and_model_findings_do_not():
    request = advanced_request()
    changed(
        request,
        JobName="x" * 41,  # rule warning
        JobType="Advanced",
        InputConfig__JobDurationInSeconds=20_000,  # rule error (the 18,000 s maximum)
        StoppingConditions__MaxInvocations=50_000,  # rule warning (archived guide)
        **{f"{ENDPOINT}.InstanceType": "ml.t2.medium", f"{SERVERLESS}.MaxConcurrency": 0},
    )
    report = check(request)
    rule_errors = [e for e in report.errors if "MaxConcurrency" not in e]
    (model_error,) = [e for e in report.errors if "MaxConcurrency" in e]
    assert rule_errors
    assert all(re.search(r" \(source: https://\S+\)$", e) for e in rule_errors), rule_errors
    assert report.warnings
    assert all(re.search(r" \(source: https://\S+\)$", w.message) for w in report.warnings)
    assert "(source:" not in model_error


def test_every_warning_id_is_listed_in_the_readme():
    source = (ROOT / "infrec_cdk" / "_rules.py").read_text(encoding="utf-8")
    ids = set(re.findall(r'_warning\(\s*"(\w+)"', source))
    ids |= {warning_id for _path, warning_id, _why in _DEFAULT_JOB_FIELDS}
    ids |= {warning_id for _noun, warning_id, _values in DOCUMENTED_VALUES.values()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(ids) > 20
    missing = sorted(i for i in ids if f"infrec-cdk:{i}" not in readme)
    assert missing == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/a/3",
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/\uff13",  # a fullwidth 3
    ],
)
def test_fails_when_model_package_is_not_group_then_version(arn):
    (error,) = errors(changed(default_request(), InputConfig__ModelPackageVersionArn=arn))
    assert "must end with a /<version> number" in error
