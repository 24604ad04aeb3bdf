"""The balancing decision: which shards a process lets go of, and how many processes are live."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from aio_pika.abc import AbstractIncomingMessage

from projector.balance import to_release
from projector.consumer import ShardConsumer
from projector.store.memory import MemoryHeartbeats
from projector.store.mongo import MONGO_FAILURES


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


def shard() -> ShardConsumer:
    nothing = cast(Any, None)
    return ShardConsumer(0, nothing, nothing, nothing, MONGO_FAILURES, 10, 0.0)


async def test_a_consumer_is_active_while_deliveries_come_and_not_once_it_releases() -> None:
    consumer = shard()
    assert not consumer.active_within(3.0)  # subscribed, nothing delivered: maybe only in line
    await consumer._deliver(cast(AbstractIncomingMessage, object()))
    assert consumer.active_within(3.0)
    consumer.release()
    assert not consumer.active_within(3.0)


async def test_a_released_consumer_takes_no_new_batch_even_with_deliveries_waiting() -> None:
    """What is left unacked goes back to the broker with the channel, for the next in line."""
    consumer = shard()
    await consumer._deliver(cast(AbstractIncomingMessage, object()))
    consumer.release()
    assert await consumer.inbox.next() is None


async def test_release_wakes_a_consumer_waiting_for_deliveries() -> None:
    consumer = shard()
    waiting = asyncio.create_task(consumer.inbox.next())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    consumer.release()
    assert await asyncio.wait_for(waiting, 5) is None
