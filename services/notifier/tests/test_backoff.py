"""Backoff: exponential, capped, jittered, and never sooner than the receiver asked."""

from __future__ import annotations

import random

from notifier.backoff import MAX_RETRY_AFTER_SECONDS, Backoff

BACKOFF = Backoff(base_seconds=2, max_seconds=60)


def test_each_step_doubles_between_half_and_all_of_it_up_to_the_cap() -> None:
    rng = random.Random(7)
    for attempts, step in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (20, 60)]:
        delays = [BACKOFF.delay(attempts, rng=rng) for _ in range(200)]
        assert step / 2 <= min(delays) <= max(delays) <= step
        assert max(delays) - min(delays) > step / 4  # spread: failures together do not return together


def test_retry_after_is_honoured_even_beyond_the_cap_but_not_for_ever() -> None:
    assert BACKOFF.delay(1, retry_after=120) == 120
    assert BACKOFF.delay(1, retry_after=10**9) == MAX_RETRY_AFTER_SECONDS
    assert BACKOFF.delay(6, retry_after=1) >= 30
