"""Fixtures for deploying synthesized templates locally (see ``tests.harness.deploy``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.deploy import LocalCloudFormation, WaitSignalReceiver


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
