"""``AIWorkloadConfig``: a SageMaker AI workload configuration as a CDK construct.

A workload configuration holds the traffic and benchmark parameters AI recommendation and
benchmark jobs run with ("The same workload configuration can be reused across multiple jobs",
GUIDE_AI_WORKLOAD). It is a ``Custom::AIWorkloadConfig`` resource of the stack's job handler:
created with ``CreateAIWorkloadConfig``, deleted with ``DeleteAIWorkloadConfig`` (after the
jobs that use it, which depend on it). SageMaker has no update for it: a changed request makes
a new configuration under a new generated name.

The jobs using it read what it names with their own roles: its datasets and its secrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infrec_cdk._ai_config import AIWorkloadDataset, ReadLocation, WorkloadSpec, parse_s3_uri
from infrec_cdk._ai_resource import AIResource, Document, library_tags, tag_list
from infrec_cdk._config import drop_none
from infrec_cdk._props import checked_props

__all__ = ["AI_WORKLOAD_RESOURCE_TYPE", "AIWorkloadConfig"]

AI_WORKLOAD_RESOURCE_TYPE: Final = "Custom::AIWorkloadConfig"
"""The CloudFormation type of a workload configuration's resource (attributes ``Arn``, ``Name``)."""


@jsii.implements(cdk.ITaggable)
class AIWorkloadConfig(AIResource):
    """A SageMaker AI workload configuration, created when the stack deploys.

    Pass it to ``AIRecommendationJob(workload=...)`` or ``AIBenchmarkJob(workload=...)``: the
    job then uses it (and waits for it), and its role may read the datasets and secrets the
    configuration names. Or ``AIWorkloadConfig.from_request`` with a request in the API's
    syntax.
    """

    RESOURCE_TYPE = AI_WORKLOAD_RESOURCE_TYPE
    OPERATION = "CreateAIWorkloadConfig"
    NAME_MEMBER = "AIWorkloadConfigName"
    NOUN = "AI workload configuration"

    dataset_locations: tuple[ReadLocation, ...]
    """What the jobs using this configuration read: its datasets' S3 locations (known ones)."""
    secrets: tuple[secretsmanager.ISecret, ...]
    """The Secrets Manager secrets the workload specification names."""

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        workload_spec: WorkloadSpec,
        datasets: Sequence[AIWorkloadDataset] | None = None,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        log_encryption_key: kms.IKey | None = None,
    ) -> None:
        """Define a workload configuration.

        Parameters
        ----------
        scope, id
            Where the construct goes.
        workload_spec
            ``AIWorkloadConfigs.WorkloadSpec``: ``WorkloadSpec(parameters={...},
            secrets={...})`` (rendered as JSON), or ``WorkloadSpec.inline(yaml_or_json)``.
        datasets
            ``DatasetConfig.InputDataConfig``: channels of requests (or templates) from S3.
            Default: none (synthetic prompts, or the specification's public dataset).
        name
            ``AIWorkloadConfigName``. Default: a new name for every create or change, made of
            the stack's and this construct's names. A fixed name makes a later change fail.
        tags
            ``Tags`` (at most 48; infrec-cdk adds two of its own). Default: none.
        log_encryption_key
            Customer managed key for the stack's handler log group (see
            ``InferenceRecommendationsJob``). Default: CloudWatch Logs' own encryption.

        """
        super().__init__(scope, id)
        request = self._prepare({}, id, log_encryption_key)
        locations: list[ReadLocation] = []
        channels: list[Document] = []
        for index, dataset in enumerate(datasets or []):
            uri, location = dataset.source.bind(self, f"Dataset{index}")
            if location is not None:
                locations.append(location)
            channels.append(
                {
                    "ChannelName": dataset.channel_name,
                    "DataSource": {"S3DataSource": {"S3Uri": uri}},
                }
            )
        request |= drop_none(
            {
                "AIWorkloadConfigName": name,
                "DatasetConfig": None if datasets is None else {"InputDataConfig": channels},
                "AIWorkloadConfigs": {"WorkloadSpec": workload_spec.render()},
                "Tags": tag_list(tags),
            }
        )
        self._build(request, locations, tuple(workload_spec.secret_list))

    @classmethod
    @checked_props
    def from_request(
        cls,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        log_encryption_key: kms.IKey | None = None,
    ) -> AIWorkloadConfig:
        """Define a workload configuration from a CreateAIWorkloadConfig request.

        ``AIWorkloadConfigName`` may be left out: it is generated, as for the keyword form.
        Literal ``s3://`` dataset URIs are read by the jobs that use it; secrets named in the
        specification's text are not known to be secrets here, so grant them yourself.
        """
        return _RequestWorkload(scope, id, request, log_encryption_key=log_encryption_key)

    def _build(
        self,
        request: Document,
        locations: Sequence[ReadLocation],
        secrets: tuple[secretsmanager.ISecret, ...],
    ) -> None:
        self.dataset_locations = tuple(locations)
        self.secrets = secrets
        tags = library_tags()
        self._check(request, [], library_tags=tags)
        self._tag(request, tags)
        self._resource = self._start(request, [])
        self.workload_config_arn: str = self._resource.get_att_string("Arn")
        """The configuration's ARN (a token)."""
        self.workload_config_name: str = self._resource.get_att_string("Name")
        """The configuration's name (a token): what the jobs' ``AIWorkloadConfigIdentifier``
        names."""


class _RequestWorkload(AIWorkloadConfig):
    """A workload configuration defined from a raw request (``from_request``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        request: Mapping[str, object],
        *,
        log_encryption_key: kms.IKey | None,
    ) -> None:
        # Skip the keyword form's rendering: the request is already in the API's syntax.
        Construct.__init__(self, scope, id)
        copied = self._prepare(request, id, log_encryption_key)
        locations = [
            location
            for location in (_literal_location(self, channel) for channel in _channels(copied))
            if location is not None
        ]
        self._build(copied, locations, ())


def _channels(request: Document) -> list[object]:
    dataset = request.get("DatasetConfig")
    channels = dataset.get("InputDataConfig") if isinstance(dataset, dict) else None
    return channels if isinstance(channels, list) else []


def _literal_location(scope: Construct, channel: object) -> ReadLocation | None:
    source = channel.get("DataSource") if isinstance(channel, dict) else None
    s3_source = source.get("S3DataSource") if isinstance(source, dict) else None
    uri = s3_source.get("S3Uri") if isinstance(s3_source, dict) else None
    return parse_s3_uri(uri, scope) if isinstance(uri, str) else None
