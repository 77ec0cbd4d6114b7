"""``estimate_instance_hours``: the worst-case instance-hours of a request, rule by rule."""

from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import pytest

from infrec_cdk import _estimate, _waiting
from infrec_cdk._estimate import (
    ENDPOINT_SETUP_SECONDS,
    SERVERLESS,
    UNKNOWN_INSTANCE_TYPE,
    InstanceHoursEstimate,
    estimate_instance_hours,
)

SETUP_HOURS = ENDPOINT_SETUP_SECONDS / 3600  # 0.25


def advanced(*configurations: dict[str, Any], **input_config: Any) -> dict[str, Any]:
    """An Advanced request with one hour of traffic (two 30-minute phases) per load test."""
    request: dict[str, Any] = {
        "JobName": "job",
        "JobType": "Advanced",
        "RoleArn": "arn:aws:iam::111122223333:role/ir",
        "InputConfig": {
            "ModelPackageVersionArn": "arn:aws:sagemaker:us-east-1:111122223333:model-package/g/1",
            "TrafficPattern": {
                "TrafficType": "PHASES",
                "Phases": [
                    {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 1800},
                    {"InitialNumberOfUsers": 2, "SpawnRate": 1, "DurationInSeconds": 1800},
                ],
            },
            "EndpointConfigurations": list(configurations),
        },
    }
    request["InputConfig"].update(input_config)
    return request


def default(**input_config: Any) -> dict[str, Any]:
    return {
        "JobName": "job",
        "JobType": "Default",
        "RoleArn": "arn:aws:iam::111122223333:role/ir",
        "InputConfig": {
            "ModelPackageVersionArn": "arn:aws:sagemaker:us-east-1:111122223333:model-package/g/1",
            **input_config,
        },
    }


def instance(name: str, **parameters: list[str]) -> dict[str, Any]:
    configuration: dict[str, Any] = {"InstanceType": name}
    if parameters:
        ranges = [{"Name": key, "Value": values} for key, values in parameters.items()]
        configuration["EnvironmentParameterRanges"] = {"CategoricalParameterRanges": ranges}
    return configuration


SERVERLESS_CONFIG = {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}


# --- Advanced: load tests ------------------------------------------------------------------------


def test_each_endpoint_configuration_is_one_load_test_of_traffic_plus_setup():
    estimate = estimate_instance_hours(advanced(instance("ml.c5.xlarge"), instance("ml.m5.large")))

    assert estimate.tests == 2
    assert dict(estimate.per_instance_type) == {"ml.c5.xlarge": 1.25, "ml.m5.large": 1.25}
    assert estimate.total == 2.5
    assert estimate.limit is None
    assert estimate.unknown == ()


def test_each_environment_parameter_combination_is_a_load_test():
    request = advanced(
        instance("ml.c5.xlarge", OMP_NUM_THREADS=["1", "2", "4"], WORKERS=["1", "2"]),
        instance("ml.g4dn.xlarge"),
    )

    estimate = estimate_instance_hours(request)

    assert estimate.tests == 3 * 2 + 1
    assert estimate.per_instance_type["ml.c5.xlarge"] == 6 * 1.25
    assert estimate.per_instance_type["ml.g4dn.xlarge"] == 1.25
    assert any("EnvironmentParameterRanges" in text for text in estimate.assumptions)


def test_configurations_of_the_same_instance_type_add_up():
    request = advanced(instance("ml.c5.xlarge", A=["1", "2"]), instance("ml.c5.xlarge"))

    assert estimate_instance_hours(request).per_instance_type["ml.c5.xlarge"] == 3 * 1.25


def test_each_load_test_holds_one_instance_and_a_setup_allowance():
    estimate = estimate_instance_hours(advanced(instance("ml.c5.xlarge")))

    assert estimate.per_instance_type["ml.c5.xlarge"] == 1 + SETUP_HOURS
    assert any("one instance" in text for text in estimate.assumptions)
    assert any("15 min" in text for text in estimate.assumptions)


# --- Advanced: traffic ---------------------------------------------------------------------------


def test_phases_traffic_is_the_sum_of_their_durations():
    request = advanced(instance("ml.c5.xlarge"))
    request["InputConfig"]["TrafficPattern"]["Phases"][1]["DurationInSeconds"] = 600

    hours = estimate_instance_hours(request).per_instance_type["ml.c5.xlarge"]

    assert hours == (1800 + 600) / 3600 + SETUP_HOURS


