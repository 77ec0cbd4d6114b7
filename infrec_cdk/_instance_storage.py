"""Which hosting instance types keep their data on EBS, and which on local (instance store) disks.

Why it matters: ``InputConfig.VolumeKmsKeyId`` "will be passed to SageMaker Hosting for endpoint
creation" (``API_INPUT``), and SageMaker's documents disagree on what a KMS key does for an
instance type with local NVMe storage:

- the developer guide: "Certain Nitro-based SageMaker instances include local storage ... Local
  storage volumes are encrypted using a hardware module on the instance. You can't use a KMS key
  on an instance type with local storage" (``GUIDE_ENCRYPTION_AT_REST``);
- the CreateEndpointConfig API reference, as long published and still rendered by the SDKs'
  docs: "If you specify a value for KmsKeyId when using any nitro-based instances with local
  storage, the call to CreateEndpointConfig fails";
- the same field in botocore 1.44.8's model: "the KmsKeyId parameter does not encrypt instance
  local storage" (``API_CREATE_ENDPOINT_CONFIG``).

So the key is set by default only where every instance type a job may test is known to use EBS,
and a user's own key on another type is kept with a warning, never refused. Without a key,
SageMaker "encrypts storage volumes with a transient key" (``GUIDE_ENCRYPTION_AT_REST``).

Which types have local storage: both SageMaker notes send the reader to EC2's instance store
table. ``EBS_ONLY_FAMILIES`` and ``INSTANCE_STORE_FAMILIES`` are EC2's "Available instance types"
table (columns "EBS only" and "Instance store") and its "Instance store volumes" table, as archived
on 2023-05-11 (``EC2_INSTANCE_TYPES``, ``EC2_INSTANCE_STORE``), for the families SageMaker hosting
offers (botocore's ``ProductionVariantInstanceType``) and the ones Inference Recommender's
``SupportedInstanceTypes`` may plausibly name. On top of the table, EC2's naming convention (same
page): the letters after the generation are additional capabilities, "d - Instance store volumes"
(``m5d``, ``c6id``, ``r7gd``, ``g4dn``, ``x2iedn``). A family in neither table (newer than it, e.g.
``g6``, ``p5``, ``trn2``, ``m7i``) is not known to be EBS-only: no default key, and a warning.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from infrec_cdk._tokens import is_unresolved

__all__ = [
    "API_CREATE_ENDPOINT_CONFIG",
    "EBS_ONLY_FAMILIES",
    "EC2_INSTANCE_STORE",
    "EC2_INSTANCE_TYPES",
    "GUIDE_ENCRYPTION_AT_REST",
    "INSTANCE_STORE_FAMILIES",
    "Storage",
    "TestedInstances",
    "instance_family",
    "storage_of",
    "tested_instances",
]

API_CREATE_ENDPOINT_CONFIG = (
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html"
)
GUIDE_ENCRYPTION_AT_REST = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest-nbi.html"
)
_EC2_GUIDE_ARCHIVE = (
    "https://github.com/awsdocs/amazon-ec2-user-guide/blob/"
    "d289961421fa79447add68ca26e3ec5ae96fdf41/doc_source/"
)
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-types.html#AvailableInstanceTypes
EC2_INSTANCE_TYPES = f"{_EC2_GUIDE_ARCHIVE}instance-types.md"
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/InstanceStorage.html#instance-store-volumes
EC2_INSTANCE_STORE = f"{_EC2_GUIDE_ARCHIVE}InstanceStorage.md"

EBS_ONLY_FAMILIES = frozenset(
    {
        # EC2_INSTANCE_TYPES, "EBS only: Yes", "Instance store: No".
        "c4", "c5", "c6g", "c6gn", "c6i", "c6in", "c7g",
        "inf1", "inf2",
        "m4", "m5", "m6g", "m6i",
        "p2", "p3",
        "r5", "r6g", "r6i",
        "t2",
    }
)  # fmt: skip
"""Families whose instances have no instance store: SageMaker attaches an EBS volume."""

INSTANCE_STORE_FAMILIES = frozenset(
    {
        # EC2_INSTANCE_TYPES "Instance store: NVMe" and EC2_INSTANCE_STORE "NVMe SSD".
        "c5d", "c6gd", "c6id",
        "dl1",
        "g4dn", "g5",
        "m5d", "m6gd", "m6id",
        "p3dn", "p4d", "p4de",
        "r5d", "r6gd", "r6id",
        "trn1", "trn1n",
    }
)  # fmt: skip
"""Families with local NVMe instance storage (more follow from the ``d`` in their name)."""

_FAMILY = re.compile(r"^(?P<series>[a-z]+)(?P<generation>\d+)(?P<options>[a-z]*)(?:-[a-z0-9]+)?$")


class Storage(enum.StrEnum):
    """Where an instance type's data volume lives, as far as infrec-cdk knows."""

    EBS = "EBS"
    INSTANCE_STORE = "local NVMe instance storage"
    UNKNOWN = "storage not known to infrec-cdk"


