"""The boto3 edge: a small object around an injected SageMaker client.

Every failure leaves here as ``SageMakerError`` with the operation, SageMaker's error code and its
message, so the decisions elsewhere never see botocore's exception zoo.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

if TYPE_CHECKING:
    from botocore.model import StructureShape
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker.type_defs import CreateInferenceRecommendationsJobRequestTypeDef

__all__ = [
    "CONNECT_TIMEOUT",
    "Cancelled",
    "ClientFactory",
    "JobInfo",
    "Jobs",
    "SageMakerError",
    "default_client",
]

CREATE = "CreateInferenceRecommendationsJob"
DESCRIBE = "DescribeInferenceRecommendationsJob"
STOP = "StopInferenceRecommendationsJob"
LIST_TAGS = "ListTags"

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

# Builds a SageMaker client, given the read timeout in seconds.
ClientFactory = Callable[[float], "SageMakerClient"]

# Seconds the default client waits for a connection; with the read timeout, the longest time one
# attempt of one call takes.
CONNECT_TIMEOUT: Final = 5.0


def default_client(read_timeout: float) -> SageMakerClient:
    """Build a client from boto3's default session (honours ``AWS_ENDPOINT_URL_SAGEMAKER``)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
    )
    return boto3.client("sagemaker", config=config)


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


@dataclasses.dataclass(frozen=True, slots=True)
class JobInfo:
    """What Describe says about a job."""

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


class Jobs:
    """Create, describe, tag-check and stop recommendation jobs through one client."""

    def __init__(self, client: SageMakerClient, cancelled: threading.Event | None = None) -> None:
        """Wrap ``client``; once ``cancelled`` is set, every call (and retry) raises ``Cancelled``.

        A call that times out is retried by botocore in the background; after the answer, such
        a late Create must not start a job that CloudFormation already gave up on.
        """
        self._client = client
        if cancelled is not None:

            def refuse_when_cancelled(**_: object) -> None:
                if cancelled.is_set():
                    raise Cancelled("the handler has answered; no more SageMaker calls")

            client.meta.events.register_first("before-send", refuse_when_cancelled)

    def request_shape(self) -> StructureShape:
        """Return the model's shape of the CreateInferenceRecommendationsJob request."""
        shape = self._client.meta.service_model.operation_model(CREATE).input_shape
        if shape is None:  # pragma: no cover - the model always has it
            raise RuntimeError(f"botocore's model has no input shape for {CREATE}")
        return shape

    def describe(self, name: str) -> JobInfo | None:
        """Return the job called ``name``, or None if SageMaker has no such job."""
        try:
            answer = self._client.describe_inference_recommendations_job(JobName=name)
        except (ClientError, BotoCoreError) as error:
            failure = _error(DESCRIBE, error)
            if failure.not_found:
                return None
            raise failure from error
        return JobInfo(
            name=answer.get("JobName", name),
            arn=answer["JobArn"],
            status=str(answer.get("Status", "")),
        )

    def tags(self, arn: str) -> dict[str, str]:
        """Return every tag of the resource ``arn``."""
        found: dict[str, str] = {}
        token: str | None = None
        try:
            while True:
                answer = (
                    self._client.list_tags(ResourceArn=arn, MaxResults=100, NextToken=token)
                    if token
                    else self._client.list_tags(ResourceArn=arn, MaxResults=100)
                )
                found.update((tag["Key"], tag.get("Value", "")) for tag in answer.get("Tags", []))
                token = answer.get("NextToken")
                if not token:
                    return found
        except (ClientError, BotoCoreError) as error:
            raise _error(LIST_TAGS, error) from error

    def create(self, params: Mapping[str, object]) -> str:
        """Start a job; return its ARN."""
        request = cast("CreateInferenceRecommendationsJobRequestTypeDef", dict(params))
        try:
            return self._client.create_inference_recommendations_job(**request)["JobArn"]
        except (ClientError, BotoCoreError) as error:
            raise _error(CREATE, error) from error

    def stop(self, name: str) -> None:
        """Ask SageMaker to stop the job ``name``."""
        try:
            self._client.stop_inference_recommendations_job(JobName=name)
        except (ClientError, BotoCoreError) as error:
            raise _error(STOP, error) from error