def test_stairs_traffic_is_duration_per_step_times_steps():
    stairs = {"DurationInSeconds": 600, "NumberOfSteps": 3, "UsersPerStep": 1}
    request = advanced(
        instance("ml.c5.xlarge"),
        TrafficPattern={"TrafficType": "STAIRS", "Stairs": stairs},
    )

    estimate = estimate_instance_hours(request)

    # botocore: DurationInSeconds "Defines how long each traffic step should be".
    assert estimate.per_instance_type["ml.c5.xlarge"] == 3 * 600 / 3600 + SETUP_HOURS
    assert any("NumberOfSteps" in text for text in estimate.assumptions)


def test_traffic_is_at_most_the_job_duration():
    request = advanced(instance("ml.c5.xlarge"), JobDurationInSeconds=1200)

    hours = estimate_instance_hours(request).per_instance_type["ml.c5.xlarge"]

    assert hours == pytest.approx(1200 / 3600 + SETUP_HOURS)  # not the phases' full hour


def test_without_a_traffic_pattern_a_test_may_last_the_whole_job():
    request = advanced(instance("ml.c5.xlarge"), JobDurationInSeconds=7200)
    del request["InputConfig"]["TrafficPattern"]

    estimate = estimate_instance_hours(request)

    assert estimate.per_instance_type["ml.c5.xlarge"] == 2 + SETUP_HOURS
    assert any("traffic pattern" in text for text in estimate.assumptions)


# --- Advanced: whole-job bounds ------------------------------------------------------------------


def test_max_number_of_tests_bounds_the_load_tests():
    request = advanced(
        instance("ml.c5.xlarge", A=["1", "2", "3"]),
        instance("ml.g4dn.xlarge", A=["1", "2", "3"]),
        ResourceLimit={"MaxNumberOfTests": 4},
    )

    estimate = estimate_instance_hours(request)

    assert estimate.tests == 4
    assert estimate.limit == 4 * 1.25
    assert estimate.total == 5.0
    # Either type may be the one tested most, up to all of its three tests.
    assert dict(estimate.per_instance_type) == {"ml.c5.xlarge": 3.75, "ml.g4dn.xlarge": 3.75}
    assert estimate.bound.startswith("MaxNumberOfTests 4 of 6 load tests")


def test_job_duration_times_parallel_tests_bounds_the_job():
    request = advanced(
        *(instance(f"ml.c5.{size}") for size in ("xlarge", "2xlarge", "4xlarge", "9xlarge")),
        JobDurationInSeconds=3600,
        ResourceLimit={"MaxParallelOfTests": 1},
    )

    estimate = estimate_instance_hours(request)

    # One endpoint at a time for the hour of the job, plus a test started just before its end.
    assert estimate.limit == 1 * (1 + 1.25)
    assert estimate.total == 2.25
    assert estimate.tests == 4
    assert estimate.bound.startswith("MaxParallelOfTests 1")
    assert any("not running ones" in text for text in estimate.assumptions)


def test_the_smaller_whole_job_bound_applies():
    configurations = [instance("ml.c5.xlarge", A=["1", "2", "3"], B=["1", "2", "3"])]  # 9 tests
    tests_bound = advanced(
        *configurations,
        JobDurationInSeconds=7200,
        ResourceLimit={"MaxNumberOfTests": 2, "MaxParallelOfTests": 2},
    )
    job_bound = copy.deepcopy(tests_bound)
    job_bound["InputConfig"]["ResourceLimit"] = {"MaxNumberOfTests": 8, "MaxParallelOfTests": 1}

    by_tests = estimate_instance_hours(tests_bound)
    by_job = estimate_instance_hours(job_bound)

    assert by_tests.total == 2 * 1.25  # below 2 parallel for (2 h + 1.25 h)
    assert by_tests.bound.startswith("MaxNumberOfTests")
    assert by_job.total == 1 * (2 + 1.25)  # below 8 tests of 1.25 h
    assert by_job.bound.startswith("MaxParallelOfTests")


def test_load_tests_below_both_bounds_are_the_bound():
    request = advanced(
        instance("ml.c5.xlarge"),
        ResourceLimit={"MaxNumberOfTests": 10, "MaxParallelOfTests": 5},
    )

    estimate = estimate_instance_hours(request)

    assert estimate.limit is None
    assert estimate.bound.startswith("1 load tests")


def test_without_max_parallel_tests_the_job_duration_bounds_nothing():
    request = advanced(*(instance("ml.c5.xlarge", A=["1", "2", "3"]) for _ in range(3)))

    estimate = estimate_instance_hours(request)

    assert estimate.total == 9 * 1.25
    assert any("MaxParallelOfTests" in text for text in estimate.assumptions)


# --- serverless ----------------------------------------------------------------------------------


