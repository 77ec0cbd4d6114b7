"""The least-privilege execution role a recommendation job runs with (api.md §4.1)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

__all__ = ["JobRolePermissions"]

_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")


class JobRolePermissions:
    """Builds the statements of the job role's inline policy, one concern per method."""

    def __init__(self, scope: Construct, role: iam.IRole) -> None:
        self._stack = cdk.Stack.of(scope)
        self._role = role
        self.statements: list[iam.PolicyStatement] = []

    def _arn(self, service: str, resource: str, name: str) -> str:
        return self._stack.format_arn(service=service, resource=resource, resource_name=name)

    def hosting(self) -> None:
        """Create, invoke and delete the temporary models and endpoints the job benchmarks."""
        self.statements.append(
            iam.PolicyStatement(
                sid="BenchmarkEndpoints",
                actions=[
                    "sagemaker:CreateModel",
                    "sagemaker:DescribeModel",
                    "sagemaker:DeleteModel",
                    "sagemaker:CreateEndpointConfig",
                    "sagemaker:DescribeEndpointConfig",
                    "sagemaker:DeleteEndpointConfig",
                    "sagemaker:CreateEndpoint",
                    "sagemaker:DescribeEndpoint",
                    "sagemaker:DeleteEndpoint",
                    "sagemaker:InvokeEndpoint",
                    "sagemaker:CreateCompilationJob",
                    "sagemaker:DescribeCompilationJob",
                    "sagemaker:StopCompilationJob",
                    "sagemaker:AddTags",
                ],
                # The job names these resources itself (after the job name, cut at 40 characters),
                # so they can be scoped by type, account and region but not by name.
                resources=[
                    self._arn("sagemaker", "model", "*"),
                    self._arn("sagemaker", "endpoint-config", "*"),
                    self._arn("sagemaker", "endpoint", "*"),
                    self._arn("sagemaker", "compilation-job", "*"),
                ],
            )
        )
        self.statements.append(
            iam.PolicyStatement(
                sid="PassOwnRoleToSageMaker",
                actions=["iam:PassRole"],
                resources=[self._role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            )
        )

    def model_package(self, arn: str) -> None:
        """Read the model package version being right-sized."""
        self.statements.append(
            iam.PolicyStatement(actions=["sagemaker:DescribeModelPackage"], resources=[arn])
        )

    def container_images(self) -> None:
        """Pull the model's container images (they may live in AWS-owned accounts)."""
        self.statements.append(
            iam.PolicyStatement(
                sid="PullImages",
                actions=[
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                resources=["arn:" + self._stack.partition + ":ecr:*:*:repository/*"],
            )
        )
        self.statements.append(
            iam.PolicyStatement(
                sid="EcrLogin",
                actions=["ecr:GetAuthorizationToken"],
                # GetAuthorizationToken has no resource type: IAM accepts only "*".
                resources=["*"],
            )
        )

    def metrics_and_logs(self) -> None:
        """Let the benchmark endpoints publish metrics and logs."""
        self.statements.append(
            iam.PolicyStatement(
                sid="EndpointMetrics",
                actions=["cloudwatch:PutMetricData"],
                # PutMetricData has no resource type: IAM accepts only "*".
                resources=["*"],
            )
        )
        self.statements.append(
            iam.PolicyStatement(
                sid="EndpointLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                # The endpoints log to /aws/sagemaker/Endpoints/<endpoint>; streams are covered too.
                resources=[
                    self._stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws/sagemaker/*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )

    def read_object(self, url: str) -> None:
        """Read one S3 object (sample payload, model artefacts), when its URL is known."""
        if cdk.Token.is_unresolved(url):
            return
        match = _S3_URL.match(url)
        if match is None:
            return
        self.statements.append(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[
                    f"arn:{self._stack.partition}:s3:::{match['bucket']}/{match['key']}",
                ],
            )
        )

    def write_prefix(self, bucket_arn: str, prefix: str) -> None:
        """Write compiled model artefacts below ``prefix`` of the output bucket."""
        self.statements.append(
            iam.PolicyStatement(
                sid="WriteCompiledOutput",
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[f"{bucket_arn}/{prefix}/*"],
            )
        )

    def volume_key(self, key_arn: str) -> None:
        """Attach the key to the benchmark endpoints' volumes."""
        self.statements.append(
            iam.PolicyStatement(
                sid="VolumeKey",
                actions=["kms:CreateGrant", "kms:DescribeKey"],
                resources=[key_arn],
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )

    def output_key(self, key_arn: str) -> None:
        """Encrypt (and read back) the job's S3 outputs."""
        self.statements.append(
            iam.PolicyStatement(
                sid="OutputKey",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[key_arn],
            )
        )

    def network_interfaces(self) -> None:
        """Place the benchmark endpoints in the job's subnets."""
        self.statements.append(
            iam.PolicyStatement(
                sid="VpcNetworkInterfaces",
                actions=[
                    "ec2:CreateNetworkInterface",
                    "ec2:CreateNetworkInterfacePermission",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ],
                # SageMaker creates the interfaces on its side; the EC2 Describe* calls and
                # interface creation for a service accept no narrower resource.
                resources=["*"],
            )
        )
