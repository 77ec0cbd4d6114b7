"""What the generative-AI constructs share: the handler, the request's checks, tags, the resource.

Each of ``AIWorkloadConfig``, ``AIRecommendationJob`` and ``AIBenchmarkJob`` is one custom
resource served by the stack's one job handler (``JobHandler``), exactly as the classic job:

- ``ServiceToken``: the handler's ARN; ``ServiceTimeout``: the handler's;
- ``Request``: the API's request syntax; its name member may be left out, and the handler
  generates the name from ``JobNamePrefix`` (a new name per create request, as for the jobs);
- attributes ``Arn`` and ``Name`` (and ``JobArn``, ``JobName`` for the jobs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct, IDependable

from infrec_cdk._ai_validation import validate_ai_request
from infrec_cdk._errors import InfrecValidationError
from infrec_cdk._handler_function import JobHandler
from infrec_cdk._job import HANDLER_TAGS, MAX_JOB_TAGS, _copy, _JobTags
from infrec_cdk._names import job_name_prefix
from infrec_cdk._tokens import is_unresolved

__all__ = ["AIResource", "Document"]

Document = dict[str, object]


class AIResource(Construct):
    """Base of the generative-AI constructs: one request, one custom resource of the handler."""

    RESOURCE_TYPE: ClassVar[str]
    OPERATION: ClassVar[str]
    NAME_MEMBER: ClassVar[str]
    NOUN: ClassVar[str]  # "AI recommendation job", in messages

    _path: str
    _handler: JobHandler
    job_name_prefix: str

    def _prepare(
        self, user_request: Mapping[str, object], id: str, log_encryption_key: kms.IKey | None
    ) -> Document:
        """Copy the request; find the stack's handler; make this resource's name prefix."""
        self._path = self.node.path  # read once: every read crosses into Node.js
        if not isinstance(user_request, Mapping):
            raise InfrecValidationError(
                [
                    (
                        "request: must be a mapping in the API's syntax, not "
                        f"{type(user_request).__name__}"
                    )
                ],
                construct_path=self._path,
            )
        copied = _copy(user_request)
        request: Document = dict(copied) if isinstance(copied, dict) else {}
        self._handler = JobHandler.of(self, log_encryption_key=log_encryption_key)
        self._handler.allow_ai_kind(self.RESOURCE_TYPE)
        self.job_name_prefix = job_name_prefix(self._handler.stack_identity, id)
        """The start of the generated names of this construct's resource."""
        return request

    def _check(
        self, request: Document, problems: Sequence[str], *, library_tags: tuple[str, ...]
    ) -> None:
        """Validate ``request``; raise every error (with ``problems``), annotate the warnings."""
        report = validate_ai_request(
            self.OPERATION,
            request,
            generated=() if self.NAME_MEMBER in request else (self.NAME_MEMBER,),
            is_unresolved=is_unresolved,
        )
        errors = [*report.errors, *problems]
        tags = request.get("Tags")
        allowed = MAX_JOB_TAGS - len(library_tags)
        if isinstance(tags, list) and len(tags) > allowed:
            errors.append(
                f"Tags: has {len(tags)} items, at most {allowed} are allowed (SageMaker allows "
                f"{MAX_JOB_TAGS}, and infrec-cdk adds {', '.join(library_tags)})"
            )
        if errors:
            raise InfrecValidationError(errors, construct_path=self._path)
        for warning in report.warnings:
            cdk.Annotations.of(self).add_warning_v2(warning.id, warning.message)

    def _tag(self, request: Document, library_tags: tuple[str, ...]) -> None:
        """Merge the tags ``Tags.of(...)`` applies into the request's own, at synth."""
        self._tags = cdk.TagManager(cdk.TagType.KEY_VALUE, self.RESOURCE_TYPE)
        merged = _JobTags(self, self._tags, request.get("Tags"), library_tags)
        request["Tags"] = cdk.Lazy.uncached_any(merged)
        self.node.add_validation(merged)

    @property
    def tags(self) -> cdk.TagManager:
        """The resource's tags (``ITaggable``): ``Tags.of(scope).add(key, value)`` reaches them.

        Merged with the construct's own ``tags``, which win over an applied tag of the same key.
        """
        return self._tags

    def _name_grants(self, request: Document) -> None:
        """Let the handler look up a name the user chose; warn that it can never be reused."""
        name = request.get(self.NAME_MEMBER)
        if not isinstance(name, str):
            return
        self._handler.allow_ai_name(self.RESOURCE_TYPE, name)
        if is_unresolved(name):
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:tokenJobName",
                f"{self.NAME_MEMBER} is only known at deploy time: a later change to the request "
                "needs a new name; and IAM may see the name in lowercase, so give a lowercase "
                "one, or the handler cannot look it up before it exists",
            )
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "infrec-cdk:fixedJobName",
                f"{self.NAME_MEMBER} is fixed to {name!r}: a changed request creates a new "
                f"{self.NOUN} under a new name, so any later change fails until the name "
                "changes too",
            )

    def _start(self, request: Document, depends_on: Sequence[IDependable]) -> cdk.CustomResource:
        """Create the custom resource; it waits for the handler's (and the role's) policy."""
        self._name_grants(request)
        resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self._handler.function_arn,
            resource_type=self.RESOURCE_TYPE,
            properties={"Request": request, "JobNamePrefix": self.job_name_prefix},
            service_timeout=cdk.Duration.minutes(JobHandler.SERVICE_TIMEOUT_MINUTES),
        )
        resource.node.add_dependency(self._handler.policy, *depends_on)
        return resource


def library_tags() -> tuple[str, ...]:
    """Return the tags the handler puts on every resource it creates besides the user's."""
    return HANDLER_TAGS


def tag_list(tags: Mapping[str, str] | None) -> list[Document] | None:
    """``tags`` in the API's syntax (``None``: left out)."""
    return None if tags is None else [{"Key": key, "Value": value} for key, value in tags.items()]
