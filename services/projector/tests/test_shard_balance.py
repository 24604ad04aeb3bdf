"""The balancing decision: which shards a process lets go of, and how many processes are live."""

from __future__ import annotations

import pytest

from projector.balance import to_release
from projector.store.memory import MemoryHeartbeats


@pytest.mark.parametrize(
    ("active", "shards", "live", "released"),
    [
        ([0, 1, 2, 3], 4, 1, []),  # alone: never
        ([0, 1, 2, 3], 4, 0, []),  # its own beat not seen yet: alone
        ([0, 1, 2, 3], 4, 2, [2, 3]),  # the first of two starts with every shard
        ([0, 1], 4, 2, []),  # at its share
        ([3, 1, 2], 4, 3, [3]),  # share ceil(4 / 3) = 2, the last ones go
        ([0, 1, 2, 3, 4, 5], 6, 3, [2, 3, 4, 5]),
        ([0], 4, 8, []),  # more processes than shards: one each at most
        ([0, 1], 4, 8, [1]),
    ],
)
def test_a_process_releases_the_shards_beyond_its_fair_share(
    active: list[int], shards: int, live: int, released: list[int]
) -> None:
    assert to_release(active, shards, live) == released


def test_shares_never_leave_a_shard_unwanted() -> None:
    """Whatever the count, the processes' shares cover every shard: releases move shards, they
    never push one out of every process's share (so moves stop)."""
    for shards in range(1, 17):
        for live in range(1, 10):
            share = shards - len(to_release(list(range(shards)), shards, live))
            assert share * live >= shards


async def test_live_counts_the_processes_that_beat_recently() -> None:
    first, second = MemoryHeartbeats("a"), MemoryHeartbeats("b")
    second.beats = first.beats  # one shared store, as MongoDB is
    assert await first.live(3.0) == 0
    await first.beat(None)
    await second.beat("g2")
    assert await first.live(3.0) == 2
    assert set(await second.paused_for(3.0)) == {"g2", None}
    assert await first.live(0.0) == 0
