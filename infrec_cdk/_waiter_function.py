"""The stack's waiter Lambda: polls waiting jobs and serves their results resources."""

from __future__ import annotations

import json
from typing import ClassVar

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct, IValidation

from infrec_cdk import _security
from infrec_cdk._names import path_digest
from infrec_cdk._stack_function import OWNER_TAG, StackFunction
from infrec_cdk._synth_checks import report_errors

__all__ = ["WaiterFunction"]

_JOB_ACTIONS = [
    "sagemaker:DescribeInferenceRecommendationsJob",
    # The "announced" tag keeps the completion event at one per job.
    "sagemaker:ListTags",
    "sagemaker:AddTags",
]
_LIST_STEPS_REASON = (
    "ListInferenceRecommendationsJobSteps has no resource type in IAM: only * can be named; "
    "the waiter calls it for the jobs it was told to follow, to log their progress"
)


# A rule target's Input holds at most 8,192 characters (botocore's EventBridge model: TargetInput).
MAX_RULE_INPUT = 8192
# The stack's ARN is only known at deploy time: at its shortest and at its longest (a stack name
# has at most 128 characters; the id ends with a 36-character UUID).
_STACK_ARN_SHORTEST = "arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/" + "0" * 36
_STACK_ARN_LONGEST = (
    "arn:aws-iso-b:cloudformation:ap-southeast-4:123456789012:stack/{name}/" + "0" * 36
)


@jsii.implements(cdk.IListProducer, IValidation)
class _ConditionIds:
    """The logical ids of the wait conditions a poll rule follows, rendered at synth."""

    def __init__(self, rule: events.Rule, rule_name: str) -> None:
        self._rule = rule
        self._rule_name = rule_name
        self.ids: list[str] = []

    def produce(self, _context: cdk.IResolveContext) -> list[str]:
        """Return the ids (tokens, resolved by CDK to the final logical ids)."""
        return list(self.ids)

    def _input_length(self, stack: cdk.Stack, arn: str, name: str) -> int:
        text = {
            "StackId": arn.format(name=name),
            "RuleName": self._rule_name,
            "Conditions": stack.resolve(self.ids),
        }
        return len(json.dumps(text, separators=(",", ":")))

    def validate(self) -> list[str]:
        """Report more waits than the rule's input can list at all; warn when it may not."""
        stack = cdk.Stack.of(self._rule)
        known = None if cdk.Token.is_unresolved(stack.stack_name) else stack.stack_name
        shortest = self._input_length(stack, _STACK_ARN_SHORTEST, known or "x")
        longest = self._input_length(stack, _STACK_ARN_LONGEST, known or "x" * 128)
        what = (
            f"wait: {len(self.ids)} waiting jobs with the same poll_interval: the stack's poll "
            "rule lists their wait conditions in"
        )
        advice = (
            f"EventBridge takes at most {MAX_RULE_INPUT} (botocore's model, TargetInput); give "
            "some of them another poll_interval (one rule each), shorter construct ids, or "
            "another stack"
        )
        if shortest > MAX_RULE_INPUT:
            return report_errors(
                self._rule, [f"{what} at least {shortest} characters, and {advice}"]
            )
        if longest > MAX_RULE_INPUT:
            cdk.Annotations.of(self._rule).add_warning_v2(
                "infrec-cdk:pollRuleInputSize",
                f"{what} up to {longest} characters (the stack's ARN is known at deploy time), "
                f"and {advice}",
            )
        return []


@jsii.implements(events.IRuleTarget)
class _PollTarget:
    """The waiter function as a rule's target, without a permission of its own.

    CDK's ``targets.LambdaFunction`` adds one ``AWS::Lambda::Permission`` per rule; the waiter
    has one for every poll rule of the stack instead. A failed poll is not retried: the next
    poll is the retry.
    """

    def __init__(self, function_arn: str, event: events.RuleTargetInput) -> None:
        self._function_arn = function_arn
        self._event = event

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        """Return the target: the waiter function, with the poll's input."""
        del rule, id  # one target, the same whatever the rule
        return events.RuleTargetConfig(
            arn=self._function_arn,
            input=self._event,
            retry_policy=events.CfnRule.RetryPolicyProperty(maximum_retry_attempts=0),
        )


