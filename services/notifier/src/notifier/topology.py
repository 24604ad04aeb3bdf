"""The notifier's part of RabbitMQ: a consistent-hash exchange bound to the events it delivers, and N
single-active-consumer quorum shard queues, so each hotel's events arrive in order however many
replicas run. What is not a valid event is dead-lettered: by the intake with its reason in
`x-rejection-reason`, or by the broker after `DELIVERY_LIMIT` deliveries (a message that kills the
process every time). Needs the `rabbitmq_consistent_hash_exchange` plugin, like the projector.
"""

from __future__ import annotations

from collections.abc import Iterable

import aio_pika
from aio_pika.abc import AbstractChannel

from innkeeper_contracts.envelope import event_class
from innkeeper_contracts.topology import EVENTS_EXCHANGE, PARTITION_KEY_HEADER

HASH_EXCHANGE = "innkeeper.notifier.hash"
DEAD_LETTER_EXCHANGE = "innkeeper.notifier.dlx"
DEAD_LETTER_QUEUE = "innkeeper.notifier.dead-letter"
DELIVERY_LIMIT = 50
DEAD_LETTERS_MAX = 10_000
DEAD_LETTERS_TTL_MS = 14 * 24 * 3600 * 1000


def shard_queue(index: int) -> str:
    return f"innkeeper.notifier.shard.{index}"


async def declare(channel: AbstractChannel, shards: int, event_types: Iterable[str]) -> None:
    """Declare (idempotently) the exchanges, the shard queues and the dead-letter queue; bind the hash
    exchange to the routing key of every event type the notifier consumes."""
    events = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    hashing = await channel.declare_exchange(
        HASH_EXCHANGE, "x-consistent-hash", durable=True, arguments={"hash-header": PARTITION_KEY_HEADER}
    )
    for event_type in sorted(event_types):
        await hashing.bind(events, routing_key=event_class(event_type).routing_key())
    dead = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True)
    letters = await channel.declare_queue(
        DEAD_LETTER_QUEUE,
        durable=True,
        arguments={"x-max-length": DEAD_LETTERS_MAX, "x-message-ttl": DEAD_LETTERS_TTL_MS},
    )
    await letters.bind(dead)
    for index in range(shards):
        queue = await channel.declare_queue(
            shard_queue(index),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-single-active-consumer": True,
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            },
        )
        await queue.bind(hashing, routing_key="1")  # the weight of the shard on the hash ring
