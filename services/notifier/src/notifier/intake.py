"""Shard consumers: each takes what its queue holds (up to a batch), records the deliveries the events
ask for, then acks. Recording is idempotent (one row per event, channel and recipient), so an event
delivered again — a redelivery after a crash, a republish by the relay — adds nothing.

A message that is not a valid event is dead-lettered with its reason; a store that is down is waited
for with the batch unacked (nothing is lost, the shard waits: order per hotel is kept).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.envelope import UnknownEventTypeError
from innkeeper_contracts.topology import REJECTION_REASON_HEADER

from .metrics import METRICS
from .plans import PlannedDelivery, deliveries_for
from .settings import WebhookSubscriber
from .store import DeliveryStore
from .topology import DEAD_LETTER_EXCHANGE, shard_queue

log = structlog.get_logger("notifier.intake")
BATCH = 100
MAX_EVENT_BYTES = 1_048_576
"""An event message larger than this is dead-lettered without its body: no event of the contracts
comes near it, and the notifier will not hold it."""


class ShardIntake:
    """Consumes one shard queue (single active consumer: one replica at a time, in order)."""

    def __init__(
        self,
        index: int,
        store: DeliveryStore,
        subscribers: Sequence[WebhookSubscriber],
        recorded: Callable[[], None],
    ) -> None:
        self.shard = shard_queue(index)
        self.store, self.subscribers, self.recorded = store, subscribers, recorded
        self.inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.stopping = False

    async def run(self, connection: AbstractRobustConnection) -> None:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=BATCH * 2)
        queue = await channel.get_queue(self.shard)
        await queue.consume(self.inbox.put)
        while True:
            batch = [await self.inbox.get()]
            while len(batch) < BATCH and not self.inbox.empty():
                batch.append(self.inbox.get_nowait())
            if self.stopping:  # unacked: the broker gives them to the next consumer
                break
            await self._take(channel, batch)

    def stop(self) -> None:
        self.stopping = True

    async def _take(self, channel: AbstractChannel, batch: list[AbstractIncomingMessage]) -> None:
        planned: list[tuple[EventEnvelope, PlannedDelivery]] = []
        rejected: list[tuple[AbstractIncomingMessage, str]] = []
        for message in batch:
            try:
                envelope, deliveries = self._plan(message.body)
            except ValueError as error:  # ValidationError and UnknownEventTypeError are ValueErrors
                rejected.append((message, _reason(error)))
                continue
            METRICS.events.labels(envelope.event_type).inc()
            planned += [(envelope, delivery) for delivery in deliveries]
        try:
            for message, reason in rejected:
                await _dead_letter(channel, message, reason)
        except Exception:  # the channel is gone: the batch is redelivered on the next one
            log.exception("dead-lettering failed; the batch will be redelivered", shard=self.shard)
            return
        pause = 0.2
        while True:
            try:
                for channel_name, state in await self.store.record(planned):
                    if state == "failed":
                        METRICS.deliveries.labels(channel_name, "undeliverable").inc()
                break
            except Exception:
                log.exception("recording failed; keeping the batch and trying again", shard=self.shard)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
        for _, reason in rejected:
            log.warning("dead-lettered a message that is not a valid event", shard=self.shard, reason=reason)
        METRICS.dead_lettered.inc(len(rejected))
        try:
            await batch[-1].ack(multiple=True)
        except Exception:  # the channel is gone: the broker redelivers the batch, which records nothing new
            log.warning("ack failed; the batch will be redelivered", shard=self.shard)
        if planned:
            self.recorded()

    def _plan(self, body: bytes) -> tuple[EventEnvelope, list[PlannedDelivery]]:
        if len(body) > MAX_EVENT_BYTES:
            raise ValueError(f"message of {len(body)} bytes, over {MAX_EVENT_BYTES}")
        envelope = EventEnvelope.model_validate_json(body)
        return envelope, deliveries_for(envelope, self.subscribers)


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        return f"invalid event: {error.error_count()} error(s), first at {where or 'body'}: {first['msg']}"
    if isinstance(error, UnknownEventTypeError):
        return str(error)
    return f"invalid event: {error}"


async def _dead_letter(channel: AbstractChannel, message: AbstractIncomingMessage, reason: str) -> None:
    exchange = await channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
    body = message.body if len(message.body) <= MAX_EVENT_BYTES else b""
    letter = aio_pika.Message(
        body,
        message_id=message.message_id,
        content_type=message.content_type,
        headers={REJECTION_REASON_HEADER: reason[:1000], "x-original-routing-key": message.routing_key or ""},
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await exchange.publish(letter, routing_key="")
