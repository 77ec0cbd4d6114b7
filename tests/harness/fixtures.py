"""Fixtures for deploying synthesized templates locally (see ``tests.harness.deploy``)."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator

import pytest

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.deploy import LocalCloudFormation, WaitSignalReceiver
from tests.harness.stack_api import StackApi


@pytest.fixture
def wait_signals() -> Iterator[WaitSignalReceiver]:
    """A started receiver for wait-condition signals."""
    with WaitSignalReceiver() as receiver:
        yield receiver


@pytest.fixture
def cloudformation(
    fake_sagemaker: FakeSageMaker,
    cfn_receiver: CfnResponseReceiver,
    wait_signals: WaitSignalReceiver,
) -> LocalCloudFormation:
    """A local CloudFormation over the fake SageMaker (one stack)."""
    return LocalCloudFormation(fake=fake_sagemaker, receiver=cfn_receiver, signals=wait_signals)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server (S3, EventBridge, SQS over HTTP) for the session; its URL."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 (0.2 s: only where it is used)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_services(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """S3, EventBridge and SQS clients of this test (and of the handlers) reach a clean moto."""
    for service in ("S3", "EVENTBRIDGE", "SQS"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_server)
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (loopback)
        pass
    return moto_server


@pytest.fixture
def waiting_cloudformation(
    fake_sagemaker: FakeSageMaker,
    cfn_receiver: CfnResponseReceiver,
    wait_signals: WaitSignalReceiver,
    aws_services: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LocalCloudFormation]:
    """A local CloudFormation whose buckets and rules exist in moto (for waiting jobs).

    Its own API (``ListStackResources``, ``DescribeStackResource``) answers the waiter's sweep.
    """
    stack = LocalCloudFormation(
        fake=fake_sagemaker,
        receiver=cfn_receiver,
        signals=wait_signals,
        aws_endpoint=aws_services,
        tick=300,  # five fake minutes a step: rules still fire once per step, tests stay quick
    )
    with StackApi(stack.stack_resources) as api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", api.url)
        stack.stack_api = api
        yield stack
