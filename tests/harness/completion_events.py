"""Capture this library's completion events: a moto SQS queue behind a default-bus rule."""

from __future__ import annotations

import json
from typing import Any

import boto3

__all__ = ["capture_completion_events", "captured_events"]


def capture_completion_events(endpoint: str) -> str:
    """Create a queue that receives every ``infrec-cdk`` event; return its URL."""
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    url = sqs.create_queue(QueueName="completion-events")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    events = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1")
    events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": ["infrec-cdk"]}))
    events.put_targets(
        Rule="to-queue", Targets=[{"Id": "queue", "Arn": attributes["Attributes"]["QueueArn"]}]
    )
    return str(url)


def captured_events(endpoint: str, url: str) -> list[dict[str, Any]]:
    """The events the queue received since the last call."""
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
