"""Pytest fixtures for the fakes: a fake SageMaker, a CloudFormation response receiver, a client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import botocore.endpoint
import pytest

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.clock import InstantPauses
from tests.fakes.sagemaker import REGION, FakeSageMaker

if TYPE_CHECKING:  # imported by type checkers alone: 0.2 s per test process
    from types_boto3_sagemaker import SageMakerClient

__all__ = ["botocore_pauses", "cfn_receiver", "fake_sagemaker", "sagemaker_client"]


@pytest.fixture
def botocore_pauses(monkeypatch: pytest.MonkeyPatch) -> InstantPauses:
    """botocore's pauses between the attempts of a call pass at once (see ``InstantPauses``)."""
    pauses = InstantPauses()
    monkeypatch.setattr(botocore.endpoint, "time", pauses)
    return pauses


@pytest.fixture
def fake_sagemaker(
    monkeypatch: pytest.MonkeyPatch, botocore_pauses: InstantPauses
) -> Iterator[FakeSageMaker]:
    """A started fake SageMaker that boto3 clients created during the test reach.

    botocore retries the fake's throttling, 5xx and timeouts as it retries SageMaker's, every
    attempt made, but without its random real-time pauses between them (``botocore_pauses``).
    """
    del botocore_pauses  # requested for its effect
    with FakeSageMaker() as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", fake.endpoint_url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
            monkeypatch.delenv(name, raising=False)
        yield fake


@pytest.fixture
def cfn_receiver() -> Iterator[CfnResponseReceiver]:
    """A started receiver for custom-resource responses."""
    with CfnResponseReceiver() as receiver:
        yield receiver


@pytest.fixture
def sagemaker_client(fake_sagemaker: FakeSageMaker) -> SageMakerClient:
    """A real boto3 SageMaker client (default session) talking to the fake over HTTP."""
    client = boto3.client("sagemaker")
    assert client.meta.endpoint_url == fake_sagemaker.endpoint_url
    return client