def test_serverless_configurations_are_counted_apart_from_instances():
    request = advanced(instance("ml.c5.xlarge"), SERVERLESS_CONFIG, SERVERLESS_CONFIG)

    estimate = estimate_instance_hours(request)

    assert estimate.tests == 3
    assert estimate.per_instance_type[SERVERLESS] == 2 * 1.25
    assert estimate.total == 1.25  # instance-hours only
    assert "serverless endpoints 2.5 endpoint-hours" in estimate.describe()


def test_a_serverless_only_default_job_uses_no_instances():
    estimate = estimate_instance_hours(
        default(ContainerConfig={"SupportedEndpointType": "Serverless"})
    )

    assert estimate.total == 0
    assert estimate.tests == 0
    assert estimate.describe().startswith("at most 0.0 instance-hours")


# --- Default jobs --------------------------------------------------------------------------------


def test_default_job_holds_each_supported_instance_type_for_45_minutes():
    container = {"SupportedInstanceTypes": ["ml.c5.xlarge", "ml.m5.large", "ml.c5.xlarge"]}

    estimate = estimate_instance_hours(default(ContainerConfig=container))

    assert dict(estimate.per_instance_type) == {"ml.c5.xlarge": 0.75, "ml.m5.large": 0.75}
    assert estimate.tests == 2
    assert estimate.unknown == ()
    assert "Default jobs complete within 45 minutes" in estimate.bound


def test_default_job_with_a_shorter_duration_holds_each_candidate_for_that_long():
    container = {"SupportedInstanceTypes": ["ml.c5.xlarge"]}

    estimate = estimate_instance_hours(
        default(ContainerConfig=container, JobDurationInSeconds=1800)
    )

    assert estimate.per_instance_type["ml.c5.xlarge"] == 0.5
    longer = estimate_instance_hours(default(ContainerConfig=container, JobDurationInSeconds=9000))
    assert longer.per_instance_type["ml.c5.xlarge"] == 0.75


def test_default_job_without_supported_instance_types_leaves_the_candidates_unknown():
    estimate = estimate_instance_hours(default())

    assert dict(estimate.per_instance_type) == {UNKNOWN_INSTANCE_TYPE: 0.75}
    assert estimate.tests is None
    assert estimate.unknown == ("InputConfig.ContainerConfig.SupportedInstanceTypes",)
    assert estimate.describe().startswith("no bound on instance-hours at synth: unknown 0.75")


def test_a_request_without_job_type_is_a_default_job():
    request = default(ContainerConfig={"SupportedInstanceTypes": ["ml.c5.xlarge"]})
    del request["JobType"]

    assert estimate_instance_hours(request).per_instance_type == {"ml.c5.xlarge": 0.75}


# --- tokens --------------------------------------------------------------------------------------


def test_tokens_are_reported_unknown_and_replaced_by_their_worst_case():
    request = advanced(
        instance(cdk.Token.as_string(cdk.Fn.ref("InstanceType"))),
        instance("ml.c5.xlarge", A=cdk.Token.as_list(cdk.Fn.ref("Values"))),
        JobDurationInSeconds=cdk.Token.as_number(cdk.Fn.ref("Duration")),
        ResourceLimit={"MaxParallelOfTests": 2},
    )
    request["InputConfig"]["TrafficPattern"]["Phases"][0]["DurationInSeconds"] = (
        cdk.Token.as_number(cdk.Fn.ref("Phase"))
    )

    estimate = estimate_instance_hours(request)

    assert estimate.unknown == (
        "InputConfig.JobDurationInSeconds",
        "InputConfig.TrafficPattern.Phases[0].DurationInSeconds",
        "InputConfig.EndpointConfigurations[0].InstanceType",
        (
            "InputConfig.EndpointConfigurations[1].EnvironmentParameterRanges"
            ".CategoricalParameterRanges[0].Value"
        ),
    )
    test = (3600 + 1800) / 3600 + SETUP_HOURS  # the phase at its 3600 s maximum
    assert estimate.per_instance_type[UNKNOWN_INSTANCE_TYPE] == test
    assert estimate.per_instance_type["ml.c5.xlarge"] == 3 * test  # Value holds at most 3
    assert estimate.limit is None  # 2 parallel for (5 h + a test) is above 4 tests
    assert estimate.describe().endswith(
        "unknown at synth: " + ", ".join(estimate.unknown),
    )


def test_unknown_job_type_or_configurations_give_no_figures():
    job_type = estimate_instance_hours({"JobType": cdk.Fn.ref("Type"), "InputConfig": {}})
    configurations = advanced()
    configurations["InputConfig"]["EndpointConfigurations"] = cdk.Token.as_list(
        cdk.Fn.ref("Configurations"),
    )

    assert job_type.per_instance_type == {}
    assert job_type.tests is None
    assert job_type.unknown == ("JobType",)
    assert estimate_instance_hours(configurations).tests is None
    assert estimate_instance_hours(configurations).unknown == (
        "InputConfig.EndpointConfigurations",
    )
    assert estimate_instance_hours(configurations).describe().startswith("no bound")


