"""The waiter builds its boto3 clients once per execution environment (lambda/aws.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from aws import boto3_clients
from jobs import Cancelled, Jobs, default_client

from tests.fakes.sagemaker import FakeSageMaker


def read_timeout(client: Any) -> float:
    """The read timeout ``client`` was built with."""
    return float(client.meta.config.read_timeout)


@pytest.fixture(autouse=True)
def endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:1")


def test_a_later_invocation_reuses_the_clients_built_for_the_same_timeout() -> None:
    first = boto3_clients(20.0)

    assert boto3_clients(20.0) == first  # the same four clients
    assert boto3_clients(20.09) == first  # rounded down to tenths of a second, never up
    assert read_timeout(first.sagemaker) == 20


def test_a_shorter_timeout_gets_clients_that_wait_no_longer() -> None:
    short = boto3_clients(3.79)

    assert short != boto3_clients(20.0)
    assert read_timeout(short.sagemaker) == 3.7
    assert read_timeout(boto3_clients(0.2).sagemaker) == 1  # at least a second
    assert short.sagemaker.meta.config.retries["total_max_attempts"] == 1  # Pacing retries


def test_a_changed_endpoint_or_credential_gets_new_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    before = boto3_clients(20.0)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:2")

    moved = boto3_clients(20.0)

    assert moved != before
    assert moved.sagemaker.meta.endpoint_url == "http://127.0.0.1:2"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "rotated")
    assert boto3_clients(20.0) != moved


def test_invocations_in_threads_share_one_set_of_clients() -> None:
    built: list[object] = []

    def invoke() -> None:
        built.append(boto3_clients(11.0))

    threads = [threading.Thread(target=invoke) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(built) == 8
    assert all(clients == built[0] for clients in built)


def test_the_handler_client_is_reused_per_timeout_and_environment() -> None:
    first = default_client(30.0)

    assert default_client(30.04) is first
    assert read_timeout(first) == 30
    assert read_timeout(default_client(0.66)) == 0.6  # rounded down, never up
    assert default_client(4.2) is not first


def test_an_answered_invocation_refuses_only_its_own_calls_on_a_shared_client(
    fake_sagemaker: FakeSageMaker,
) -> None:
    """A timed-out invocation's worker must not call on; another invocation still may."""
    client = default_client(10.0)
    outcomes: dict[str, str] = {}

    def invocation(name: str, *, answered: bool) -> None:
        cancelled = threading.Event()
        jobs = Jobs(client, cancelled)
        if answered:
            cancelled.set()
        try:
            outcomes[name] = "absent" if jobs.describe(f"{name}-job") is None else "found"
        except Cancelled:
            outcomes[name] = "refused"

    for name, answered in (("late", True), ("current", False), ("again", True)):
        thread = threading.Thread(target=invocation, args=(name,), kwargs={"answered": answered})
        thread.start()
        thread.join(timeout=30)

    assert outcomes == {"late": "refused", "current": "absent", "again": "refused"}
    described = [params["JobName"] for op, params in fake_sagemaker.calls if op.startswith("Desc")]
    assert described == ["current-job"]  # the refused calls never reached SageMaker
