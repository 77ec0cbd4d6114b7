"""VPC endpoints for running recommendation jobs in subnets without a NAT.

Inference Recommender's own guide asks for one endpoint: an S3 gateway endpoint, through which the
benchmark endpoints reach model artefacts, the sample payload and the output bucket. The
interface endpoints serve whatever else runs in those subnets and calls AWS without a NAT: model
containers that call SageMaker, STS, KMS, CloudWatch or ECR, and clients that invoke the
recommended endpoint from inside the VPC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from infrec_cdk import _security

__all__ = [
    "INTERFACE_ENDPOINT_SERVICES",
    "EndpointNetwork",
    "VpcEndpoints",
    "add_vpc_endpoints",
    "private_subnets_problem",
]


def private_subnets_problem(vpc: ec2.IVpc, vpc_subnets: ec2.SubnetSelection | None) -> str | None:
    """Say why ``vpc`` cannot host the benchmark endpoints by default, or ``None``.

    CDK's default selection is the private subnets (PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED);
    without any, the endpoints would run in public subnets.
    """
    if vpc_subnets is not None or vpc.private_subnets or vpc.isolated_subnets:
        return None
    return (
        "vpc: has no private subnets (PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED), so the "
        "benchmark endpoints would run in its public subnets; give a VPC with private subnets, "
        "or choose the subnets yourself with vpc_subnets=ec2.SubnetSelection(...)"
    )


class EndpointNetwork:
    """The subnets and security groups of benchmark endpoints in a VPC (one job's, or shared)."""

    def __init__(
        self,
        scope: Construct,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
    ) -> None:
        """Select the subnets; create one inbound-closed group in ``scope`` unless given groups."""
        self.security_groups: list[ec2.ISecurityGroup] = list(security_groups or []) or [
            ec2.SecurityGroup(
                scope,
                "SecurityGroup",
                vpc=vpc,
                allow_all_outbound=True,
                description="infrec-cdk benchmark endpoints: no inbound traffic",
            )
        ]
        selection = vpc_subnets or ec2.SubnetSelection()
        self.subnets = vpc.select_subnets(
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
            subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets,
            subnet_type=selection.subnet_type,
        )
        self._group_ids = [group.security_group_id for group in self.security_groups]
        self._subnet_ids = list(self.subnets.subnet_ids)

    def vpc_config(self, job: Construct) -> dict[str, object]:
        """Return ``job``'s ``InputConfig.VpcConfig``; the job waits for the subnets' routes."""
        job.node.add_dependency(self.subnets.internet_connectivity_established)
        return {"SecurityGroupIds": list(self._group_ids), "Subnets": list(self._subnet_ids)}


# Fixed, never renamed: the logical ids of the endpoints derive from it (and from the VPC's path).
_ID_PREFIX = "InfrecVpcEndpoints"

INTERFACE_ENDPOINT_SERVICES: Mapping[str, str] = MappingProxyType(
    {
        # Construct id: the ec2.InterfaceVpcEndpointAwsService member (looked up when used:
        # each lookup crosses into Node.js, and most apps never create these endpoints).
        "SageMakerApi": "SAGEMAKER_API",
        "SageMakerRuntime": "SAGEMAKER_RUNTIME",
        "EcrApi": "ECR",
        "EcrDocker": "ECR_DOCKER",
        "Logs": "CLOUDWATCH_LOGS",
        "Monitoring": "CLOUDWATCH_MONITORING",
        "Sts": "STS",
        "Kms": "KMS",
    }
)
"""The interface endpoints ``add_vpc_endpoints`` creates, by construct id."""


class VpcEndpoints(Construct):
    """The S3 gateway endpoint and, optionally, the interface endpoints of one VPC.

    Use ``add_vpc_endpoints(vpc)``: it creates them once per VPC.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None,
        interface_endpoints: bool,
    ) -> None:
        super().__init__(scope, id)
        self.interface_endpoints_enabled = interface_endpoints
        self.s3 = ec2.GatewayVpcEndpoint(
            self,
            "S3",
            vpc=vpc,
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=None if subnets is None else [subnets],
        )
        """The S3 gateway endpoint (no charge; routes in the selected subnets' route tables)."""
        self.interfaces: dict[str, ec2.InterfaceVpcEndpoint] = {}
        """The interface endpoints, by the construct ids of ``INTERFACE_ENDPOINT_SERVICES``."""
        if not interface_endpoints:
            return
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="infrec-cdk VPC endpoints: HTTPS from inside the VPC only",
        )
        """The endpoints' one security group: inbound HTTPS from the VPC's CIDR, no outbound."""
        self.security_group.add_ingress_rule(
            ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443), "HTTPS from inside the VPC"
        )
        if cdk.Token.is_unresolved(vpc.vpc_cidr_block):
            # A VPC of this app: its CIDR is a Fn::GetAtt, which cdk-nag's ingress rules cannot
            # read ("Rule threw an error"). An imported VPC's literal CIDR passes them.
            _security.acknowledge(self.security_group, _security.VPC_ENDPOINTS_VPC_CIDR)
        for endpoint_id, service in INTERFACE_ENDPOINT_SERVICES.items():
            self.interfaces[endpoint_id] = ec2.InterfaceVpcEndpoint(
                self,
                endpoint_id,
                vpc=vpc,
                service=getattr(ec2.InterfaceVpcEndpointAwsService, service),
                subnets=subnets,
                security_groups=[self.security_group],
                open=False,
                private_dns_enabled=True,
            )


def add_vpc_endpoints(
    vpc: ec2.IVpc,
    *,
    subnets: ec2.SubnetSelection | None = None,
    interface_endpoints: bool = True,
) -> VpcEndpoints:
    """Add the VPC endpoints a recommendation job's subnets need when they have no NAT.

    Idempotent per VPC: a second call for the same ``vpc`` returns the endpoints of the first,
    so every job using that VPC may call it. The endpoints are created in the VPC's stack. Do
    not use it on a VPC that already has endpoints with private DNS for these services: a VPC
    takes only one per service.

    Parameters
    ----------
    vpc
        The VPC the job runs in (the construct's ``vpc``).
    subnets
        Where the interface endpoints get their network interfaces and whose route tables the S3
        gateway endpoint joins. Default: CDK's defaults, one private subnet per availability
        zone for the interface endpoints, every subnet for the gateway endpoint.
    interface_endpoints
        Also add the interface endpoints in ``INTERFACE_ENDPOINT_SERVICES`` (they are billed
        per hour and availability zone). Default: ``True``; with ``False`` only the S3 gateway
        endpoint Inference Recommender itself requires is added.

    Raises
    ------
    ValueError
        When endpoints were already added to ``vpc`` with another ``interface_endpoints``.

    """
    # An imported VPC is no construct scope of its own: the endpoints go next to it, in its stack,
    # under an id made from the VPC's tree-unique address.
    stack = cdk.Stack.of(vpc)
    endpoints_id = f"{_ID_PREFIX}{vpc.node.id}{vpc.node.addr[-8:]}"
    existing = stack.node.try_find_child(endpoints_id)
    if isinstance(existing, VpcEndpoints):
        if existing.interface_endpoints_enabled != interface_endpoints:
            msg = (
                f"add_vpc_endpoints: {vpc.node.path} already has its endpoints with "
                f"interface_endpoints={existing.interface_endpoints_enabled}"
            )
            raise ValueError(msg)
        return existing
    return VpcEndpoints(
        stack, endpoints_id, vpc=vpc, subnets=subnets, interface_endpoints=interface_endpoints
    )