def instance_family(instance_type: str) -> str | None:
    """Return the family of ``ml.<family>.<size>`` (``ml.g5.2xlarge``: ``g5``), else ``None``."""
    parts = instance_type.split(".")
    if len(parts) != 3 or parts[0] != "ml" or _FAMILY.match(parts[1]) is None:  # noqa: PLR2004
        return None
    return parts[1]


def storage_of(instance_type: str) -> Storage:
    """Where ``instance_type`` keeps its data: on EBS, on local NVMe disks, or not known."""
    family = instance_family(instance_type)
    if family is None:
        return Storage.UNKNOWN
    if family in INSTANCE_STORE_FAMILIES:
        return Storage.INSTANCE_STORE
    match = _FAMILY.match(family)
    if match is not None and "d" in match["options"]:
        # EC2's naming convention: "d - Instance store volumes".
        return Storage.INSTANCE_STORE
    if family in EBS_ONLY_FAMILIES:
        return Storage.EBS
    return Storage.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class TestedInstances:
    """The instance types a job may deploy benchmark endpoints on, when known at synth time."""

    instance_types: tuple[str, ...] | None
    """The types, in request order; ``None`` when SageMaker chooses or a token hides them."""
    field: str
    """Where the request names them (or would), for messages."""

    @property
    def all_ebs(self) -> bool:
        """Whether every type is known to use EBS (vacuously true for serverless-only jobs)."""
        return self.instance_types is not None and all(
            storage_of(instance_type) == Storage.EBS for instance_type in self.instance_types
        )

    def describe(self) -> str:
        """Say in words what is not known to be EBS, e.g. ``ml.g5.xlarge (local NVMe ...)``."""
        if self.instance_types is None:
            return (
                f"{self.field} does not name the instance types at synth time, so SageMaker may "
                "choose ones with local NVMe instance storage (e.g. ml.g4dn, ml.g5, ml.p4d)"
            )
        others = [
            f"{instance_type} ({storage_of(instance_type)})"
            for instance_type in dict.fromkeys(self.instance_types)
            if storage_of(instance_type) != Storage.EBS
        ]
        return f"{self.field} includes {', '.join(others)}"


def tested_instances(request: Mapping[str, object]) -> TestedInstances:
    """Return the instance types ``request`` may benchmark.

    Advanced jobs test their ``EndpointConfigurations`` (serverless entries have no instance
    volume); Default jobs let SageMaker choose, unless ``ContainerConfig.SupportedInstanceTypes``
    narrows the choice or ``SupportedEndpointType`` is ``Serverless``.
    """
    input_config = request.get("InputConfig")
    config = input_config if isinstance(input_config, Mapping) else {}
    if request.get("JobType") == "Advanced":
        field = "InputConfig.EndpointConfigurations"
        entries = config.get("EndpointConfigurations")
        if not isinstance(entries, Sequence) or isinstance(entries, str):
            return TestedInstances(instance_types=None, field=field)
        found: list[str] = []
        for entry in entries:
            instance_type = entry.get("InstanceType") if isinstance(entry, Mapping) else None
            if instance_type is None:
                continue  # a serverless configuration
            if not _known(instance_type):
                return TestedInstances(instance_types=None, field=field)
            found.append(str(instance_type))
        return TestedInstances(instance_types=tuple(found), field=field)
    container = config.get("ContainerConfig")
    container = container if isinstance(container, Mapping) else {}
    field = "InputConfig.ContainerConfig.SupportedInstanceTypes"
    if container.get("SupportedEndpointType") == "Serverless":
        return TestedInstances(instance_types=(), field=field)
    supported = container.get("SupportedInstanceTypes")
    if (
        isinstance(supported, Sequence)
        and not isinstance(supported, str)
        and supported
        and all(_known(item) for item in supported)
    ):
        return TestedInstances(instance_types=tuple(str(item) for item in supported), field=field)
    return TestedInstances(instance_types=None, field=field)


def _known(value: object) -> bool:
    return isinstance(value, str) and not is_unresolved(value)
