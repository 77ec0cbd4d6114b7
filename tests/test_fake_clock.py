"""The shared virtual clock of the concurrent-handler tests (``tests/fakes/clock.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.fakes.clock import BotocoreTime, SharedVirtualTime


def _run_all(*targets: Callable[[], None]) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)


def test_time_jumps_to_the_earliest_wake_up_once_every_party_sleeps():
    woke: list[tuple[str, float]] = []
    with SharedVirtualTime(parties=2) as shared:

        def long_sleeper() -> None:
            shared.join()
            shared.sleep(5)
            woke.append(("long", shared.clock()))

        def short_sleeper() -> None:
            shared.join()
            shared.sleep(2)
            woke.append(("short", shared.clock()))
            shared.sleep(4)
            woke.append(("short again", shared.clock()))

        started = time.monotonic()
        _run_all(long_sleeper, short_sleeper)

    assert woke == [("short", 2.0), ("long", 5.0), ("short again", 6.0)]
    assert sorted(shared.pauses) == [2, 4, 5]
    assert time.monotonic() - started < 5  # 11 virtual seconds, no real pause of that length


def test_time_stands_still_while_a_party_runs():
    seen: list[float] = []
    with SharedVirtualTime(parties=2) as shared:

        def sleeper() -> None:
            shared.join()
            shared.sleep(1)
            seen.append(shared.clock())

        def runner() -> None:
            shared.join()
            # Real time passes while this party runs (the clock looks every millisecond): the
            # wait is what is tested, that the sleeper's second does not pass meanwhile.
            threading.Event().wait(0.05)
            seen.append(shared.clock())
            shared.sleep(3)
            seen.append(shared.clock())

        sleeping = threading.Thread(target=sleeper)
        sleeping.start()
        assert shared.wait_for_pauses(1)  # the sleeper sleeps (the clock waits for the runner)
        _run_all(runner)
        sleeping.join(timeout=10)

    assert seen == [0.0, 1.0, 3.0]


def test_a_thread_must_join_before_it_sleeps():
    with SharedVirtualTime(parties=1) as shared, pytest.raises(RuntimeError, match="joined"):
        shared.sleep(1)


def test_botocore_pauses_of_a_party_are_virtual_and_others_real():
    with SharedVirtualTime(parties=1) as shared:
        botocore_time = BotocoreTime(shared)
        botocore_time.sleep(0)  # not joined: a real (here empty) pause
        assert shared.pauses == []

        shared.join()
        started = time.monotonic()
        botocore_time.sleep(20)  # botocore's longest pause: at once, on the shared clock

        assert shared.clock() == 20.0
        assert time.monotonic() - started < 5
        assert botocore_time.monotonic is time.monotonic  # the rest is the real module
