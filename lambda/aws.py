"""The AWS clients the waiter uses, built from boto3's default session and reused.

Per-service endpoint variables (``AWS_ENDPOINT_URL_SAGEMAKER``, ``_S3``, ``_EVENTS``) reach them,
which is how the tests point them at fakes.

A stack of 50 waiting jobs polls at once, against APIs that allow a few calls a second per
operation: calls get ``ThrottlingException``. botocore's own retries are off (one attempt each);
every API call goes through ``Pacing`` instead, which tries a throttled or transient failure
again after a pause drawn at random up to an exponentially growing cap ("full jitter", so that
50 pollers throttled together do not all come back together:
https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/), for as long
as the invocation's budget allows, and gives up (raising the last error) before it runs out.
The errors retried are those of botocore's standard mode
(https://docs.aws.amazon.com/boto3/latest/guide/retries.html). Not botocore's "adaptive" mode:
its rate limiter lives in one client, and each invocation builds its own, so it cannot learn
the rate 50 concurrent invocations share; and its waits are neither bounded by the invocation's
deadline nor injectable in tests ("appropriate only for specialized use-cases":
https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, ParamSpec, Protocol, TypeVar

import boto3
from backoff import THROTTLING_CODES, Backoff
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

__all__ = [
    "Clients",
    "ClientsFactory",
    "Pacing",
    "boto3_clients",
    "default_clients",
    "retryable",
    "reused_client",
]

P = ParamSpec("P")
T = TypeVar("T")

# botocore's standard-mode list of transient errors (botocore/retries/standard.py).
TRANSIENT_CODES: Final = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUS: Final = frozenset({500, 502, 503, 504})
# Base of the exponential cap: 1 s after throttling, 50 ms after other transient errors, as
# botocore's standard mode; no single pause above 20 s.
THROTTLED_BASE: Final = 1.0
TRANSIENT_BASE: Final = 0.05
MAX_PAUSE: Final = 20.0
MAX_ATTEMPTS: Final = 10


def retryable(error: Exception) -> str | None:
    """Return ``"throttled"`` or ``"transient"`` if ``error`` is worth another try, else None."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in THROTTLING_CODES:
            return "throttled"
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in TRANSIENT_CODES or status in TRANSIENT_STATUS:
            return "transient"
        return None
    if isinstance(error, BotoConnectionError | HTTPClientError):
        return "transient"
    return None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Pacing:
    """When a failed call is tried again: full-jitter pauses that end before ``deadline``.

    ``deadline`` is a ``clock()`` time; ``clock``, ``sleep`` and ``jitter`` are injected by tests.
    """

    deadline: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    jitter: Callable[[], float] = random.random
    max_attempts: int = MAX_ATTEMPTS

    def pause(self, attempt: int, reason: str) -> bool:
        """Pause before retry number ``attempt`` (0-based); False, without pausing, if too late."""
        if attempt + 1 >= self.max_attempts:
            return False
        backoff = Backoff(
            until=self.deadline,
            started=self.clock(),
            clock=self.clock,
            sleep=self.sleep,
            jitter=self.jitter,
            base=THROTTLED_BASE if reason == "throttled" else TRANSIENT_BASE,
            cap=MAX_PAUSE,
        )
        return backoff.pause(attempt) is not None

    def call(self, method: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``method``, trying again while its failure is retryable and time allows."""
        attempt = 0
        while True:
            try:
                return method(*args, **kwargs)
            except (ClientError, BotoCoreError) as error:
                reason = retryable(error)
                if reason is None or not self.pause(attempt, reason):
                    raise
                attempt += 1


class _ClientMeta(Protocol):
    method_to_api_mapping: Mapping[str, str]


class _Client(Protocol):
    meta: _ClientMeta


class _Paced:
    """A boto3 client whose API calls (``meta.method_to_api_mapping``) go through ``Pacing``."""

    def __init__(self, client: _Client, pacing: Pacing) -> None:
        self._client = client
        self._pacing = pacing
        self._api_methods = frozenset(client.meta.method_to_api_mapping)

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._client, name)
        if name not in self._api_methods:
            return attribute
        return functools.partial(self._pacing.call, attribute)


@dataclasses.dataclass(frozen=True, slots=True)
class Clients:
    """SageMaker, S3, EventBridge and CloudFormation clients (typed loosely: few calls are used)."""

    sagemaker: Any
    s3: Any
    events: Any
    cloudformation: Any = None

    def paced(self, pacing: Pacing) -> Clients:
        """Return these clients, their API calls retried as ``pacing`` allows."""
        return Clients(
            sagemaker=_Paced(self.sagemaker, pacing),
            s3=_Paced(self.s3, pacing),
            events=_Paced(self.events, pacing),
            cloudformation=None
            if self.cloudformation is None
            else _Paced(self.cloudformation, pacing),
        )


def reused_client(
    service: str, read_timeout: float, *, retries: Mapping[str, object], connect_timeout: float
) -> BaseClient:
    """Return a boto3 client of ``service``, built once and reused by later invocations.

    AWS advises building SDK clients once per execution environment ("Initialize SDK clients
    and database connections outside of the function handler":
    https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html): building a SageMaker
    client defines a method for each of the API's hundreds of operations, and was most of a
    poll's CPU time. A client is reused only for the same settings, the same tenths of a second
    of read timeout (rounded down, at least 0.1 s: never longer than asked) and the same
    ``AWS_*`` environment (endpoints, region, credentials), which boto3 reads when it builds
    one. Clients are thread-safe once built; building them from the default session is not
    (boto/boto3#1592), hence the lock.
    """
    environment = tuple(sorted(item for item in os.environ.items() if item[0].startswith("AWS_")))
    with _BUILDING:
        return _built_client(
            service,
            max(0.1, math.floor(read_timeout * 10) / 10),
            tuple(sorted(retries.items())),
            connect_timeout,
            environment,
        )


_BUILDING: Final = threading.Lock()


@functools.lru_cache(maxsize=32)
def _built_client(
    service: str,
    read_timeout: float,
    retries: tuple[tuple[str, object], ...],
    connect_timeout: float,
    environment: tuple[tuple[str, str], ...],
) -> BaseClient:
    """Build the client; ``environment`` is part of the cache key only (boto3 reads it)."""
    del environment
    # botocore's stubs type ``retries`` as a TypedDict; these are its keys, as the callers give.
    settings: Any = dict(retries)
    config = Config(retries=settings, connect_timeout=connect_timeout, read_timeout=read_timeout)
    client: BaseClient = boto3.client(service, config=config)  # type: ignore[call-overload]
    return client


def boto3_clients(read_timeout: float) -> Clients:
    """Return clients that wait at most ``read_timeout`` (>= 1 s) and try each call once.

    ``Pacing`` retries. The clients are reused (``reused_client``).
    """

    def client(service: str) -> BaseClient:
        return reused_client(
            service,
            max(1.0, read_timeout),
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=5,
        )

    return Clients(
        sagemaker=client("sagemaker"),
        s3=client("s3"),
        events=client("events"),
        cloudformation=client("cloudformation"),
    )


def default_clients(read_timeout: float, pacing: Pacing) -> Clients:
    """Build the clients; each API call is retried as ``pacing`` allows."""
    return boto3_clients(read_timeout).paced(pacing)


# Builds the clients, given the read timeout in seconds and how calls are retried.
ClientsFactory = Callable[[float, Pacing], Clients]
