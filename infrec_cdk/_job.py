"""``InferenceRecommendationsJob``: a SageMaker Inference Recommender job as a CDK construct."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IValidation

from infrec_cdk import _security
from infrec_cdk._arns import StackArns
from infrec_cdk._config import (
    ContainerConfig,
    EndpointConfiguration,
    JobType,
    ModelSource,
    PayloadConfig,
    ResourceLimit,
    StoppingConditions,
    TrafficPattern,
)
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._estimate import estimate_instance_hours
from infrec_cdk._handler_function import JobHandler
from infrec_cdk._instance_storage import (
    API_CREATE_ENDPOINT_CONFIG,
    GUIDE_ENCRYPTION_AT_REST,
    tested_instances,
)
from infrec_cdk._job_role import JobRolePermissions, model_artifact_urls
from infrec_cdk._names import job_name_prefix, path_digest
from infrec_cdk._network import EndpointNetwork, private_subnets_problem
from infrec_cdk._payload_asset import StagedPayload, fill_sample_payload
from infrec_cdk._props import checked_props
from infrec_cdk._recommender import InferenceRecommender, MergedPolicy
from infrec_cdk._removal import snapshot_problem
from infrec_cdk._request import render_request
from infrec_cdk._storage import new_key, new_output_bucket
from infrec_cdk._synth_checks import report_errors
from infrec_cdk._tokens import is_unresolved
from infrec_cdk._validation import validate_request
from infrec_cdk._waiting import JobWaiter, TopRecommendation, Wait, wait_problems

__all__ = ["RESOURCE_TYPE", "InferenceRecommendationsJob"]

RESOURCE_TYPE = "Custom::InferenceRecommendationsJob"
"""The CloudFormation type of a job's custom resource (attributes ``JobArn``, ``JobName``)."""
# SageMaker allows 50 tags on a job (botocore's model: Tags, at most 50 items). The handler adds
# two (lambda/request.py: the create request's digest, the owner); with wait=, the waiter adds
# one more once the job has ended (lambda/poll.py: announced).
MAX_JOB_TAGS = 50
HANDLER_TAGS = ("infrec-cdk:create-request", "infrec-cdk:owner")
WAITER_TAGS = ("infrec-cdk:announced",)

Document = dict[str, object]


def _copy(value: object) -> object:
    """Copy the JSON-like parts of a request; anything else is kept as given."""
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


def _endpoint_configuration_kinds(request: Document) -> tuple[str, ...]:
    input_config = request.get("InputConfig")
    entries = input_config.get("EndpointConfigurations") if isinstance(input_config, dict) else None
    if not isinstance(entries, list):
        return ()
    return tuple(
        "instance" if isinstance(entry, dict) and "InstanceType" in entry else "serverless"
        for entry in entries
    )


def _known_str(value: object) -> str | None:
    """``value`` when it is a string known at synth time, else ``None``."""
    if isinstance(value, str) and not is_unresolved(value):
        return value
    return None