class WaiterFunction(StackFunction):
    """Polls this stack's waiting jobs and archives their results; use ``WaiterFunction.of``."""

    SINGLETON_ID: ClassVar[str] = "InfrecJobWaiter3b9d51c4"
    HANDLER: ClassVar[str] = "waiter.handler"
    TIMEOUT_MINUTES: ClassVar[int] = 1
    SERVICE_TIMEOUT_MINUTES: ClassVar[int] = 10
    DESCRIPTION: ClassVar[str] = (
        "infrec-cdk: polls waiting recommendation jobs, archives their results"
    )
    ROLE_DESCRIPTION: ClassVar[str] = (
        "infrec-cdk job waiter: follows this stack's waiting recommendation jobs"
    )
    FUNCTION_FINDINGS: ClassVar[tuple[_security.Finding, ...]] = (
        _security.WAITER_LAMBDA_CONCURRENCY,
        _security.WAITER_LAMBDA_DLQ,
        _security.WAITER_LAMBDA_OUTSIDE_VPC,
    )

    def initial_statements(self) -> list[iam.PolicyStatement]:
        """Describe this stack's jobs, list their steps, announce their end on the default bus.

        A job is this stack's by its owner tag (whatever its name: a fixed one, or one known only
        at deploy time) or, for jobs started before the owner tag, by the stack's name prefix.
        """
        return [
            self.owned_jobs(_JOB_ACTIONS, sid="OwnJobs"),
            iam.PolicyStatement(
                actions=_JOB_ACTIONS, resources=[self.stack_jobs_wildcard().resource]
            ),
            iam.PolicyStatement(
                sid="ListJobSteps",
                actions=["sagemaker:ListInferenceRecommendationsJobSteps"],
                resources=["*"],
            ),
            # Read and disable the stack's poll rules (it never enables one).
            iam.PolicyStatement(
                sid="PollRules",
                actions=["events:DescribeRule", "events:DisableRule"],
                resources=[self.poll_rules_arn()],
            ),
            # Which of the stack's wait conditions CloudFormation waits on, and what each waits
            # for (its Metadata): lambda/sweep.py.
            iam.PolicyStatement(
                sid="ReadStackWaits",
                actions=[
                    "cloudformation:ListStackResources",
                    "cloudformation:DescribeStackResource",
                ],
                resources=[cdk.Stack.of(self).stack_id],
            ),
            iam.PolicyStatement(
                actions=["events:PutEvents"],
                resources=[self.arns.arn("events", "event-bus", "default")],
            ),
        ]

    def initial_wildcards(self) -> list[_security.Wildcard]:
        """Return the stack's jobs by prefix, and the step listing IAM cannot scope."""
        return [
            self.stack_jobs_wildcard(),
            self.owned_jobs_wildcard(),
            _security.Wildcard(resource="*", reason=_LIST_STEPS_REASON),
            _security.Wildcard(
                resource=self.poll_rules_arn(),
                reason=(
                    "Each waiting job's poll rule is named after this stack's part of job names "
                    "and the request's digest; the ARN covers only this stack's poll rules"
                ),
            ),
        ]

    def __init__(
        self, scope: Construct, id: str, *, log_encryption_key: kms.IKey | None = None
    ) -> None:
        """Create the stack's waiter (use ``WaiterFunction.of``)."""
        super().__init__(scope, id, log_encryption_key=log_encryption_key)
        self._archive_sids: set[str] = set()
        # The (bucket, key, prefix) objects granted already: jobs sharing a recommender pass the
        # same ones, and their paths need not be asked of Node.js again.
        self._archived: set[tuple[s3.IBucket, kms.IKey, str]] = set()
        self._ai_recommendations = False
        self._poll_rules: dict[int, tuple[events.Rule, _ConditionIds]] = {}
        # One permission for every poll rule of the stack (their names start with the stack's
        # part of job names): Lambda compares SourceArn with StringLike (botocore's Lambda
        # model, AddPermissionRequest.SourceArn), so the trailing * covers them all.
        lambda_.CfnPermission(
            self,
            "PollRules",
            action="lambda:InvokeFunction",
            function_name=self.function_arn,
            principal="events.amazonaws.com",
            source_arn=self.poll_rules_arn(),
            source_account=cdk.Stack.of(self).account,
        )

    def follow(self, condition: cdk.CfnWaitCondition, poll_minutes: int) -> events.Rule:
        """Let the stack's poll rule for ``poll_minutes`` follow ``condition``; return the rule.

        One rule per poll interval for the whole stack: it lists the conditions' logical ids
        (rendered at synth, so a renamed one is listed as renamed), and ``lambda/sweep.py``
        reads the job and handle from each condition's Metadata.
        """
        found = self._poll_rules.get(poll_minutes)
        if found is None:
            rule_name = f"{self.stack_name_part}-poll-{poll_minutes}m"
            rule = events.Rule(
                self,
                f"Poll{poll_minutes}m",
                rule_name=rule_name,
                schedule=events.Schedule.rate(cdk.Duration.minutes(poll_minutes)),
                description="infrec-cdk: polls this stack's waiting recommendation jobs",
            )
            conditions = _ConditionIds(rule, rule_name)
            rule.add_target(
                _PollTarget(
                    self.function_arn,
                    events.RuleTargetInput.from_object(
                        {
                            "StackId": cdk.Stack.of(self).stack_id,
                            "RuleName": rule_name,
                            "Conditions": cdk.Lazy.uncached_list(conditions),
                        }
                    ),
                )
            )
            self.node.add_validation(conditions)
            found = self._poll_rules[poll_minutes] = (rule, conditions)
        rule, conditions = found
        conditions.ids.append(condition.logical_id)
        return rule

    def poll_rules_arn(self) -> str:
        """ARN of every poll rule of this stack (``<stack part of job names>-*``)."""
        return self.arns.arn("events", "rule", f"{self.stack_name_part}-*")

    def allow_archive(self, bucket: s3.IBucket, prefix: str, key: kms.IKey) -> None:
        """Let the waiter write results below ``prefix`` of ``bucket``, encrypted with ``key``.

        One pair of statements per bucket and key, their paths digested into the statement ids
        (one pair per job, or per recommender: a second grant is the same grant). S3 is
        named as ``kms:ViaService`` sees it, ``s3.<region>.<URL suffix>``: ``amazonaws.com.cn``
        in the China Regions (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service,
        https://docs.amazonaws.cn/en_us/aws/latest/userguide/general-info.html).
        """
        if (bucket, key, prefix) in self._archived:
            return
        self._archived.add((bucket, key, prefix))
        sid = path_digest(f"{bucket.node.path}|{key.node.path}")
        if sid in self._archive_sids:
            return
        self._archive_sids.add(sid)
        stack = cdk.Stack.of(self)
        objects = bucket.arn_for_objects(f"{prefix}/*")
        self.policy.add_statements(
            iam.PolicyStatement(
                sid=f"ArchiveResults{sid}", actions=["s3:PutObject"], resources=[objects]
            ),
            iam.PolicyStatement(
                sid=f"ArchiveKey{sid}",
                actions=["kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{stack.region}.{stack.url_suffix}"}
                },
            ),
        )
        _security.acknowledge_wildcards(
            self.policy,
            [
                _security.Wildcard(
                    resource=objects,
                    reason=(
                        "Results are archived under the job's name, generated at deploy time; "
                        "the ARN covers only the results prefixes of this stack's jobs in their "
                        "output bucket"
                    ),
                    owners=(bucket,),
                )
            ],
        )

    def allow_ai_recommendation_jobs(self) -> None:
        """Let the waiter follow this stack's waiting AI recommendation jobs.

        Added with the stack's first waiting one (a stack without one keeps its policy as it
        was). As for the classic jobs: described (and tagged announced) when their owner tag
        names this stack, or by the stack's name prefix. Actions, resource type and condition
        keys: the Service Authorization Reference (DescribeAIRecommendationJob takes
        ai-recommendation-job and aws:ResourceTag),
        https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
        """
        if self._ai_recommendations:
            return
        self._ai_recommendations = True
        actions = [
            "sagemaker:DescribeAIRecommendationJob",
            "sagemaker:ListTags",
            "sagemaker:AddTags",
        ]
        every = self.arns.arn("sagemaker", "ai-recommendation-job", "*")
        stack_prefix = self.arns.arn(
            "sagemaker", "ai-recommendation-job", f"{self.stack_name_part}-*"
        )
        owned = f"{cdk.Stack.of(self).stack_id}/*"
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="OwnAIRecommendationJobs",
                actions=actions,
                resources=[every],
                conditions={"StringLike": {f"aws:ResourceTag/{OWNER_TAG}": owned}},
            ),
            iam.PolicyStatement(
                sid="StackAIRecommendationJobs", actions=actions, resources=[stack_prefix]
            ),
        )
        _security.acknowledge_wildcards(
            self.policy,
            [
                _security.Wildcard(
                    resource=every,
                    reason=(
                        f"Only AI recommendation jobs whose {OWNER_TAG} tag names this stack "
                        f"(aws:ResourceTag {OWNER_TAG} like <this stack's id>/*)"
                    ),
                ),
                _security.Wildcard(
                    resource=stack_prefix,
                    reason=(
                        "AI recommendation job names are generated at deploy time; all start "
                        "with this stack's prefix, so the ARN covers only this stack's jobs"
                    ),
                ),
            ],
        )
