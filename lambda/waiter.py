"""Lambda entrypoint of the waiting machinery: scheduled polls, the results and scaling resources.

One function per stack serves them all: an event with a ``RequestType`` is CloudFormation's, for
the ``Custom::InferenceRecommendationsScaling`` resource when its ``ResourceType`` says so, else
for the ``Custom::InferenceRecommendationsResults`` resource; one with ``Conditions`` comes from the
stack's shared poll rule (``sweep``); anything else from a job's own rule, as stacks deployed by
earlier versions have until their next update (``poll``). Nothing escapes.
"""

from __future__ import annotations

from collections.abc import Mapping

import poll
import results
import scaling
import sweep
from log import LOGGER

__all__ = ["handler"]


def handler(event: object, context: object) -> None:
    """Handle a poll, or an event of a results or scaling resource."""
    try:
        if isinstance(event, Mapping) and "RequestType" in event:
            if event.get("ResourceType") == scaling.RESOURCE_TYPE:
                scaling.handle(event, context)
            else:
                results.handle(event, context)
        elif sweep.is_sweep(event):
            sweep.handle(event, context)
        else:
            poll.handle(event, context)
    except Exception as error:  # noqa: BLE001 (last line of defence: nothing reaches Lambda)
        LOGGER.error(
            '{"action": "handle", "outcome": "error", "error": "%s"}', type(error).__name__
        )
