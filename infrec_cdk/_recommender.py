"""``InferenceRecommender``: the role, key, bucket and network that many jobs of a stack share.

Fifty jobs that each provision their own role, key and bucket need 250 resources and 50 KMS keys
(about 1 USD a month each, for as long as they are retained: https://aws.amazon.com/kms/pricing/),
and fifty policies on a role someone shares overflow IAM's 10,240 characters of inline policy per
role (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A foundation
gives its jobs one execution role with one inline policy whose statements merge (a job that needs
nothing new adds nothing), one key, one bucket (a prefix per job) and one security group.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IValidation

from infrec_cdk import _security
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._names import path_digest
from infrec_cdk._network import EndpointNetwork, private_subnets_problem
from infrec_cdk._policy_size import PolicySizeCheck
from infrec_cdk._props import checked_props
from infrec_cdk._removal import snapshot_problem
from infrec_cdk._storage import new_key, new_output_bucket
from infrec_cdk._synth_checks import report_errors

if TYPE_CHECKING:
    from infrec_cdk._job import InferenceRecommendationsJob

__all__ = ["DEFAULT_RECOMMENDER_ID", "InferenceRecommender", "MergedPolicy"]

# The stack's default foundation (see ``InferenceRecommendationsJob``'s ``recommender``): fixed,
# never renamed, since the logical ids of its role, key and bucket derive from it.
DEFAULT_RECOMMENDER_ID = "InfrecRecommender"


class MergedPolicy:
    """One inline policy on a role, to which many jobs add statements that merge.

    Statements alike but for their resources (same ``Sid``, actions, effect and conditions) become
    one statement listing every resource, so a role shared by fifty jobs carries one policy that
    grows only by what is new (another model package, another sample payload).
    """

    def __init__(self, scope: Construct, id: str, role: iam.IRole) -> None:
        self._scope = scope
        self._id = id
        self._role = role
        self.policy: iam.Policy | None = None
        """The policy, once a job has added a statement."""
        self._statements: dict[str, tuple[iam.PolicyStatement, set[str]]] = {}
        self._sids: dict[str, str] = {}  # Sid -> the key of the statement that has it
        self._acknowledged: set[tuple[str, str]] = set()

    @classmethod
    def for_role(cls, stack: cdk.Stack, role: iam.IRole) -> MergedPolicy:
        """Return the stack's merged policy for ``role`` (given to jobs without a recommender)."""
        registry_name = "_infrec_role_policies"
        registry = getattr(stack, registry_name, None)
        if not isinstance(registry, dict):
            registry = {}
            setattr(stack, registry_name, registry)
        path = role.node.path
        if path not in registry:
            registry[path] = cls(stack, f"InfrecRolePolicy{path_digest(path)}", role)
        found: MergedPolicy = registry[path]
        return found

    def add(
        self, statements: Sequence[dict[str, object]], wildcards: Iterable[_security.Wildcard]
    ) -> iam.Policy:
        """Merge ``statements`` (IAM JSON) in, acknowledge new ``wildcards``; return the policy."""
        policy = self.policy
        new_statements: list[iam.PolicyStatement] = []
        for statement in statements:
            resources = [str(resource) for resource in _as_list(statement.get("Resource"))]
            shape = {key: value for key, value in statement.items() if key != "Resource"}
            key = json.dumps(shape, sort_keys=True, default=str)
            if key in self._statements:
                merged, known = self._statements[key]
                fresh = [resource for resource in resources if resource not in known]
                if fresh:
                    merged.add_resources(*fresh)
                    known.update(fresh)
                continue
            sid = shape.get("Sid")
            if isinstance(sid, str):
                # IAM wants statement ids unique in a policy: a second shape under one Sid (a job
                # whose request names other subnets, say) gets a numbered one.
                taken = self._sids.setdefault(sid, key)
                if taken != key:
                    shape["Sid"] = f"{sid}{len(self._sids)}"
                    self._sids[str(shape["Sid"])] = key
            made = iam.PolicyStatement.from_json({**shape, "Resource": resources})
            self._statements[key] = (made, set(resources))
            new_statements.append(made)
        created = policy is None
        if policy is None:
            policy = iam.Policy(self._scope, self._id, statements=new_statements)
            self._role.attach_inline_policy(policy)
            self.policy = policy
            self._scope.node.add_validation(
                PolicySizeCheck(policy, f"the job role shared by {self._scope.node.path}")
            )
        elif new_statements:
            policy.add_statements(*new_statements)
        fresh_wildcards = [
            wildcard
            for wildcard in wildcards
            if (wildcard.resource, wildcard.reason) not in self._acknowledged
        ]
        self._acknowledged.update((w.resource, w.reason) for w in fresh_wildcards)
        if fresh_wildcards or created:
            _security.acknowledge_wildcards(
                policy, fresh_wildcards, also=[_security.INLINE_POLICY] if created else []
            )
        return policy


