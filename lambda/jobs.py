"""The boto3 edge: a small object around an injected SageMaker client.

Every failure leaves here as ``SageMakerError`` with the operation, SageMaker's error code and its
message, so the decisions elsewhere never see botocore's exception zoo.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from aws import reused_client
from backoff import THROTTLING_CODES, Backoff
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from kinds import CLASSIC, Kind

if TYPE_CHECKING:
    from botocore.model import StructureShape
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker.type_defs import ListTagsOutputTypeDef, TagTypeDef

__all__ = [
    "CONNECT_TIMEOUT",
    "Cancelled",
    "ClientFactory",
    "JobInfo",
    "Jobs",
    "SageMakerError",
    "default_client",
    "retry_reason",
]

T = TypeVar("T")

LIST_TAGS = "ListTags"
ADD_TAGS = "AddTags"
DELETE_TAGS = "DeleteTags"

# Describe declares ResourceNotFound; other SageMaker Describe calls answer a ValidationException
# for a missing name, so that wording counts too.
_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})
_NOT_FOUND_TEXT = re.compile(r"not found|could not find|does not exist|no such", re.IGNORECASE)

# Errors after which a call may still have been carried out (botocore retries them).
_MAYBE_DONE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    }
)

_ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
# SageMaker's wording when the role it is given cannot be assumed (yet).
_NOT_ASSUMABLE_TEXT = re.compile(
    r"(could not|couldn't|unable to|cannot|can not|not authorized to) (be )?assumed?", re.IGNORECASE
)
# IAM changes take time to reach every endpoint: a role, or a policy attached to one, created
# moments before may not work yet ("Changes that I make are not always immediately visible",
# https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html). On a fresh stack
# the job role and the handler's own policy are that new, so a denial is retried this long.
IAM_PROPAGATION_SECONDS: Final = 60.0

# Builds a SageMaker client, given the read timeout in seconds.
ClientFactory = Callable[[float], "SageMakerClient"]

# Seconds the default client waits for a connection; with the read timeout, the longest time one
# attempt of one call takes.
CONNECT_TIMEOUT: Final = 5.0


def default_client(read_timeout: float) -> SageMakerClient:
    """Return a client of boto3's default session (honours ``AWS_ENDPOINT_URL_SAGEMAKER``).

    Reused by later invocations with the same settings (``aws.reused_client``).
    """
    client = reused_client(
        "sagemaker",
        read_timeout,
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=CONNECT_TIMEOUT,
    )
    return cast("SageMakerClient", client)


# The cancellation of the invocation a thread works for: a client may serve several
# invocations, one after another or at once in threads, and each refuses only its own calls.
_invocation = threading.local()
# Clients that consult ``_invocation`` before sending (the check is registered once a client).
_WATCHED: Final[weakref.WeakSet[object]] = weakref.WeakSet()
_WATCHING: Final = threading.Lock()


def _refuse_when_cancelled(**_: object) -> None:
    """Refuse a call (or a retry) once its invocation has answered (``before-send``)."""
    cancelled: threading.Event | None = getattr(_invocation, "cancelled", None)
    if cancelled is not None and cancelled.is_set():
        raise Cancelled("the handler has answered; no more SageMaker calls")


class Cancelled(Exception):  # noqa: N818 (a state, not a failure)
    """The handler has answered already: this object makes no more SageMaker calls."""


class SageMakerError(Exception):
    """A SageMaker call failed: ``code`` and ``message`` come from SageMaker or botocore."""

    def __init__(
        self,
        operation: str,
        code: str,
        message: str,
        *,
        http_status: int = 0,
        retry_attempts: int = 0,
    ) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retry_attempts = retry_attempts

    @property
    def rejected(self) -> bool:
        """Tell whether SageMaker surely refused the call: a 4xx on the first and only attempt.

        A throttled call, a 5xx, a call retried after a timeout or an error botocore raised
        itself may have been carried out anyway.
        """
        return (
            400 <= self.http_status < 500  # noqa: PLR2004 (HTTP client errors)
            and self.retry_attempts == 0
            and self.code not in _MAYBE_DONE_CODES
        )

    @property
    def not_found(self) -> bool:
        """Tell whether the error says the job does not exist."""
        return self.code in _NOT_FOUND_CODES or (
            self.code == "ValidationException" and _NOT_FOUND_TEXT.search(self.message) is not None
        )


def retry_reason(error: SageMakerError, elapsed: float) -> str | None:
    """Return why ``error`` is worth another attempt ("" never: None if it is not).

    Throttling always is (within the backoff's time); a denial, or a role SageMaker cannot
    assume, only in the first ``IAM_PROPAGATION_SECONDS`` of the work: after that it is real.
    """
    if error.code in THROTTLING_CODES:
        return "throttled"
    if elapsed >= IAM_PROPAGATION_SECONDS:
        return None
    if error.code in _ACCESS_DENIED_CODES:
        return "iam-propagation"
    if error.code == "ValidationException" and _NOT_ASSUMABLE_TEXT.search(error.message):
        return "iam-propagation"
    return None


# Told of each retry: the operation, the reason, the attempt (1-based) and the pause in seconds.
RetryListener = Callable[[str, str, int, float], None]


@dataclasses.dataclass(frozen=True, slots=True)
class JobInfo:
    """What Describe says about a job (or a workload configuration: ``status`` is then "")."""

    name: str
    arn: str
    status: str


def _error(operation: str, error: Exception) -> SageMakerError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        metadata = error.response.get("ResponseMetadata", {})
        return SageMakerError(
            operation,
            str(details.get("Code", "Unknown")),
            str(details.get("Message", "")),
            http_status=int(metadata.get("HTTPStatusCode", 0) or 0),
            retry_attempts=int(metadata.get("RetryAttempts", 0) or 0),
        )
    if isinstance(error, ParamValidationError):
        return SageMakerError(operation, "InvalidParameter", str(error))
    return SageMakerError(operation, type(error).__name__, str(error))


# A boto3 client method, called with the request's members as keywords.
_Operation = Callable[..., Mapping[str, Any]]


class Jobs:
    """Create, describe, tag-check, stop and delete one kind of resource through one client."""

    def __init__(
        self,
        client: SageMakerClient,
        cancelled: threading.Event | None = None,
        *,
        backoff: Backoff | None = None,
        on_retry: RetryListener | None = None,
        kind: Kind = CLASSIC,
    ) -> None:
        """Wrap ``client``; once ``cancelled`` is set, every call (and retry) raises ``Cancelled``.

        Calls are made from the thread that makes this object (the invocation's worker).

        ``kind`` says which operations and members (``kinds``): the classic job by default.

        A call that times out is retried by botocore in the background; after the answer, such
        a late Create must not start a job that CloudFormation already gave up on. A call that
        is throttled (or denied while IAM changes propagate, see ``retry_reason``) is tried
        again with ``backoff``'s pauses for as long as it allows; without one, not at all.
        """
        self._client = client
        self.kind = kind
        self._backoff = backoff
        self._on_retry = on_retry
        if cancelled is not None:
            # botocore sends (and retries) in the calling thread: the one making this object.
            _invocation.cancelled = cancelled
            with _WATCHING:
                if client not in _WATCHED:
                    client.meta.events.register_first("before-send", _refuse_when_cancelled)
                    _WATCHED.add(client)

    def request_shape(self) -> StructureShape:
        """Return the model's shape of the kind's Create request."""
        create = self.kind.create
        shape = self._client.meta.service_model.operation_model(create).input_shape
        if shape is None:  # pragma: no cover - the model always has it
            raise RuntimeError(f"botocore's model has no input shape for {create}")
        return shape

    def _operation(self, operation: str) -> _Operation:
        """Return the client's method of ``operation`` (one the installed botocore has)."""
        method: _Operation = getattr(self._client, self.kind.method(operation))
        return method

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        """Make ``call``, trying again while ``retry_reason`` says so and the backoff allows."""
        attempt = 0
        while True:
            try:
                return call()
            except (ClientError, BotoCoreError) as error:
                failure = _error(operation, error)
                backoff = self._backoff
                reason = None if backoff is None else retry_reason(failure, backoff.elapsed)
                pause = None if reason is None or backoff is None else backoff.pause(attempt)
                if pause is None:
                    raise failure from error
                attempt += 1
                if self._on_retry is not None:
                    self._on_retry(operation, f"{reason}:{failure.code}", attempt, pause)

    def describe(self, name: str) -> JobInfo | None:
        """Return the job called ``name``, or None if SageMaker has no such job."""
        kind = self.kind
        describe = self._operation(kind.describe)
        try:
            answer = self._call(kind.describe, lambda: describe(**{kind.name_member: name}))
        except SageMakerError as failure:
            if failure.not_found:
                return None
            raise
        status = answer.get(kind.status_member, "") if kind.status_member else ""
        return JobInfo(
            name=str(answer.get(kind.name_member, name)),
            arn=str(answer[kind.arn_member]),
            status=str(status),
        )

    def tags(self, arn: str) -> dict[str, str]:
        """Return every tag of the resource ``arn``."""
        found: dict[str, str] = {}
        token: str | None = None
        while True:
            answer = self._call(LIST_TAGS, functools.partial(self._tag_page, arn, token))
            found.update((tag["Key"], tag.get("Value", "")) for tag in answer.get("Tags", []))
            token = answer.get("NextToken")
            if not token:
                return found

    def _tag_page(self, arn: str, token: str | None) -> ListTagsOutputTypeDef:
        if token:
            return self._client.list_tags(ResourceArn=arn, MaxResults=100, NextToken=token)
        return self._client.list_tags(ResourceArn=arn, MaxResults=100)

    def create(self, params: Mapping[str, object]) -> str:
        """Start a job (create the resource); return its ARN."""
        create = self._operation(self.kind.create)
        answer = self._call(self.kind.create, lambda: create(**params))
        return str(answer[self.kind.create_arn_member])

    def add_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        """Set ``tags`` (key to value) on the resource ``arn``."""
        pairs: list[TagTypeDef] = [{"Key": key, "Value": value} for key, value in tags.items()]
        self._call(ADD_TAGS, lambda: self._client.add_tags(ResourceArn=arn, Tags=pairs))

    def delete_tags(self, arn: str, keys: list[str]) -> None:
        """Remove the tags ``keys`` from the resource ``arn``."""
        self._call(DELETE_TAGS, lambda: self._client.delete_tags(ResourceArn=arn, TagKeys=keys))

    def stop(self, name: str) -> None:
        """Ask SageMaker to stop the job ``name`` (of a kind that has a Stop operation)."""
        self._named_call(self.kind.stop, name)

    def delete(self, name: str) -> None:
        """Ask SageMaker to delete ``name`` (of a kind that has a Delete operation)."""
        self._named_call(self.kind.delete, name)

    def _named_call(self, operation: str | None, name: str) -> None:
        if operation is None:  # pragma: no cover - the lifecycle asks only what the kind has
            raise RuntimeError(f"{self.kind.resource_type} has no such operation")
        method = self._operation(operation)
        self._call(operation, lambda: method(**{self.kind.name_member: name}))
