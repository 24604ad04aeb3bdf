"""Cooperative shard balancing: each projector process lets go of the shards beyond its fair share.

`x-single-active-consumer` gives a shard to the first consumer in line, so the first process to start
would apply every shard and the others would only wait. Every `interval` each process counts the live
processes (their heartbeats) and the shards it is active on (a delivery within `ACTIVE_SECONDS`: the
broker delivers only to the active consumer); above ceil(shards / live) it releases the excess
(`ShardConsumer.release`). The next consumer in line takes the shard over, in order, exactly as after a
crash; the releasing one queues up again behind it and stays a standby. A shard is released only when
another consumer waits on its queue, so it never comes straight back; a process alone never releases.
Shards go only from processes above the ceiling, so moves end once every process is at or below it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

import structlog
from aio_pika.abc import AbstractRobustConnection

from .consumer import ShardConsumer
from .ports import Heartbeats

log = structlog.get_logger("projector.balance")

ACTIVE_SECONDS = 3.0
"""A consumer that had a delivery this recently is taken to be its shard's active consumer."""
LIVE_SECONDS = 3.0
"""A process that beat this recently is live (heartbeats come every second; as the rebuild counts)."""


def to_release(active: Sequence[int], shards: int, live: int) -> list[int]:
    """Which of the shards this process is `active` on to let go: those beyond the fair share
    ceil(shards / live), the last ones first; none when this process is alone (or thinks so)."""
    if live <= 1:
        return []
    share = math.ceil(shards / live)
    return sorted(active)[share:]


class ShardBalancer:
    """Every `interval`, releases this process's shards beyond its fair share (see the module)."""

    def __init__(
        self, consumers: Sequence[ShardConsumer], heartbeats: Heartbeats, interval: float = 2.0
    ) -> None:
        self.consumers, self.heartbeats, self.interval = consumers, heartbeats, interval

    async def run(self, connection: AbstractRobustConnection) -> None:
        """Balance forever (errors are logged; a missed round only delays the next move)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.balance(connection)
            except Exception:
                log.exception("shard balancing failed")

    async def balance(self, connection: AbstractRobustConnection) -> list[int]:
        """Release this round's excess shards; returns their indexes."""
        live = await self.heartbeats.live(LIVE_SECONDS)
        active = [i for i, c in enumerate(self.consumers) if c.active_within(ACTIVE_SECONDS)]
        released = []
        for index in to_release(active, len(self.consumers), live):
            consumer = self.consumers[index]
            if await _consumers_on(connection, consumer.queue_name) > 1:
                consumer.release()
                released.append(index)
        if released:
            log.info("releasing shards", shards=released, active=len(active), live=live)
        return released


async def _consumers_on(connection: AbstractRobustConnection, queue: str) -> int:
    """How many consumers (active and waiting) the queue has; a channel of its own each time (a
    robust channel answers a repeated passive declare from what it remembers)."""
    channel = await connection.channel()
    try:
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.consumer_count or 0)
    finally:
        await channel.close()
