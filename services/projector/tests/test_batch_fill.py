"""How a shard consumer gathers a batch: what is queued, and a delivery that lands while it lingers."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aio_pika.abc import AbstractIncomingMessage

from projector.consumer import ShardConsumer
from projector.store.mongo import MONGO_FAILURES


def shard(batch_size: int, linger: float, window: float = 3600.0) -> ShardConsumer:
    nothing = cast(Any, None)
    return ShardConsumer(0, nothing, nothing, nothing, MONGO_FAILURES, batch_size, window, linger=linger)


def message() -> AbstractIncomingMessage:
    return cast(AbstractIncomingMessage, object())


async def test_a_delivery_landing_while_the_batch_lingers_joins_it() -> None:
    # The second event of a command a moment after the first: one batch, so one write makes both
    # readable. The window and the linger are far beyond the test: only the delivery ends the wait.
    consumer, first, second = shard(batch_size=2, linger=3600.0), message(), message()
    filling = asyncio.create_task(consumer._fill(first))
    for _ in range(3):
        await asyncio.sleep(0)
    assert not filling.done()  # lingering for more
    await consumer._deliver(second)
    assert await filling == [first, second]


async def test_with_nothing_more_coming_the_batch_goes_with_what_it_has() -> None:
    consumer, first = shard(batch_size=10, linger=0.001), message()
    assert await consumer._fill(first) == [first]


async def test_deliveries_already_queued_go_in_the_batch_up_to_its_size() -> None:
    consumer, first = shard(batch_size=3, linger=0.0), message()
    queued = [message() for _ in range(4)]
    for delivery in queued:
        await consumer._deliver(delivery)
    assert await consumer._fill(first) == [first, *queued[:2]]
    assert consumer.inbox.qsize() == 2  # the rest wait for the next batch, in order
