"""A virtual clock that many threads share: time moves only while every one of them waits on it.

``tests.handler_events.VirtualTime`` serves one handler: its pauses pass at once. When 50 handlers
run at once against a rate-limited fake, their pauses, botocore's and the fake's rate limit must
share one timeline; ``SharedVirtualTime`` is that timeline, without real-time waits and without
depending on how fast the machine runs the threads (a loaded machine runs slower, not later).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Final, Self

__all__ = ["BotocoreTime", "InstantPauses", "SharedVirtualTime"]

# Real seconds a sleeper waits for the others to reach the clock before it calls it a bug.
_STALL_SECONDS: Final = 60.0
# How often the clock looks for threads that ended (an ending thread cannot notify it).
_LOOK_SECONDS: Final = 0.001


class SharedVirtualTime:
    """A virtual clock for ``parties`` threads; use as a context manager.

    A thread takes part from its first ``join()`` until it ends. Time stands still while any of
    them runs (an HTTP call to a fake, say), and until all ``parties`` have joined; once every
    thread taking part that is still alive sleeps, the clock jumps to the earliest wake-up.
    ``clock()`` may be read from any thread (a fake's rate limit reads it from its server).
    """

    def __init__(self, parties: int) -> None:
        """Start the clock at 0, waiting for ``parties`` threads to join."""
        self.parties = parties
        self.pauses: list[float] = []
        self._now = 0.0
        self._changed = threading.Condition()
        self._joined: set[threading.Thread] = set()
        # Each sleeper's wake-up time and the event that wakes it (only it: no thundering herd).
        self._sleepers: dict[threading.Thread, tuple[float, threading.Event]] = {}
        self._closed = False
        self._driver = threading.Thread(target=self._drive, name="shared-virtual-time", daemon=True)

    def __enter__(self) -> Self:
        """Start moving time."""
        self._driver.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Stop moving time; any sleeper still waiting returns at once."""
        with self._changed:
            self._closed = True
            for _wake, woken in self._sleepers.values():
                woken.set()
            self._sleepers.clear()
            self._changed.notify_all()
        self._driver.join(timeout=5)

    def clock(self) -> float:
        """The virtual time, in seconds."""
        with self._changed:
            return self._now

    def join(self) -> None:
        """Let the calling thread take part (again: no effect)."""
        with self._changed:
            self._joined.add(threading.current_thread())
            self._changed.notify_all()

    def takes_part(self) -> bool:
        """Whether the calling thread has joined."""
        with self._changed:
            return threading.current_thread() in self._joined

    def wait_for_pauses(self, count: int, timeout: float = 10.0) -> bool:
        """Wait at most ``timeout`` real seconds until ``count`` pauses have begun; say if so."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.pauses) >= count, timeout)

    def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` of virtual time have passed (the calling thread must have joined).

        Raises RuntimeError if the other threads do not all come to wait within a minute of real
        time (a thread that joined and blocks on something else would stop the clock forever).
        """
        me = threading.current_thread()
        woken = threading.Event()
        with self._changed:
            if me not in self._joined:
                raise RuntimeError(f"{me.name} sleeps on the shared clock without having joined")
            self.pauses.append(seconds)
            if self._closed:
                return
            self._sleepers[me] = (self._now + max(0.0, seconds), woken)
            self._changed.notify_all()
        if not woken.wait(_STALL_SECONDS):
            with self._changed:
                self._sleepers.pop(me, None)
            raise RuntimeError(f"virtual time stood still for {_STALL_SECONDS:.0f} s")

    def _drive(self) -> None:
        with self._changed:
            while not self._closed:
                running = any(
                    thread.is_alive() and thread not in self._sleepers for thread in self._joined
                )
                if len(self._joined) >= self.parties and self._sleepers and not running:
                    self._now = max(self._now, min(wake for wake, _ in self._sleepers.values()))
                    for thread, (wake, woken) in list(self._sleepers.items()):
                        if wake <= self._now:
                            del self._sleepers[thread]
                            woken.set()
                self._changed.wait(_LOOK_SECONDS)


class BotocoreTime:
    """``time`` as ``botocore.endpoint`` sees it: retry pauses of joined threads on ``clock``.

    botocore sleeps between the attempts of a call with ``time.sleep`` in ``botocore.endpoint``
    (standard retry mode); tests put this in that module's ``time`` (``monkeypatch.setattr``). A
    thread that has not joined pauses as ``otherwise`` does (by default the real ``time``; the
    ``fake_sagemaker`` fixture's ``InstantPauses``, say).
    """

    def __init__(self, clock: SharedVirtualTime, otherwise: Any = time) -> None:
        """Pause on ``clock``, or as ``otherwise`` does for threads that have not joined."""
        self._clock = clock
        self._otherwise = otherwise

    def sleep(self, seconds: float) -> None:
        """Pause ``seconds``: on the shared clock if the calling thread takes part."""
        if self._clock.takes_part():
            self._clock.sleep(seconds)
        else:
            self._otherwise.sleep(seconds)

    def __getattr__(self, name: str) -> object:
        """Everything else is the real ``time`` module's."""
        return getattr(time, name)


class InstantPauses:
    """``time`` as ``botocore.endpoint`` sees it, its pauses passing at once (and recorded).

    botocore's standard retry mode pauses a random 0-1 s, 0-2 s, 0-4 s, ... before each retry,
    in real time: a test of retries took a random time, up to 15 s. With this in that module's
    ``time`` every attempt is still made, with no wait between them; ``pauses`` lists the pauses.
    """

    def __init__(self) -> None:
        """Record no pause yet."""
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and return at once."""
        self.pauses.append(seconds)

    def __getattr__(self, name: str) -> object:
        """Everything else is the real ``time`` module's."""
        return getattr(time, name)