def test_unknown_configurations_are_still_bounded_by_the_job_duration():
    request = advanced(JobDurationInSeconds=3600, ResourceLimit={"MaxParallelOfTests": 2})
    request["InputConfig"]["EndpointConfigurations"] = cdk.Token.as_list(cdk.Fn.ref("Configs"))

    estimate = estimate_instance_hours(request)

    assert estimate.total == 2 * (1 + 1.25)
    assert estimate.per_instance_type == {UNKNOWN_INSTANCE_TYPE: 4.5}


def test_unknown_supported_instance_types_are_reported():
    names = cdk.Token.as_list(cdk.Fn.ref("Types"))

    estimate = estimate_instance_hours(default(ContainerConfig={"SupportedInstanceTypes": names}))

    assert estimate.unknown == ("InputConfig.ContainerConfig.SupportedInstanceTypes",)
    assert estimate.tests is None


# --- cost and describe ---------------------------------------------------------------------------


def test_cost_prices_every_instance_type():
    request = advanced(instance("ml.c5.xlarge"), instance("ml.g4dn.xlarge"))

    cost = estimate_instance_hours(request).cost({"ml.c5.xlarge": 0.2, "ml.g4dn.xlarge": 0.8})

    assert cost == pytest.approx(1.25 * 0.2 + 1.25 * 0.8)


def test_cost_is_none_when_a_type_has_no_price():
    request = advanced(instance("ml.c5.xlarge"), instance("ml.g4dn.xlarge"), SERVERLESS_CONFIG)
    estimate = estimate_instance_hours(request)

    assert estimate.cost({"ml.c5.xlarge": 0.2}) is None
    assert estimate.cost({"ml.c5.xlarge": 0.2, "ml.g4dn.xlarge": 0.8}) is None  # serverless
    full = {"ml.c5.xlarge": 0.2, "ml.g4dn.xlarge": 0.8, SERVERLESS: 0.1}
    assert estimate.cost(full) == pytest.approx(1.25 * (0.2 + 0.8 + 0.1))


def test_cost_under_a_whole_job_limit_goes_to_the_dearest_types_first():
    estimate = InstanceHoursEstimate(
        per_instance_type={"ml.c5.xlarge": 3.0, "ml.g4dn.xlarge": 2.0},
        tests=4,
        bound="test",
        limit=4.0,
    )

    assert estimate.total == 4.0
    assert estimate.cost({"ml.c5.xlarge": 0.1, "ml.g4dn.xlarge": 1.0}) == pytest.approx(
        2.0 * 1.0 + 2.0 * 0.1,
    )


def test_describe_names_the_numbers():
    request = advanced(
        instance("ml.c5.xlarge", A=["1", "2", "3"], B=["1", "2"]),  # 6 tests
        instance("ml.g4dn.xlarge"),
        instance("ml.g4dn.xlarge"),
    )

    text = estimate_instance_hours(request).describe()

    assert text == (
        "at most 10.0 instance-hours: ml.c5.xlarge 7.5, ml.g4dn.xlarge 2.5 "
        "(8 load tests \N{MULTIPLICATION SIGN} (1 h traffic + 15 min setup))"
    )


def test_describe_says_which_whole_job_bound_applied():
    request = advanced(
        instance("ml.c5.xlarge", A=["1", "2", "3"]),
        JobDurationInSeconds=3600,
        ResourceLimit={"MaxParallelOfTests": 1},
    )

    text = estimate_instance_hours(request).describe()

    assert text == (
        "at most 2.25 instance-hours: ml.c5.xlarge up to 2.25 (MaxParallelOfTests 1 "
        "\N{MULTIPLICATION SIGN} (1 h job + 1 h 15 min for a test started last), below 3 load "
        "tests \N{MULTIPLICATION SIGN} (1 h traffic + 15 min setup))"
    )


def test_an_existing_endpoint_is_not_counted_and_says_so():
    request = default(
        ContainerConfig={"SupportedInstanceTypes": ["ml.c5.xlarge"]},
        Endpoints=[{"EndpointName": "mine"}],
    )

    estimate = estimate_instance_hours(request)

    assert estimate.total == 0.75
    assert any("InputConfig.Endpoints" in text for text in estimate.assumptions)


def test_durations_match_the_waiting_module():
    assert _estimate.DEFAULT_JOB_SECONDS == _waiting.DEFAULT_JOB_SECONDS
    assert _estimate.MAX_JOB_SECONDS == _waiting.MAX_JOB_SECONDS
