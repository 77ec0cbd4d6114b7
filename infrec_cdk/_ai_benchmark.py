"""``AIBenchmarkJob``: benchmark a generative AI endpoint while the stack deploys.

``CreateAIBenchmarkJob`` runs NVIDIA AIPerf against a SageMaker endpoint (or inference
components on it) with a workload configuration, and writes latency, throughput and token
metrics to S3 (GUIDE_AI_BENCHMARK). The job is a ``Custom::AIBenchmarkJob`` resource of the
stack's job handler; an endpoint of the same stack is created first (the request refers to it),
and CloudFormation creates an endpoint only once it is ``InService``, which the benchmark needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from infrec_cdk._ai_config import AIBenchmarkTarget, MlflowConfig
from infrec_cdk._ai_job import AIJob
from infrec_cdk._ai_job_role import AIJobRolePermissions
from infrec_cdk._ai_resource import Document, library_tags, tag_list
from infrec_cdk._ai_workload import AIWorkloadConfig
from infrec_cdk._config import drop_none
from infrec_cdk._endpoint import RecommendedEndpoint
from infrec_cdk._network import EndpointNetwork, private_subnets_problem
from infrec_cdk._props import checked_props
from infrec_cdk._recommender import InferenceRecommender
from infrec_cdk._tokens import is_unresolved

__all__ = ["AI_BENCHMARK_RESOURCE_TYPE", "AIBenchmarkJob"]

AI_BENCHMARK_RESOURCE_TYPE: Final = "Custom::AIBenchmarkJob"
"""The CloudFormation type of an AI benchmark job (attributes ``JobArn``, ``JobName``, ``Arn``,
``Name``)."""


@jsii.implements(cdk.ITaggable)
class AIBenchmarkJob(AIJob):
    """Runs a SageMaker AI benchmark job against an endpoint when the stack deploys.

    A changed request starts a new job under a new generated name; deleting the resource stops a
    job that still runs. Unless given, the construct provisions the job's execution role (its
    own, allowed to invoke the target), a KMS key and an output bucket, and with a ``vpc`` a
    security group. Or ``AIBenchmarkJob.from_request``.
    """

    RESOURCE_TYPE = AI_BENCHMARK_RESOURCE_TYPE
    OPERATION = "CreateAIBenchmarkJob"
    NAME_MEMBER = "AIBenchmarkJobName"
    NOUN = "AI benchmark job"

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        endpoint: sagemaker.CfnEndpoint | RecommendedEndpoint | str,
        workload: AIWorkloadConfig | str,
        inference_components: Sequence[sagemaker.CfnInferenceComponent | str] | None = None,
        target_container_hostname: str | None = None,
        mlflow: MlflowConfig | None = None,
        job_name: str | None = None,
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
        recommender: InferenceRecommender | None = None,
    ) -> None:
        """Define an AI benchmark job.

        Parameters
        ----------
        scope, id
            Where the construct goes.
        endpoint
            ``BenchmarkTarget.Endpoint.Identifier``: a ``CfnEndpoint`` or
            ``RecommendedEndpoint`` of this app (the job starts once it is created), or the
            name or ARN of an existing endpoint. The job's role may invoke it.
        workload
            ``AIWorkloadConfigIdentifier``: an ``AIWorkloadConfig`` of this app, or a name/ARN.
        inference_components
            ``BenchmarkTarget.Endpoint.InferenceComponents``: ``CfnInferenceComponent`` of
            this app, names or ARNs; required for an endpoint of inference components.
            Default: the endpoint's own model.
        target_container_hostname
            ``BenchmarkTarget.Endpoint.TargetContainerHostname`` of a multi-container
            endpoint. Default: none.
        mlflow
            ``OutputConfig.MlflowConfig``. Default: no MLflow tracking.
        job_name
            ``AIBenchmarkJobName``. Default: a new name for every create or change.
        tags
            ``Tags`` (at most 48; infrec-cdk adds two of its own). Default: none.
        role, encryption_key, output_bucket, access_logs_bucket, access_logs_prefix
            As for ``AIRecommendationJob``.
        log_encryption_key
            Customer managed key for the stack's handler log group.
        vpc
            ``NetworkConfig.VpcConfig``: run the benchmark in this VPC (an endpoint in a VPC
            needs it). Default: no VPC.
        vpc_subnets
            Subnets of ``vpc``. Default: its private subnets.
        security_groups
            Groups of the benchmark. Default: one new group allowing no inbound traffic.
        removal_policy
            What happens to the created key and bucket with the stack. Default: ``RETAIN``.
        recommender
            Share this ``InferenceRecommender``'s role, key, bucket and network.

        """
        super().__init__(scope, id)
        request = self._prepare({}, id, log_encryption_key)
        target = AIBenchmarkTarget.endpoint(
            endpoint,
            inference_components=inference_components,
            target_container_hostname=target_container_hostname,
        )
        request |= drop_none(
            {
                "AIBenchmarkJobName": job_name,
                "BenchmarkTarget": target.render(),
                "OutputConfig": None if mlflow is None else {"MlflowConfig": mlflow.render()},
                "AIWorkloadConfigIdentifier": workload
                if isinstance(workload, str)
                else workload.workload_config_name,
                "Tags": tag_list(tags),
            }
        )
        self._build(
            request,
            target=target,
            workload=None if isinstance(workload, str) else workload,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
            recommender=recommender,
        )

    @classmethod
    @checked_props
    def from_request(
        cls,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        workload: AIWorkloadConfig | None = None,
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
        recommender: InferenceRecommender | None = None,
    ) -> AIBenchmarkJob:
        """Define a job from a CreateAIBenchmarkJob request in the API's syntax.

        ``AIBenchmarkJobName``, ``RoleArn``, ``OutputConfig.S3OutputLocation`` and
        ``NetworkConfig`` may be left out: they are generated or provisioned as for the keyword
        form; ``AIWorkloadConfigIdentifier`` when ``workload`` is given. The role may invoke
        the endpoint and inference components the request names.
        """
        return _RequestBenchmark(
            scope,
            id,
            request,
            workload=workload,
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
            recommender=recommender,
        )

    def _build(
        self,
        request: Document,
        *,
        target: AIBenchmarkTarget | None,
        workload: AIWorkloadConfig | None,
        role: iam.IRole | None,
        encryption_key: kms.IKey | None,
        output_bucket: s3.IBucket | None,
        access_logs_bucket: s3.IBucket | None,
        access_logs_prefix: str | None,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        removal_policy: cdk.RemovalPolicy,
        recommender: InferenceRecommender | None,
    ) -> None:
        problems, owns_policy = self._provision(
            request,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            removal_policy=removal_policy,
            recommender=recommender,
            network={"vpc": vpc, "vpc_subnets": vpc_subnets, "security_groups": security_groups},
        )
        problems += self._network(request, vpc, vpc_subnets, security_groups)
        tags = library_tags()
        self._check(request, problems, library_tags=tags)
        self._tag(request, tags)
        permissions = self._job_permissions(request, target, workload)
        policies = self._attach_policy(permissions, owns_policy=owns_policy)
        self._grant_handler()
        self._resource = self._start(request, policies)
        self.job_arn: str = self._resource.get_att_string("JobArn")
        """The job's ARN (a token)."""
        self.job_name: str = self._resource.get_att_string("JobName")
        """The job's name (a token)."""

    def _network(
        self,
        request: Document,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
    ) -> list[str]:
        """Fill ``NetworkConfig.VpcConfig`` from the given or the recommender's VPC."""
        self.security_groups: list[ec2.ISecurityGroup] = []
        """The security groups of the benchmark (when it runs in a VPC)."""
        shared = None if self.recommender is None else self.recommender.vpc
        if "NetworkConfig" in request and (vpc is not None or shared is not None):
            return ["NetworkConfig: is given both in the request and as `vpc`; use one"]
        if self.recommender is not None and shared is not None:
            request["NetworkConfig"] = {"VpcConfig": self.recommender.vpc_config(self)}
            self.security_groups = list(self.recommender.security_groups)
        elif vpc is not None:
            no_private = private_subnets_problem(vpc, vpc_subnets)
            if no_private is not None:
                return [no_private.replace("benchmark endpoints", "benchmark")]
            network = EndpointNetwork(self, vpc, vpc_subnets, security_groups)
            self.security_groups = network.security_groups
            request["NetworkConfig"] = {"VpcConfig": network.vpc_config(self)}
        return []

    def _job_permissions(
        self,
        request: Document,
        target: AIBenchmarkTarget | None,
        workload: AIWorkloadConfig | None,
    ) -> AIJobRolePermissions:
        permissions = self._permissions()
        permissions.benchmark_compute()
        endpoint_arn, component_arns = self._target_arns(request, target)
        if endpoint_arn is not None:
            permissions.invoke_endpoint(endpoint_arn, component_arns)
        network = request.get("NetworkConfig")
        vpc_config = network.get("VpcConfig") if isinstance(network, dict) else None
        if vpc_config is not None:
            permissions.network_interfaces(vpc_config)
        if workload is not None:
            for index, location in enumerate(workload.dataset_locations):
                self._read(permissions, location, f"Dataset{index}")
            permissions.read_secrets(list(workload.secrets))
        self._mlflow(permissions, request)
        return permissions

    def _target_arns(
        self, request: Document, target: AIBenchmarkTarget | None
    ) -> tuple[str | None, list[str]]:
        """Return the ARNs of the endpoint and inference components the role may invoke.

        Those of this app are known (a CfnEndpoint's Ref is its ARN); the others are made from
        the names, or are ARNs already.
        """
        arn = self._handler.arns.arn
        if target is not None:
            endpoint_arn = target.endpoint_arn or _arn_of(target.identifier, "endpoint", arn)
            names = target.inference_components or ()
            known = target.component_arns
        else:
            benchmark_target = request.get("BenchmarkTarget")
            endpoint = (
                benchmark_target.get("Endpoint") if isinstance(benchmark_target, dict) else None
            )
            if not isinstance(endpoint, dict):
                return None, []
            endpoint_arn = _arn_of(endpoint.get("Identifier"), "endpoint", arn)
            entries = endpoint.get("InferenceComponents")
            names = tuple(
                str(entry.get("Identifier"))
                for entry in (entries if isinstance(entries, list) else [])
                if isinstance(entry, dict)
            )
            known = (None,) * len(names)
        components = [
            found
            for name, given in zip(names, known, strict=True)
            for found in [given or _arn_of(name, "inference-component", arn)]
            if found is not None
        ]
        return endpoint_arn, components


def _arn_of(identifier: object, resource: str, arn: Callable[[str, str, str], str]) -> str | None:
    """Return the ARN of what ``identifier`` names (a name or an ARN); ``None``: unknown.

    SageMaker puts names in ARNs in lowercase (IAM matches ARNs case-sensitively).
    """
    if not isinstance(identifier, str):
        return None
    if identifier.startswith("arn:"):
        return identifier
    return arn(
        "sagemaker", resource, identifier if is_unresolved(identifier) else identifier.lower()
    )


class _RequestBenchmark(AIBenchmarkJob):
    """A job defined from a raw request (``AIBenchmarkJob.from_request``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        workload: AIWorkloadConfig | None,
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
        recommender: InferenceRecommender | None,
    ) -> None:
        # Skip the keyword form's rendering: the request is already in the API's syntax.
        Construct.__init__(self, scope, id)
        copied = self._prepare(request, id, log_encryption_key)
        self._name_workload(copied, workload)
        self._build(
            copied,
            target=None,
            workload=workload,
            role=role,
            encryption_key=encryption_key,
            output_bucket=output_bucket,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix=access_logs_prefix,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            removal_policy=removal_policy,
            recommender=recommender,
        )