@jsii.implements(cdk.ITaggable)
class InferenceRecommendationsJob(Construct):
    """Runs a SageMaker Inference Recommender job when the stack deploys.

    The job starts from a ``Custom::InferenceRecommendationsJob`` resource. A change to the request
    starts a new job (SageMaker never reuses a job name); deleting the resource stops a job that
    still runs. Unless given, the construct provisions the job's IAM role, a KMS key (rotated) for
    the benchmark volumes and outputs, an S3 output bucket, and, with a ``vpc``, a security group.

    Use the keyword arguments, or ``InferenceRecommendationsJob.from_request`` with a request in
    the API's own syntax.
    """

    # S3 URLs of the model's artefacts, when known at synth time: the job role may read them.
    _model_artifacts: tuple[str, ...] = ()
    # The right-sized model's own execution role, when known: the job role may pass it.
    _model_role_arn: str | None = None
    # The sample payload from local disk (PayloadConfig.from_asset), once staged as an asset.
    _sample_payload: StagedPayload | None = None
    # KMS keys of the request as cdk-nag would name them (see ``_alias_name``), by value.
    _flat_keys: dict[str, str]
    encryption_key: kms.IKey
    """The key of the job's volumes and outputs (its own, given, or its recommender's)."""
    output_bucket: s3.IBucket
    """The bucket of the job's outputs (its own, given, or its recommender's)."""

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model: ModelSource,
        job_type: JobType | None = None,
        job_name: str | None = None,
        description: str | None = None,
        job_duration: cdk.Duration | None = None,
        container_config: ContainerConfig | None = None,
        endpoint_configurations: Sequence[EndpointConfiguration] | None = None,
        traffic_pattern: TrafficPattern | None = None,
        stopping_conditions: StoppingConditions | None = None,
        resource_limit: ResourceLimit | None = None,
        existing_endpoint_name: str | None = None,
        compiled_output_uri: str | None = None,
        tags: Mapping[str, str] | None = None,
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        output_bucket: s3.IBucket | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        log_encryption_key: kms.IKey | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        wait: Wait | None = None,
        recommender: InferenceRecommender | None = None,
        max_instance_hours: float | None = None,
    ) -> None:
        """Define a recommendation job.

        Parameters
        ----------
        scope, id
            Where the construct goes.
        model
            What to right-size: ``ModelSource.from_model_package_version(arn)``,
            ``ModelSource.from_model_name(name)`` or ``ModelSource.from_model(cfn_model)``.
        job_type
            ``JobType.DEFAULT`` (instance recommendation) or ``JobType.ADVANCED`` (load test).
            Default: ``ADVANCED`` when any of ``endpoint_configurations``, ``traffic_pattern``,
            ``stopping_conditions`` or ``resource_limit`` is given, otherwise ``DEFAULT``.
        job_name
            ``JobName``. Default: a new name for every create or change, made of the stack's and
            this construct's names plus a per-request hash. A fixed name makes any later change to
            the request fail, since SageMaker never reuses names.
        description
            ``JobDescription`` (at most 128 characters). Default: none.
        job_duration
            ``InputConfig.JobDurationInSeconds`` (at most 5 hours). Default: SageMaker's.
        container_config
            ``InputConfig.ContainerConfig``. Required with a model name. Default: the package's.
        endpoint_configurations
            ``InputConfig.EndpointConfigurations``: 1 to 10 configurations an Advanced job tests.
        traffic_pattern
            ``InputConfig.TrafficPattern`` of an Advanced job.
        stopping_conditions
            ``StoppingConditions`` of an Advanced job.
        resource_limit
            ``InputConfig.ResourceLimit`` of an Advanced job. Default: SageMaker's.
        existing_endpoint_name
            ``InputConfig.Endpoints[0].EndpointName``: benchmark this existing endpoint.
            Default: none.
        compiled_output_uri
            ``OutputConfig.CompiledOutputConfig.S3OutputUri``. Default: a prefix of the output
            bucket named after this job.
        tags
            ``Tags`` on the job (at most 49; infrec-cdk adds one of its own). Default: none.
        role
            The job's execution role. Default: a role trusted by SageMaker with only what the job
            needs (no ``AmazonSageMakerFullAccess``).
        encryption_key
            Key for ``InputConfig.VolumeKmsKeyId``, ``OutputConfig.KmsKeyId`` and the output
            bucket. Default: a new key with rotation, removed per ``removal_policy``.
        output_bucket
            Bucket for the job's outputs. Default: a new versioned, SSL-only, KMS-encrypted
            bucket with public access blocked, removed per ``removal_policy``.
        access_logs_bucket
            Where the created output bucket delivers its S3 server access logs (an SSE-S3
            bucket; S3 cannot log to a KMS-encrypted one). Only for the bucket this construct
            creates. Default: no access logs (acknowledged as ``AwsSolutions-S1``, see README).
        access_logs_prefix
            Key prefix of those logs. Default: ``<job name prefix>/access-logs/``.
        log_encryption_key
            Customer managed key for the stack's handler log group; the construct lets
            CloudWatch Logs use it (an imported key's policy must already allow that). Every
            job of a stack shares the handler: give the key to the stack's first job.
            Default: CloudWatch Logs' own encryption at rest.
        vpc
            Run the benchmark endpoints in this VPC (``InputConfig.VpcConfig``). Default: no VPC.
            Without a NAT, its subnets need VPC endpoints: see ``add_vpc_endpoints``.
        vpc_subnets
            Subnets of ``vpc`` to use. Default: the VPC's private subnets.
        security_groups
            Security groups for the endpoints. Default: one new group allowing no inbound traffic.
        removal_policy
            What happens to the created key and bucket when the stack is deleted.
            Default: ``RETAIN`` — nothing the job produced is lost.
        wait
            Wait for the job to finish during deployment (up to 12 hours), archive its results
            in the output bucket and expose the top one as ``top_recommendation``.
            Default: no waiting; the deployment goes on as soon as the job has started.
        recommender
            Share this ``InferenceRecommender``'s role, key, bucket and network (then give none
            of ``role``, ``encryption_key``, ``output_bucket``, ``access_logs_*``, ``vpc*``,
            ``security_groups`` or ``removal_policy`` here). Default: a job that gives none of
            them shares the stack's default recommender, unless it is the stack's first such
            job, which provisions its own (a single job keeps its own role, key and bucket).
        max_instance_hours
            Refuse the synth when the job could use more instance-hours than this, at worst
            (see ``instance_hours``). Default: the recommender's, else no limit; the estimate
            is shown as a warning either way (``infrec-cdk:instanceHours``).

        """
        super().__init__(scope, id)
        request = render_request(
            model=model,
            job_type=job_type,
            job_name=job_name,
            description=description,
            job_duration=job_duration,
            container_config=container_config,
            endpoint_configurations=endpoint_configurations,
            traffic_pattern=traffic_pattern,
            stopping_conditions=stopping_conditions,
            resource_limit=resource_limit,
            existing_endpoint_name=existing_endpoint_name,
            compiled_output_uri=compiled_output_uri,
            tags=tags,
        )
        # A model from this app is referenced by GetAtt (ModelName), which already orders the
        # model before the job; a DependsOn as well is redundant (cfn-lint W3005).
        self._model_artifacts = model_artifact_urls(model)
        self._model_role_arn = model.execution_role_arn
        self._build(
            request,
            id,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            log_encryption_key=log_encryption_key,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
            wait=wait,
            recommender=recommender,
            max_instance_hours=max_instance_hours,
        )

    @classmethod
    @checked_props
    def from_request(
        cls,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        output_bucket: s3.IBucket | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        log_encryption_key: kms.IKey | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        wait: Wait | None = None,
        recommender: InferenceRecommender | None = None,
        max_instance_hours: float | None = None,
    ) -> InferenceRecommendationsJob:
        """Define a job from a CreateInferenceRecommendationsJob request in the API's syntax.

        ``JobName``, ``RoleArn``, ``OutputConfig``, ``InputConfig.VolumeKmsKeyId`` and
        ``InputConfig.VpcConfig`` may be left out: they are generated or provisioned as for the
        keyword form (whose arguments of the same names apply). A ``RoleArn`` in the request is
        used as is: that role must already allow what the job needs.
        """
        return _RequestJob(
            scope,
            id,
            request,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            log_encryption_key=log_encryption_key,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
            wait=wait,
            recommender=recommender,
            max_instance_hours=max_instance_hours,
        )

    def _build(
        self,
        user_request: Mapping[str, object],
        id: str,
        *,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        log_encryption_key: kms.IKey | None,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        removal_policy: cdk.RemovalPolicy,
        wait: Wait | None,
        recommender: InferenceRecommender | None,
        max_instance_hours: float | None = None,
    ) -> None:
        self._flat_keys = {}
        self._path = self.node.path  # read once: every read crosses into Node.js
        copied = _copy(user_request)
        request: Document = dict(copied) if isinstance(copied, dict) else {}
        payload_problems = self._fill_sample_payload(request)
        self._handler = JobHandler.of(self, log_encryption_key=log_encryption_key)
        self.job_name_prefix = job_name_prefix(self._handler.stack_identity, id)
        given = _given_provisioning(
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
        )
        if recommender is not None and given:
            raise InfrecValidationError(
                [
                    f"{name}: is given to a job attached to a recommender, whose "
                    f"{name} every attached job shares; give it to the InferenceRecommender "
                    f"({recommender.node.path}) instead"
                    for name in given
                ],
                construct_path=self._path,
            )
        if recommender is None and not given:
            recommender = _default_recommender(self)
        self.recommender = recommender
        """The ``InferenceRecommender`` whose resources this job shares (``None``: its own)."""
        self._paced_after = None if recommender is None else recommender.attach(self)
        if recommender is None:
            self._provision_storage(
                encryption_key=encryption_key,
                output_bucket=output_bucket,
                access_logs_bucket=access_logs_bucket,
                access_logs_prefix=access_logs_prefix,
                removal_policy=removal_policy,
            )
        else:
            self.encryption_key = recommender.encryption_key
            self.output_bucket = recommender.output_bucket
        problems = (
            ["RoleArn: is given both in the request and as `role`; use one"]
            if role is not None and "RoleArn" in request
            else []
        )
        problems += payload_problems
        owns_policy = self._choose_role(
            request, role if recommender is None or "RoleArn" in request else recommender.role
        )
        self._role_given = role is not None
        problems += self._fill_provisioned(request, vpc, vpc_subnets, security_groups)
        if wait is not None:
            problems += wait_problems(wait)
        problems += _security.access_log_problems(
            output_bucket, access_logs_bucket, access_logs_prefix
        )
        library_tags = _library_tags(waiting=wait is not None)
        self._check(request, problems, library_tags=library_tags)
        self._estimate_instance_hours(request, max_instance_hours)
        self._tags = cdk.TagManager(cdk.TagType.KEY_VALUE, RESOURCE_TYPE)
        job_tags = _JobTags(self, self._tags, request.get("Tags"), library_tags)
        request["Tags"] = cdk.Lazy.uncached_any(job_tags)
        self.node.add_validation(job_tags)
        self._start_job(request, owns_policy=owns_policy)

        self.wait = wait
        """How the deployment waits for the job (``None``: it does not)."""
        self.endpoint_configuration_kinds = _endpoint_configuration_kinds(request)
        """``"instance"`` or ``"serverless"``, per endpoint configuration an Advanced job tests."""
        self.top_recommendation: TopRecommendation | None = None
        """The top recommendation (tokens), when the construct waits for the job."""
        self._waiter: JobWaiter | None = None
        if wait is not None:
            self._waiter = waiter = JobWaiter(
                self,
                "Wait",
                wait=wait,
                request=request,
                job_resource=self._resource,
                job_name_prefix=self.job_name_prefix,
                output_bucket=self.output_bucket,
                encryption_key=self.encryption_key,
                log_encryption_key=log_encryption_key,
            )
            self.top_recommendation = waiter.top_recommendation
        if self._paced_after is not None and self._paced_after._waiter is not None:  # noqa: SLF001
            # max_concurrent_jobs: start once the job that many places before has ended.
            self._resource.node.add_dependency(self._paced_after._waiter.condition)  # noqa: SLF001

    def _fill_sample_payload(self, request: Document) -> list[str]:
        """Stage a payload from local disk as a file asset, its URL in the request; problems."""
        input_config = request.get("InputConfig")
        container = input_config.get("ContainerConfig") if isinstance(input_config, dict) else None
        payload = container.get("PayloadConfig") if isinstance(container, dict) else None
        if isinstance(container, dict) and isinstance(payload, PayloadConfig):
            # from_request: a PayloadConfig (PayloadConfig.from_asset) may stand for the mapping.
            container["PayloadConfig"] = payload.render()
        self._sample_payload, problems = fill_sample_payload(self, request)
        return problems

    def _estimate_instance_hours(self, request: Document, limit: float | None) -> None:
        """Warn with the job's worst-case instance-hours; refuse them above the limit."""
        recommender = self.recommender
        if limit is None and recommender is not None:
            limit = recommender.max_instance_hours
        prices = None if recommender is None else recommender.instance_prices
        estimate = estimate_instance_hours(request)
        self.instance_hours = estimate
        """The job's worst-case instance-hours per instance type (see ``_estimate``)."""
        cost = None if prices is None else estimate.cost(prices)
        dollars = "" if cost is None else f", about {cost:,.2f} USD at the given prices"
        bounded = estimate.tests is not None or estimate.limit is not None
        if limit is not None and not bounded:
            # Not refused: the request may well stay within the limit (a false refusal blocks).
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:instanceHoursUnbounded",
                f"max_instance_hours: {limit:g} cannot be checked at synth, since the number of "
                f"instance types the job tests is not known ({estimate.describe()}); list them "
                "in ContainerConfig.SupportedInstanceTypes or EndpointConfigurations",
            )
        elif limit is not None and estimate.total > limit:
            raise InfrecValidationError(
                [
                    (
                        f"max_instance_hours: the job could use {estimate.total:g} instance-hours, "
                        f"above the limit of {limit:g}: {estimate.describe()}{dollars}; test fewer "
                        "configurations, shorten the traffic or JobDurationInSeconds, or set "
                        "ResourceLimit.MaxNumberOfTests"
                    )
                ],
                construct_path=self._path,
            )
        cdk.Annotations.of(self).add_warning_v2(
            "infrec-cdk:instanceHours",
            f"Worst case: {estimate.describe()}{dollars}. Set max_instance_hours= to refuse "
            "more; acknowledge this warning once you have read it",
        )

    @property
    def recommended(self) -> TopRecommendation:
        """The top recommendation (tokens) of a job given ``wait=``; never ``None``.

        ``top_recommendation`` is the same value, or ``None`` for a job that does not wait; this
        accessor needs no ``None`` check. Raises ``InfrecValidationError`` naming ``wait`` when
        the job does not wait.
        """
        if self.top_recommendation is None:
            raise InfrecValidationError(
                ["wait: the job has no recommendation to use unless it waits; pass wait=Wait(...)"],
                construct_path=self._path,
            )
        return self.top_recommendation

    @property
    def tags(self) -> cdk.TagManager:
        """The job's tags (``ITaggable``): ``Tags.of(scope).add(key, value)`` reaches them.

        Merged with the job's own ``tags``, which win over an applied tag of the same key.
        """
        return self._tags

    def _provision_storage(
        self,
        *,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        """Set the key and the output bucket: the given ones, or new, safe ones.

        ``DESTROY`` empties the created bucket first (every object version: it is versioned);
        ``SNAPSHOT`` is refused (see ``_removal``).
        """
        snapshot = snapshot_problem(removal_policy)
        if snapshot is not None:
            raise InfrecValidationError([snapshot], construct_path=self._path)
        self.encryption_key = encryption_key or new_key(
            self,
            removal_policy=removal_policy,
            purpose=f"recommendation job {self._path}",
        )
        self.output_bucket = output_bucket or new_output_bucket(
            self,
            key=self.encryption_key,
            removal_policy=removal_policy,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            default_logs_prefix=self.job_name_prefix,
        )

    def _choose_role(self, request: Document, role: iam.IRole | None) -> bool:
        """Set the job's role and ``RoleArn``; return whether this construct writes its policy.

        A ``RoleArn`` in the request (a string or a token such as ``my_role.role_arn``) is used as
        is, and that role must already allow what the job needs; ``role=`` gets the policy.
        """
        role_arn = request.get("RoleArn")
        if role is not None:
            self.role: iam.IRole = role
        elif isinstance(role_arn, str):
            self.role = iam.Role.from_role_arn(self, "ImportedRole", role_arn, mutable=False)
        else:
            self.role = iam.Role(
                self,
                "Role",
                assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                description=f"infrec-cdk: execution role of recommendation job {self._path}",
            )
        self._role_arn = self.role.role_arn
        request.setdefault("RoleArn", self._role_arn)
        return not isinstance(role_arn, str)

    def _fill_provisioned(
        self,
        request: Document,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
    ) -> list[str]:
        """Fill in the key, VPC and output settings the request leaves out; return problems.

        The volume key is set only when every instance type the job may test is known to keep
        its data on EBS (see ``_instance_storage``); a key the request gives is kept, with a
        warning when it may meet local NVMe storage.
        """
        problems: list[str] = []
        input_config = request.get("InputConfig")
        self.security_groups: list[ec2.ISecurityGroup] = []
        self._tested_instances = tested_instances(request)
        shared_vpc = None if self.recommender is None else self.recommender.vpc
        if isinstance(input_config, dict):
            self._fill_volume_key(input_config)
            if shared_vpc is not None and "VpcConfig" in input_config:
                problems.append(
                    "InputConfig.VpcConfig: is given in the request of a job whose recommender "
                    "has a vpc; use one"
                )
            elif self.recommender is not None and shared_vpc is not None:
                input_config["VpcConfig"] = self.recommender.vpc_config(self)
                self.security_groups = list(self.recommender.security_groups)
            elif vpc is not None and "VpcConfig" in input_config:
                problems.append(
                    "InputConfig.VpcConfig: is given both in the request and as `vpc`; use one"
                )
            elif vpc is not None and (no_private := private_subnets_problem(vpc, vpc_subnets)):
                problems.append(no_private)
            elif vpc is not None:
                network = EndpointNetwork(self, vpc, vpc_subnets, security_groups)
                self.security_groups = network.security_groups
                input_config["VpcConfig"] = network.vpc_config(self)
        output_config = request.setdefault("OutputConfig", {})
        if isinstance(output_config, dict):
            output_config.setdefault("KmsKeyId", self.encryption_key.key_arn)
            output_config.setdefault(
                "CompiledOutputConfig",
                {"S3OutputUri": self.output_bucket.s3_url_for_object(self._output_prefix)},
            )
        self._warn_about_key_aliases(request)
        return problems

    @property
    def _output_prefix(self) -> str:
        return f"{self.job_name_prefix}/compiled"

    @property
    def _shared_output_prefix(self) -> str:
        """The key pattern covering every job's compiled output in a shared bucket.

        Every job name prefix of a stack starts with the stack's part (``_names``).
        """
        return f"{self._handler.stack_name_part}-*/compiled"

    def _start_job(self, request: Document, *, owns_policy: bool) -> None:
        """Create the job role's policy, the handler's grants and the custom resource."""
        policy: iam.Policy | None = None
        if owns_policy and (self.recommender is not None or self._role_given):
            # A shared role (a recommender's, or one given to several jobs) gets one policy,
            # merged, not one per job.
            permissions = self._job_role_permissions(request, self._shared_output_prefix)
            merged = (
                MergedPolicy.for_role(cdk.Stack.of(self), self.role)
                if self.recommender is None
                else self.recommender.role_policy
            )
            policy = merged.add(permissions.statements, permissions.wildcards)
        elif owns_policy:
            permissions = self._job_role_permissions(request, self._output_prefix)
            policy = iam.Policy(self, "RolePolicy", document=permissions.document())
            self.role.attach_inline_policy(policy)
            _security.acknowledge_job_policy(policy, permissions.wildcards)
        self._handler.allow_pass_role(self._role_arn)
        self._handler.allow_keys(self._job_key_arns(request), sid=path_digest(self._path))
        job_name = _known_str(request.get("JobName"))
        if job_name is not None:
            self._handler.allow_job_name(job_name)
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:fixedJobName",
                f"JobName is fixed to {job_name!r}: SageMaker never reuses job names, so any "
                "later change to this job's request will fail until the name changes too",
            )
        elif isinstance(request.get("JobName"), str):  # a token, known at deploy time
            self._handler.allow_job_name(str(request["JobName"]))
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:tokenJobName",
                "JobName is only known at deploy time: SageMaker never reuses job names, so a "
                "later change to the request fails unless the name changes too; and IAM sees "
                "job names in lowercase, so give a lowercase name, or the handler cannot look "
                "it up before the job exists",
            )
        if request.get("JobDescription") is not None:
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:descriptionStartsNewJob",
                "JobDescription: SageMaker cannot change a job's description (there is no "
                "update API; tags alone are changed in place), so changing the description "
                "later starts a new job, a new load test; keep it as it is once deployed",
            )
        self._resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self._handler.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={"Request": request, "JobNamePrefix": self.job_name_prefix},
            service_timeout=cdk.Duration.minutes(JobHandler.SERVICE_TIMEOUT_MINUTES),
        )
        # The job keeps its permissions until it has been stopped, and the handler its own.
        self._resource.node.add_dependency(
            self._handler.policy, *([] if policy is None else [policy])
        )
        self.job_arn: str = self._resource.get_att_string("JobArn")
        """The job's ARN (a token)."""
        self.job_name: str = self._resource.get_att_string("JobName")
        """The job's name (a token)."""

    def _check(
        self, request: Document, problems: list[str], *, library_tags: tuple[str, ...]
    ) -> None:
        report = validate_request(
            request,
            job_name_generated="JobName" not in request,
            is_unresolved=is_unresolved,
        )
        tags = request.get("Tags")
        allowed = MAX_JOB_TAGS - len(library_tags)
        if isinstance(tags, list) and len(tags) > allowed:
            problems.append(
                f"Tags: has {len(tags)} items, at most {allowed} are allowed (SageMaker allows "
                f"{MAX_JOB_TAGS} on a job, and infrec-cdk adds {', '.join(library_tags)})"
            )
        errors = [*report.errors, *problems]
        if errors:
            raise InfrecValidationError(errors, construct_path=self._path)
        for warning in report.warnings:
            cdk.Annotations.of(self).add_warning_v2(warning.id, warning.message)

    def _job_role_permissions(self, request: Document, output_prefix: str) -> JobRolePermissions:
        permissions = JobRolePermissions(self, self._role_arn)
        for url in self._model_artifacts:
            permissions.read_object(url)
        permissions.hosting()
        if self._model_role_arn is not None and self._model_role_arn != self._role_arn:
            permissions.pass_model_role(self._model_role_arn)
        permissions.container_images()
        permissions.metrics_and_logs()
        input_config = request.get("InputConfig")
        if isinstance(input_config, dict):
            package = _known_str(input_config.get("ModelPackageVersionArn"))
            if package is not None:
                permissions.model_package(package)
            self._read_sample_payload(permissions, input_config)
            volume_key = input_config.get("VolumeKmsKeyId")
            # No volume key (an instance type may have local NVMe storage): no CreateGrant.
            # A key given by alias gets no statement: IAM matches Resource against the key's
            # ARN, never an alias's (infrec-cdk:keyGivenByAlias says so).
            if isinstance(volume_key, str) and self._alias_name(volume_key) is None:
                permissions.volume_key(self._key_arn(volume_key))
            if "VpcConfig" in input_config:
                permissions.network_interfaces(input_config["VpcConfig"])
        output_config = request.get("OutputConfig")
        if isinstance(output_config, dict):
            output_key = output_config.get("KmsKeyId")
            if isinstance(output_key, str) and self._alias_name(output_key) is None:
                permissions.output_key(self._key_arn(output_key))
        permissions.write_prefix(
            self.output_bucket.bucket_arn, output_prefix, bucket=self.output_bucket
        )
        return permissions

    def _read_sample_payload(self, permissions: JobRolePermissions, input_config: Document) -> None:
        """Let the job role read the sample payload: at its URL, or the asset from local disk."""
        if self._sample_payload is not None:  # its URL is a token, which read_object skips
            permissions.read_asset_object(self._sample_payload)
            return
        container = input_config.get("ContainerConfig")
        payload = container.get("PayloadConfig") if isinstance(container, dict) else None
        if isinstance(payload, dict) and isinstance(payload.get("SamplePayloadUrl"), str):
            permissions.read_object(str(payload["SamplePayloadUrl"]))

    def _job_key_arns(self, request: Document) -> list[str]:
        """Return the ARNs of the request's volume and output keys (once each)."""
        input_config = request.get("InputConfig")
        output_config = request.get("OutputConfig")
        keys = [
            input_config.get("VolumeKmsKeyId") if isinstance(input_config, dict) else None,
            output_config.get("KmsKeyId") if isinstance(output_config, dict) else None,
        ]
        arns = [self._key_arn(key) for key in keys if isinstance(key, str)]
        return list(dict.fromkeys(arns))

    def _key_arn(self, key_id: str) -> str:
        """Return the ARN of a key given by ARN or id, or of an alias given by name."""
        if is_unresolved(key_id) or key_id.startswith("arn:"):
            return key_id
        if key_id.startswith("alias/"):
            return StackArns.of(cdk.Stack.of(self)).arn("kms", key_id)
        return StackArns.of(cdk.Stack.of(self)).arn("kms", "key", key_id)

    def _fill_volume_key(self, input_config: Document) -> None:
        """Set ``VolumeKmsKeyId`` where it is safe, or say why not; warn about a risky given one.

        Sources: ``infrec_cdk._instance_storage`` (SageMaker's pages disagree on whether
        CreateEndpointConfig refuses or ignores a key for local NVMe storage, so nothing here
        refuses; that storage is encrypted by a hardware module either way).
        """
        tested = self._tested_instances
        sources = f"(source: {API_CREATE_ENDPOINT_CONFIG}, {GUIDE_ENCRYPTION_AT_REST})"
        if "VolumeKmsKeyId" in input_config:
            if not tested.all_ebs:
                cdk.Annotations.of(self).add_warning_v2(
                    "infrec-cdk:volumeKeyOnInstanceStorage",
                    f"InputConfig.VolumeKmsKeyId: is kept as given, but {tested.describe()}. "
                    "SageMaker's CreateEndpointConfig reference says the call fails when a KMS "
                    "key meets an instance type with local NVMe storage, its current model says "
                    "the key then does not encrypt that storage; if the job fails creating an "
                    "endpoint configuration, remove the key or test only EBS-backed instance "
                    f"types {sources}",
                )
            return
        if tested.all_ebs:
            input_config["VolumeKmsKeyId"] = self.encryption_key.key_arn
            return
        cdk.Annotations.of(self).add_warning_v2(
            "infrec-cdk:volumeKeyNotSet",
            f"InputConfig.VolumeKmsKeyId: is left unset, because {tested.describe()}: "
            "SageMaker's documents say a KMS key cannot be used with (or does not encrypt) local "
            "NVMe storage, which a hardware module on the instance encrypts; EBS volumes are "
            "then encrypted with a transient key. To encrypt them with this job's key, test "
            "only EBS-backed instance types (ContainerConfig.SupportedInstanceTypes or "
            "EndpointConfigurations), or set InputConfig.VolumeKmsKeyId with from_request "
            f"{sources}",
        )

    def _alias_name(self, key: str) -> str | None:
        """Return the alias name (``alias/...``) when ``key`` names a KMS alias, not a key."""
        if key.startswith("alias/"):
            return key
        if key not in self._flat_keys:  # a key is looked at several times: resolve it once
            resolved = cdk.Stack.of(self).resolve(key) if is_unresolved(key) else key
            self._flat_keys[key] = _security.flatten_reference(resolved)
        match = re.search(r":(?P<alias>alias/[^:<>]+)$", self._flat_keys[key])
        return None if match is None else match["alias"]

    def _warn_about_key_aliases(self, request: Document) -> None:
        """Warn when a KMS key is named by alias: IAM grants on an alias ARN grant nothing."""
        input_config = request.get("InputConfig")
        output_config = request.get("OutputConfig")
        fields = {
            "InputConfig.VolumeKmsKeyId": (
                input_config.get("VolumeKmsKeyId") if isinstance(input_config, dict) else None
            ),
            "OutputConfig.KmsKeyId": (
                output_config.get("KmsKeyId") if isinstance(output_config, dict) else None
            ),
        }
        for field, key in fields.items():
            alias = self._alias_name(key) if isinstance(key, str) else None
            if alias is None:
                continue
            # "When an alias is the value of a resource element, the policy applies to the alias
            # resource, not to any KMS key that might be associated with it"
            # (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html).
            # kms:ResourceAliases on key/* is the documented way to grant by alias (same page),
            # but the Service Authorization Reference lists it on the "key" resource type, not on
            # the actions, and tests/iam_reference.py (which reads the actions' keys) refuses it:
            # a warning until that check reads resource-type keys too.
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:keyGivenByAlias",
                f"{field}: {alias} names a KMS alias: IAM policies name keys by key ARN, so "
                "the job role and the handler get no working grant on it. Give the key by ARN "
                "or id (e.g. kms.Key.from_key_arn), or let its key policy allow both roles "
                "(source: https://docs.aws.amazon.com/kms/latest/developerguide/"
                "alias-authorization.html)",
            )


