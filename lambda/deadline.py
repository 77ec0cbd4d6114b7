"""Time left: how long the work may take so that the answer still reaches CloudFormation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final, TypeVar

__all__ = [
    "DEFAULT_REMAINING_SECONDS",
    "TIMED_OUT",
    "TimedOut",
    "remaining_seconds",
    "response_reserve",
    "run_within",
]

T = TypeVar("T")

# When the context cannot say (a bad test double), assume a short invocation.
DEFAULT_REMAINING_SECONDS: Final = 30.0
_MAX_RESERVE: Final = 10.0
_RESERVE_SHARE: Final = 0.2


def remaining_seconds(context: object) -> float:
    """Return the seconds left in this invocation, from ``context.get_remaining_time_in_millis``."""
    getter = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(getter):
        return DEFAULT_REMAINING_SECONDS
    try:
        millis = getter()
    except Exception:  # noqa: BLE001 (a broken context must not stop the answer)
        return DEFAULT_REMAINING_SECONDS
    if isinstance(millis, bool) or not isinstance(millis, int | float):
        return DEFAULT_REMAINING_SECONDS
    return max(0.0, float(millis) / 1000)


def response_reserve(remaining: float) -> float:
    """Return the time kept back for the answer: 10 s or 20 % of what is left, the lesser."""
    return min(_MAX_RESERVE, _RESERVE_SHARE * remaining)


class TimedOut:
    """The work did not finish in time."""

    __slots__ = ()


TIMED_OUT: Final = TimedOut()


def run_within(work: Callable[[], T], seconds: float, name: str = "infrec-work") -> T | TimedOut:
    """Run ``work`` in a daemon thread; return its result, or ``TIMED_OUT`` after ``seconds``.

    ``work`` must not raise (exceptions are its own to turn into results). A thread that times
    out is left behind: it cannot answer CloudFormation, only the caller does.
    """
    results: list[T] = []
    done = threading.Event()

    def target() -> None:
        try:
            results.append(work())
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    if done.wait(max(0.0, seconds)) and results:
        return results[0]
    return TIMED_OUT
