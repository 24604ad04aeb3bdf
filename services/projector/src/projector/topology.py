"""The projector's part of RabbitMQ: a consistent-hash exchange and N single-active-consumer shards.

Needs the `rabbitmq_consistent_hash_exchange` plugin (enabled by docker compose and CI).
"""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel

from innkeeper_contracts.topology import EVENTS_EXCHANGE, PARTITION_KEY_HEADER

HASH_EXCHANGE = "innkeeper.projector.hash"
"""Routes each event to one shard by the hash of its `x-partition-key` (the hotel id)."""


def shard_queue(index: int) -> str:
    return f"innkeeper.projector.shard.{index}"


async def declare(channel: AbstractChannel, shards: int) -> None:
    """Declare (idempotently) the events exchange, the hash exchange and the shard queues."""
    events = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    hashing = await channel.declare_exchange(
        HASH_EXCHANGE, "x-consistent-hash", durable=True, arguments={"hash-header": PARTITION_KEY_HEADER}
    )
    await hashing.bind(events, routing_key="#")
    for index in range(shards):
        queue = await channel.declare_queue(
            shard_queue(index), durable=True, arguments={"x-single-active-consumer": True}
        )
        await queue.bind(hashing, routing_key="1")  # the weight of the shard on the hash ring
