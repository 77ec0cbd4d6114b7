"""How long, and how often, a SageMaker call is tried again: exponential backoff, full jitter.

botocore retries a throttled call a few times (standard mode); a stack that starts 50 jobs at
once outlasts that. The handler then keeps trying for as long as its budget allows, each pause
a random time up to an exponentially growing cap ("full jitter", so that 50 handlers throttled
together do not all come back together:
https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from typing import Final

__all__ = ["THROTTLING_CODES", "Backoff"]

_BASE: Final = 1.0
_CAP: Final = 10.0

# The error codes botocore's standard retry mode treats as throttling
# (botocore/retries/standard.py; https://docs.aws.amazon.com/boto3/latest/guide/retries.html).
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
    }
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Pauses between attempts until ``until`` (a ``clock()`` time); none once it has passed.

    ``sleep`` pauses (the handler passes its cancellation event's ``wait``, so an answered
    request stops waiting at once); ``clock``, ``sleep`` and ``jitter`` are injected by tests.
    """

    until: float
    started: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    jitter: Callable[[], float] = random.random
    base: float = _BASE
    cap: float = _CAP

    @classmethod
    def within(
        cls,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> Backoff:
        """Try again for at most ``seconds`` from now."""
        now = clock()
        return cls(
            until=now + max(0.0, seconds), started=now, clock=clock, sleep=sleep, jitter=jitter
        )

    @property
    def elapsed(self) -> float:
        """Seconds since this backoff began."""
        return self.clock() - self.started

    def delay(self, attempt: int) -> float:
        """Return the pause before retry number ``attempt`` (0-based): random, up to the cap."""
        return self.jitter() * min(self.cap, self.base * 2.0 ** min(attempt, 30))

    def pause(self, attempt: int) -> float | None:
        """Pause before retry number ``attempt``; return the pause, or None if time is up.

        A pause that would end past ``until`` is not taken: the caller gives up at once, with
        time left to answer.
        """
        delay = self.delay(attempt)
        if self.clock() + delay >= self.until:
            return None
        self.sleep(delay)
        return delay
