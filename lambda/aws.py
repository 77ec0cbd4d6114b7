"""The AWS clients the waiter uses, built per invocation from boto3's default session.

Per-service endpoint variables (``AWS_ENDPOINT_URL_SAGEMAKER``, ``_S3``, ``_EVENTS``) reach them,
which is how the tests point them at fakes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

__all__ = ["Clients", "default_clients"]


@dataclasses.dataclass(frozen=True, slots=True)
class Clients:
    """SageMaker, S3 and EventBridge clients (typed loosely: only a few calls are used)."""

    sagemaker: Any
    s3: Any
    events: Any


def default_clients(read_timeout: float) -> Clients:
    """Build the clients with bounded retries and timeouts."""
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=max(1.0, read_timeout),
    )
    return Clients(
        sagemaker=boto3.client("sagemaker", config=config),
        s3=boto3.client("s3", config=config),
        events=boto3.client("events", config=config),
    )


ClientsFactory = Callable[[float], Clients]
