"""The log throttle: the first line at once, then one per interval with the count held back meanwhile."""

from __future__ import annotations

from innkeeper_kit.log_throttle import LogThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_first_line_passes_then_one_per_interval_with_the_count_held_back() -> None:
    clock = Clock()
    throttle = LogThrottle(interval=10, clock=clock)
    assert throttle.admit() == 0
    assert [throttle.admit() for _ in range(500)] == [None] * 500
    clock.now += 9.9
    assert throttle.admit() is None
    clock.now += 0.1
    assert throttle.admit() == 501
    clock.now += 60  # quiet for a while: the next line passes and nothing was held back
    assert throttle.admit() == 0