def _as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


class InferenceRecommender(Construct):
    """What the recommendation jobs attached to it share: role, KMS key, output bucket, network.

    Attach a job with ``InferenceRecommendationsJob(..., recommender=recommender)``. Every job
    keeps its own prefix of the bucket (``<job name prefix>/``); the role gets one inline policy
    whose statements merge across jobs, so a role you give gains one policy, not one per job.
    A stack's jobs that give none of ``role``, ``encryption_key``, ``output_bucket``, ``vpc``,
    ``security_groups``, ``access_logs_bucket`` or ``removal_policy`` share the stack's default
    recommender from their second job on (the first keeps its own, as a single job always has).
    """

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        output_bucket: s3.IBucket | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        max_concurrent_jobs: int | None = None,
        max_instance_hours: float | None = None,
        instance_prices: Mapping[str, float] | None = None,
    ) -> None:
        """Define what the attached jobs share.

        Parameters
        ----------
        scope, id
            Where the construct goes. Its jobs must be in the same stack.
        role
            The jobs' execution role. Default: one role trusted by SageMaker, with only what
            the attached jobs need.
        encryption_key
            Key for the jobs' volumes, outputs and the bucket. Default: a new key with rotation.
        output_bucket
            Bucket for every job's outputs, a prefix per job. Default: a new versioned,
            SSL-only, KMS-encrypted bucket with public access blocked.
        access_logs_bucket, access_logs_prefix
            Where the created bucket delivers its S3 server access logs. Default: none.
        vpc, vpc_subnets, security_groups
            Run every job's benchmark endpoints in this VPC, these subnets (default: the VPC's
            private ones) and these groups (default: one new group allowing no inbound traffic).
        removal_policy
            What happens to the created key and bucket when the stack is deleted.
            Default: ``RETAIN``.
        max_concurrent_jobs
            Run at most this many of the attached jobs at once: each later job starts when the
            one ``max_concurrent_jobs`` places before it has ended (a CloudFormation dependency
            on its wait), so every attached job must wait (``wait=``). Default: no limit.
        max_instance_hours
            Refuse the synth when any attached job could use more instance-hours than this,
            at worst (a job's own ``max_instance_hours`` wins). Default: no limit.
        instance_prices
            USD per instance-hour by instance type (``{"ml.c5.xlarge": 0.238}``): the jobs'
            estimate warnings then show dollars too. Default: instance-hours only.

        """
        super().__init__(scope, id)
        self._path = self.node.path
        problems: list[str] = []
        snapshot = snapshot_problem(removal_policy)
        if snapshot is not None:
            problems.append(snapshot)
        problems += _security.access_log_problems(
            output_bucket, access_logs_bucket, access_logs_prefix
        )
        if max_instance_hours is not None and max_instance_hours <= 0:
            problems.append(f"max_instance_hours: {max_instance_hours:g} must be above 0")
        if max_concurrent_jobs is not None and max_concurrent_jobs < 1:
            problems.append(f"max_concurrent_jobs: {max_concurrent_jobs} must be at least 1")
        no_private = None if vpc is None else private_subnets_problem(vpc, vpc_subnets)
        if no_private is not None:
            problems.append(no_private)
        if problems:
            raise InfrecValidationError(problems, construct_path=self._path)
        self.stack = cdk.Stack.of(self)
        self.removal_policy = removal_policy
        self.max_concurrent_jobs = max_concurrent_jobs
        """At most this many attached jobs run at once (``None``: no limit)."""
        self.max_instance_hours = max_instance_hours
        """No attached job may use more instance-hours than this, at worst (``None``: no limit)."""
        self.instance_prices = None if instance_prices is None else dict(instance_prices)
        """USD per instance-hour by instance type, for the estimates (``None``: none given)."""
        self.encryption_key: kms.IKey = encryption_key or new_key(
            self, removal_policy=removal_policy, purpose=f"the recommendation jobs of {self._path}"
        )
        """The key of every attached job's volumes and outputs."""
        self.output_bucket: s3.IBucket = output_bucket or new_output_bucket(
            self,
            key=self.encryption_key,
            removal_policy=removal_policy,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            default_logs_prefix="access-logs",
        )
        """The bucket of every attached job's outputs (a prefix per job)."""
        self.role: iam.IRole = role or iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"infrec-cdk: execution role of the recommendation jobs of {self._path}",
        )
        """The execution role of every attached job (unless its request names another)."""
        self.role_policy = MergedPolicy(self, "RolePolicy", self.role)
        """The role's one inline policy, merged across the attached jobs."""
        self.vpc = vpc
        """The VPC of the jobs' benchmark endpoints, if any."""
        self._vpc_subnets = vpc_subnets
        self._given_groups = list(security_groups or [])
        self._network: EndpointNetwork | None = None
        self.security_groups: list[ec2.ISecurityGroup] = []
        """The security groups of the benchmark endpoints (once a job uses the VPC)."""
        self.jobs: list[InferenceRecommendationsJob] = []
        """The attached jobs, in the order they were attached."""
        self.node.add_validation(_PacingCheck(self))

    @classmethod
    def default_of(cls, scope: Construct) -> InferenceRecommender:
        """Return the stack's default recommender (all defaults), creating it on first use."""
        stack = cdk.Stack.of(scope)
        remembered = "_infrec_default_recommender"
        found = getattr(stack, remembered, None)
        if isinstance(found, cls):
            return found
        child = stack.node.try_find_child(DEFAULT_RECOMMENDER_ID)
        made = child if isinstance(child, cls) else cls(stack, DEFAULT_RECOMMENDER_ID)
        setattr(stack, remembered, made)
        return made

    def vpc_config(self, job: Construct) -> dict[str, object] | None:
        """Return ``job``'s ``InputConfig.VpcConfig`` (shared groups and subnets), or ``None``."""
        if self.vpc is None:
            return None
        if self._network is None:  # subnets selected and the group created once, for all jobs
            self._network = EndpointNetwork(self, self.vpc, self._vpc_subnets, self._given_groups)
            self.security_groups = self._network.security_groups
        return self._network.vpc_config(job)

    def attach(self, job: InferenceRecommendationsJob) -> InferenceRecommendationsJob | None:
        """Record ``job``; return the job it must wait for under ``max_concurrent_jobs``."""
        if cdk.Stack.of(job) is not self.stack:
            raise InfrecValidationError(
                [
                    (
                        f"recommender: {self._path} is in another stack; a job and its recommender "
                        "must be in the same stack (give each stack its own recommender)"
                    )
                ],
                construct_path=job.node.path,
            )
        self.jobs.append(job)
        limit = self.max_concurrent_jobs
        if limit is None or len(self.jobs) <= limit:
            return None
        return self.jobs[-1 - limit]


@jsii.implements(IValidation)
class _PacingCheck:
    """Refuses ``max_concurrent_jobs`` with a job that does not wait: nothing could pace it."""

    def __init__(self, recommender: InferenceRecommender) -> None:
        self._recommender = recommender

    def validate(self) -> list[str]:
        recommender = self._recommender
        if recommender.max_concurrent_jobs is None:
            return []
        return report_errors(
            recommender,
            [
                f"{job.node.path}: max_concurrent_jobs={recommender.max_concurrent_jobs} paces the "
                "jobs of its recommender by waiting for earlier ones to end, but this job does not "
                "wait; give it wait=Wait(...), or attach it to another recommender"
                for job in recommender.jobs
                if job.wait is None
            ],
        )
