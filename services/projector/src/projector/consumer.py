"""Shard consumers: take a short window of deliveries, apply them as one batch, then ack them all.

Every shard queue has `x-single-active-consumer`, so however many processes consume, one applies a
shard at a time, in order; the others wait in line as hot standbys and take over when it goes away.
A consumer the balancer (`balance.py`) asks to `release` its shard finishes its batch, closes its
channel (the broker requeues the rest, in order, for the next in line) and subscribes again at the back.
"""

from __future__ import annotations

import asyncio

import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from innkeeper_contracts import EventEnvelope
from innkeeper_kit import failpoints

from .deliveries import envelope_of
from .failures import Failures
from .inbox import Inbox
from .metrics import Metrics
from .ports import ParkingLot
from .rebuild_pause import RebuildPause
from .spans import BatchSpans, applying
from .topology import shard_queue
from .writer import BatchWriter

log = structlog.get_logger("projector.consumer")


class ShardConsumer:
    """Consumes one shard queue in batches of up to `batch_size` (what is queued, gathered for at most
    `window`)."""

    def __init__(
        self,
        index: int,
        writer: BatchWriter,
        parking: ParkingLot,
        pause: RebuildPause,
        failures: Failures,
        batch_size: int,
        window: float,
        metrics: Metrics | None = None,
        linger: float = 0.001,
    ) -> None:
        self.shard = f"shard-{index}"
        self.queue_name = shard_queue(index)
        self.writer, self.parking, self.pause, self.failures = writer, parking, pause, failures
        self.batch_size, self.window, self.linger = batch_size, window, linger
        self.metrics = metrics or Metrics()
        self.inbox = Inbox()  # a new one with each subscription
        self.idle = asyncio.Event()
        self.idle.set()
        self.stopping = False

    async def run(self, connection: AbstractRobustConnection) -> None:
        """Consume until stopped or released (then `keep_running` calls it again: back of the line)."""
        self.inbox = Inbox()
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.batch_size * 2)
        queue = await channel.get_queue(self.queue_name)
        await queue.consume(self._deliver)
        while True:
            first = await self.inbox.next()
            if first is None or self.stopping:  # unacked: the next consumer gets it when the channel closes
                break
            self.idle.clear()
            await self.pause.enter()  # held while a rebuild switches generations
            try:
                await self._handle(await self._fill(first))
            finally:
                self.pause.leave()
                self.idle.set()
        if self.inbox.closed:
            await channel.close()  # hands the shard to the next in line

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        self.inbox.put(message)

    def stop(self) -> None:
        """Take no new batch; the one in progress finishes (and is acked) — see `Runtime.stop`."""
        self.stopping = True

    def release(self) -> None:
        """Take no new batch; after the one in progress, let the shard go and queue up again."""
        self.inbox.close()

    def active_within(self, seconds: float) -> bool:
        """Whether the broker delivered to this consumer within `seconds` (so it is the active one)."""
        return self.inbox.delivered_within(seconds)

    async def _fill(self, first: AbstractIncomingMessage) -> list[AbstractIncomingMessage]:
        return await self.inbox.fill(first, self.batch_size, self.window, self.linger)

    async def _handle(self, batch: list[AbstractIncomingMessage]) -> None:
        envelopes, malformed = [], []
        for message in batch:
            parsed = envelope_of(message.body)
            if isinstance(parsed, EventEnvelope):
                envelopes.append(parsed)
            else:
                malformed.append((message, parsed))
        spans = BatchSpans.open(self.shard, batch, envelopes, malformed)  # None: tracing is off
        delay = 0.2
        while True:
            try:
                for message, reason in malformed:
                    log.warning("dead-lettering a malformed message", shard=self.shard, reason=reason)
                    await self.parking.park_malformed(message.body, reason, self.shard, message.message_id)
                if envelopes:
                    await self._apply(envelopes, spans)
                break
            except Exception:  # the infrastructure's (see `_apply`): keep the batch, try again, never die
                log.exception("batch failed, retrying", shard=self.shard, size=len(batch))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        if spans is not None:
            spans.end()
        self.metrics.malformed.inc(len(malformed))
        failpoints.reach(failpoints.PROJECTOR_AFTER_WRITE_BEFORE_ACK)
        try:
            await batch[-1].ack(multiple=True)
        except Exception:  # the channel is gone: the broker redelivers the batch, which is harmless
            log.warning("ack failed; the batch will be redelivered", shard=self.shard)

    async def _apply(
        self, envelopes: list[EventEnvelope], spans: BatchSpans | None = None, tries: int = 1
    ) -> None:
        """Apply the batch. An error that is not the infrastructure's (which `_handle` retries) is
        narrowed down to its event by applying the events one at a time; that event is parked with the
        error (and its `tries`: each event of a narrowed batch has its second), and the rest of the
        shard moves on."""
        try:
            with applying(spans):
                await self.writer.write(self.shard, envelopes, spans)
        except Exception as error:
            if self.failures.is_infrastructure(error):
                raise
            if len(envelopes) > 1:
                log.warning(
                    "batch failed; applying its events one at a time", shard=self.shard, error=repr(error)
                )
                for envelope in envelopes:
                    await self._apply([envelope], spans, tries + 1)
                return
            log.exception("parking an event that cannot be applied", shard=self.shard)
            reason = f"cannot be applied: {type(error).__name__}: {error}"
            headers = spans.headers if spans is not None else None  # a retry sends the header again
            await self.parking.park([(envelopes[0], "failed", reason)], self.shard, tries, headers)
            self.metrics.parked.inc()
            if spans is not None:
                spans.parked(envelopes[0], reason)
