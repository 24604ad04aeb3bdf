"""Shard consumers: each takes what its queue holds (up to a batch), records the deliveries the events
ask for, then acks. Recording is idempotent (one row per event, channel and recipient), so an event
delivered again — a redelivery after a crash, a republish by the relay — adds nothing.

An event logged at an older schema version is lifted to the current one (`innkeeper_contracts.upcasting`)
before anything reads it. A message that is not a valid event (data newer than this notifier knows
included) is dead-lettered with its reason; a store that is down is waited for with the batch unacked
(nothing is lost, the shard waits: order per hotel is kept).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.envelope import UnknownEventTypeError
from innkeeper_contracts.topology import REJECTION_REASON_HEADER
from innkeeper_contracts.upcasting import SchemaVersionError

from .metrics import METRICS
from .plans import PlannedDelivery, deliveries_for
from .settings import WebhookSubscriber
from .store import DeliveryStore
from .topology import DEAD_LETTER_EXCHANGE, shard_queue

log = structlog.get_logger("notifier.intake")
BATCH = 50
"""Events taken (and prefetched) at once: small, because every message held unacked when a channel dies
counts one delivery towards the queue's delivery limit."""
MAX_EVENT_BYTES = 1_048_576
"""An event message larger than this is dead-lettered without its body: no event of the contracts
comes near it, and the notifier will not hold it."""


class ChannelLostError(Exception):
    """The channel a batch came on is gone: its unacked messages return to the queue; start afresh."""


class ShardIntake:
    """Consumes one shard queue (single active consumer: one replica at a time, in order).

    Each run has its own channel and inbox; a batch is recorded, its invalid messages dead-lettered,
    then it is acked, or else the run ends and its channel closes, so that nothing it held is acked
    unrecorded: the broker hands every unacked message to the next run, which records nothing twice."""

    def __init__(
        self,
        index: int,
        store: DeliveryStore,
        subscribers: Sequence[WebhookSubscriber],
        recorded: Callable[[], None],
    ) -> None:
        self.shard = shard_queue(index)
        self.store, self.subscribers, self.recorded = store, subscribers, recorded
        self.stopping = False

    async def run(self, connection: AbstractRobustConnection) -> None:
        inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        channel = await connection.channel()
        try:
            await channel.set_qos(prefetch_count=BATCH)
            queue = await channel.get_queue(self.shard)
            await queue.consume(inbox.put)
            while True:
                batch = [await inbox.get()]
                while len(batch) < BATCH and not inbox.empty():
                    batch.append(inbox.get_nowait())
                if self.stopping:  # unacked: the broker gives them to the next consumer
                    return
                await self._take(channel, batch)
        finally:
            await _close(channel)

    def stop(self) -> None:
        self.stopping = True

    async def _take(self, channel: AbstractChannel, batch: list[AbstractIncomingMessage]) -> None:
        planned: list[tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]] = []
        rejected: list[tuple[AbstractIncomingMessage, str]] = []
        for message in batch:
            try:
                envelope, deliveries = read_event(message.body, self.subscribers)
            except ValueError as error:  # so are ValidationError, UnknownEventTypeError, SchemaVersionError
                rejected.append((message, rejection_reason(error)))
                continue
            planned.append((message, envelope, deliveries))
        rejected += await self._record(planned)
        try:
            for message, reason in rejected:
                await _dead_letter(channel, message, reason)
                log.warning(
                    "dead-lettered a message that is not a valid event", shard=self.shard, reason=reason
                )
            await batch[-1].ack(multiple=True)
        except Exception as error:
            raise ChannelLostError(f"{self.shard}: {error!r}") from error
        METRICS.dead_lettered.inc(len(rejected))
        for _, envelope, _ in planned:
            METRICS.events.labels(envelope.event_type).inc()
        if planned:
            self.recorded()

    async def _record(
        self, planned: list[tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]]
    ) -> list[tuple[AbstractIncomingMessage, str]]:
        """Record the batch's deliveries, waiting out a database that is away. Data PostgreSQL refuses
        (no retry would change it) is narrowed down to its messages, which are returned to be
        dead-lettered; the rest is recorded."""
        pause, refused = 0.2, []
        while True:
            try:
                try:
                    self._count(await self.store.record(_rows(planned)))
                except asyncpg.DataError:
                    for item in planned:
                        try:
                            self._count(await self.store.record(_rows([item])))
                        except asyncpg.DataError as error:
                            refused.append((item[0], f"refused by the delivery store: {error}"))
                return refused
            except Exception:
                log.exception("recording failed; keeping the batch and trying again", shard=self.shard)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    @staticmethod
    def _count(recorded: list[tuple[str, str]]) -> None:
        for channel_name, state in recorded:
            if state == "failed":
                METRICS.deliveries.labels(channel_name, "undeliverable").inc()


def read_event(
    body: bytes, subscribers: Sequence[WebhookSubscriber]
) -> tuple[EventEnvelope, list[PlannedDelivery]]:
    """The event of a message, at the current schema version, and the deliveries it asks for; raises
    ValueError when it is not a valid event."""
    if len(body) > MAX_EVENT_BYTES:
        raise ValueError(f"message of {len(body)} bytes, over {MAX_EVENT_BYTES}")
    # Kept and forwarded (webhooks) at the current schema version: a subscriber gets one shape of an
    # event, whenever it was logged. Data newer than this notifier knows is refused, not misread.
    envelope = EventEnvelope.model_validate_json(body).upcast()
    envelope.event()  # the data too, whatever the channel: the contracts' text rule keeps out NUL
    return envelope, deliveries_for(envelope, subscribers)


def _rows(
    planned: list[tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]],
) -> list[tuple[EventEnvelope, PlannedDelivery]]:
    return [(envelope, delivery) for _, envelope, deliveries in planned for delivery in deliveries]


async def _close(channel: AbstractChannel) -> None:
    try:
        await channel.close()
    except Exception:  # already closed with its connection
        log.debug("channel already closed")


def rejection_reason(error: ValueError) -> str:
    """The reason a dead letter carries."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        return f"invalid event: {error.error_count()} error(s), first at {where or 'body'}: {first['msg']}"
    if isinstance(error, UnknownEventTypeError | SchemaVersionError):
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
