"""The waiter builds its boto3 clients once per execution environment (lambda/aws.py)."""

from __future__ import annotations

import threading

import pytest
from aws import boto3_clients


@pytest.fixture(autouse=True)
def endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:1")


def test_a_later_invocation_reuses_the_clients_built_for_the_same_timeout() -> None:
    first = boto3_clients(20.0)

    assert boto3_clients(20.0) is first
    assert boto3_clients(20.9) is first  # rounded down to whole seconds, never up
    assert first.sagemaker.meta.config.read_timeout == 20


def test_a_shorter_timeout_gets_clients_that_wait_no_longer() -> None:
    short = boto3_clients(3.7)

    assert short is not boto3_clients(20.0)
    assert short.sagemaker.meta.config.read_timeout == 3
    assert boto3_clients(0.2).sagemaker.meta.config.read_timeout == 1  # at least a second
    assert short.sagemaker.meta.config.retries["total_max_attempts"] == 1  # Pacing retries


def test_a_changed_endpoint_or_credential_gets_new_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    before = boto3_clients(20.0)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:2")

    moved = boto3_clients(20.0)

    assert moved is not before
    assert moved.sagemaker.meta.endpoint_url == "http://127.0.0.1:2"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "rotated")
    assert boto3_clients(20.0) is not moved


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
    assert all(clients is built[0] for clients in built)
