"""Shard consumers: each takes what its queue holds (up to a batch), records the deliveries the events
ask for, then acks. Recording is idempotent (one row per event, channel and recipient), so an event
delivered again — a redelivery after a crash, a republish by the relay — adds nothing.

An event logged at an older schema version is lifted to the current one (`innkeeper_contracts.upcasting`)
before anything reads it. A message that is not a valid event (data newer than this notifier knows
included) is dead-lettered with its reason; a store that is down is waited for with the batch unacked
(nothing is lost, the shard waits: order per hotel is kept). Personal data is recorded as it comes
(sealed); a `GuestDataErased` cancels the guest's open deliveries once the batch's own are recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from innkeeper_contracts import EventEnvelope

from .erasures import erasures_in
from .event_messages import dead_letter, read_event, rejection_reason
from .metrics import Metrics
from .plans import PlannedDelivery
from .settings import WebhookSubscriber
from .spans import end_all, intake_spans
from .store import DeliveryStore
from .topology import shard_queue

log = structlog.get_logger("notifier.intake")
BATCH = 50
"""Events taken (and prefetched) at once: small, because every message held unacked when a channel dies
counts one delivery towards the queue's delivery limit."""


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
        metrics: Metrics,
    ) -> None:
        self.shard = shard_queue(index)
        self.store, self.subscribers, self.recorded, self.metrics = store, subscribers, recorded, metrics
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
        planned, spans = intake_spans(self.shard, planned)  # no spans, `planned` as it was: tracing off
        try:
            rejected += await self._record(planned)
            for message, reason in rejected:
                await dead_letter(channel, message, reason)
                log.warning(
                    "dead-lettered a message that is not a valid event", shard=self.shard, reason=reason
                )
            await batch[-1].ack(multiple=True)
        except Exception as error:
            raise ChannelLostError(f"{self.shard}: {error!r}") from error
        finally:
            end_all(spans)
        self.metrics.dead_lettered.inc(len(rejected))
        for _, envelope, _ in planned:
            self.metrics.events.labels(envelope.event_type).inc()
        if planned:
            self.recorded()

    async def _record(
        self, planned: list[tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]]
    ) -> list[tuple[AbstractIncomingMessage, str]]:
        """Record the batch's deliveries, waiting out a database that is away. Data PostgreSQL refuses
        (no retry would change it) is narrowed down to its messages, which are returned to be
        dead-lettered; the rest is recorded. Then the batch's erasures cancel what they name."""
        pause = 0.2
        while True:
            refused: list[tuple[AbstractIncomingMessage, str]] = []
            try:
                try:
                    self._count(await self.store.record(_rows(planned)))
                except asyncpg.DataError:
                    for item in planned:
                        try:
                            self._count(await self.store.record(_rows([item])))
                        except asyncpg.DataError as error:
                            refused.append((item[0], f"refused by the delivery store: {error}"))
                cancelled = await self.store.forget(erasures_in(envelope for _, envelope, _ in planned))
                for channel_name in cancelled:
                    self.metrics.deliveries.labels(channel_name, "cancelled").inc()
                return refused
            except Exception:
                log.exception("recording failed; keeping the batch and trying again", shard=self.shard)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    def _count(self, recorded: list[tuple[str, str]]) -> None:
        for channel_name, state in recorded:
            if state == "failed":
                self.metrics.deliveries.labels(channel_name, "undeliverable").inc()


def _rows(
    planned: list[tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]],
) -> list[tuple[EventEnvelope, PlannedDelivery]]:
    return [(envelope, delivery) for _, envelope, deliveries in planned for delivery in deliveries]


async def _close(channel: AbstractChannel) -> None:
    try:
        await channel.close()
    except Exception:  # already closed with its connection
        log.debug("channel already closed")