class _RequestJob(InferenceRecommendationsJob):
    """A job defined from a raw request (see ``InferenceRecommendationsJob.from_request``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        log_encryption_key: kms.IKey | None,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        removal_policy: cdk.RemovalPolicy,
        wait: Wait | None,
        recommender: InferenceRecommender | None,
        max_instance_hours: float | None,
    ) -> None:
        # Skip the keyword form's rendering: the request is already in the API's syntax.
        Construct.__init__(self, scope, id)
        if not isinstance(request, Mapping):
            raise InfrecValidationError(
                [f"request: must be a mapping in the API's syntax, not {type(request).__name__}"],
                construct_path=self.node.path,
            )
        self._build(
            request,
            id,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            log_encryption_key=log_encryption_key,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
            wait=wait,
            recommender=recommender,
            max_instance_hours=max_instance_hours,
        )


@jsii.implements(cdk.IAnyProducer, IValidation)
class _JobTags:
    """``Tags`` of the request: the tags ``Tags.of(...)`` applied, then the job's own ``tags``.

    The job's own tags win over an applied tag of the same key. Rendered at synth, once every
    aspect has run; a change of tags alone retags the running job (the handler), no new job.
    """

    def __init__(
        self,
        job: Construct,
        manager: cdk.TagManager,
        own: object,
        library_tags: tuple[str, ...],
    ) -> None:
        self._job = job
        self._manager = manager
        self._own = own if isinstance(own, list) else []
        self._library_tags = library_tags

    def _merged(self) -> list[object]:
        applied = self._manager.render_tags()
        merged: dict[object, object] = {}
        for tag in [*(applied if isinstance(applied, list) else []), *self._own]:
            if isinstance(tag, dict):
                merged[tag.get("Key")] = tag.get("Value")
        return [{"Key": key, "Value": value} for key, value in merged.items()]

    def produce(self, _context: cdk.IResolveContext) -> object:
        """Return the merged tags (none: the member is left out)."""
        return self._merged() or None

    def validate(self) -> list[str]:
        """SageMaker's 50 tags a job, the library's own included (botocore: Tags, max 50)."""
        count = len(self._merged())
        allowed = MAX_JOB_TAGS - len(self._library_tags)
        if count <= allowed:
            return []
        return report_errors(
            self._job,
            [
                (
                    f"Tags: has {count} items with the tags applied by Tags.of(...), at "
                    f"most {allowed} are allowed (SageMaker allows {MAX_JOB_TAGS} on a job, and "
                    f"infrec-cdk adds {', '.join(self._library_tags)})"
                )
            ],
        )


def _given_provisioning(*, removal_policy: cdk.RemovalPolicy, **resources: object) -> list[str]:
    """Names of the provisioning arguments a job was given (``RETAIN`` counts as not given)."""
    given = [name for name, value in resources.items() if value is not None]
    if removal_policy != cdk.RemovalPolicy.RETAIN:
        given.append("removal_policy")
    return given


def _default_recommender(job: InferenceRecommendationsJob) -> InferenceRecommender | None:
    """Return the stack's default recommender for ``job`` (``None``: the first such job).

    The first job of a stack that provisions nothing itself keeps its own role, key and bucket,
    as a single job always has; the later ones share the stack's default recommender.
    """
    stack = cdk.Stack.of(job)
    first = "_infrec_first_plain_job"
    if getattr(stack, first, None) is None:
        setattr(stack, first, job)
        return None
    return InferenceRecommender.default_of(job)


def _library_tags(*, waiting: bool) -> tuple[str, ...]:
    """Return the tags infrec-cdk puts on a job besides the user's."""
    return HANDLER_TAGS + (WAITER_TAGS if waiting else ())
