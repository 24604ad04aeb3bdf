"""The composition root: builds clients, stores and consumers from settings (nothing at import time)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection
from pymongo import AsyncMongoClient

from .consumer import ShardConsumer
from .event_log import PostgresEventLog
from .gate import WriteGate
from .generations import GenerationRegistry
from .metrics import Metrics
from .mongo_store import MongoStore
from .outcomes import Patience
from .parking import ParkingLot
from .processor import BatchProcessor
from .projection import check_declarations
from .settings import Settings
from .status import StatusBoard
from .topology import declare

log = structlog.get_logger("projector")


@dataclass
class Components:
    """What every projector command works with."""

    settings: Settings
    client: AsyncMongoClient[dict[str, Any]]
    events: PostgresEventLog
    store: MongoStore
    registry: GenerationRegistry
    parking: ParkingLot
    status: StatusBoard

    @classmethod
    async def build(cls, settings: Settings) -> Components:
        check_declarations()  # an event type with no projection stops the start, before any I/O
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url, tz_aware=True)
        database = client[settings.mongodb_database]
        events = await PostgresEventLog.connect(settings.postgres_dsn)
        parts = cls(
            settings,
            client,
            events,
            MongoStore(database),
            GenerationRegistry(database),
            ParkingLot(database),
            StatusBoard(database),
        )
        await parts.registry.ensure_initial()
        await parts.parking.create_indexes()
        return parts

    async def close(self) -> None:
        await self.events.close()
        await self.client.close()


@dataclass
class Projector:
    """The running service: the components plus a broker connection, one consumer per shard and the
    process's metrics."""

    parts: Components
    metrics: Metrics = field(default_factory=Metrics)
    connection: AbstractRobustConnection | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    consumers: list[ShardConsumer] = field(default_factory=list)

    async def start(self) -> None:
        settings = self.parts.settings
        self.gate = WriteGate(self.parts.registry, self.parts.client[settings.mongodb_database])
        await self.gate.check()  # a process that starts during a rebuild switch waits, too
        self.tasks.append(asyncio.create_task(self.gate.run()))
        self.connection = await aio_pika.connect_robust(settings.rabbitmq_url)
        async with self.connection.channel() as channel:
            await declare(channel, settings.projector_shards)
        processor = BatchProcessor(
            self.parts.store,
            self.parts.registry,
            self.parts.events,
            self.parts.parking,
            self.parts.status,
            Patience(settings.projector_max_attempts, settings.projector_gap_wait_seconds),
            self.gate,
            settings.projector_max_document_bytes,
            self.metrics,
        )
        for index in range(settings.projector_shards):
            consumer = ShardConsumer(
                index,
                processor,
                self.parts.parking,
                self.gate,
                settings.projector_batch_size,
                settings.projector_batch_window_ms / 1000,
                self.metrics,
            )
            self.consumers.append(consumer)
            self.tasks.append(asyncio.create_task(self._supervise(consumer)))
        log.info("projector started", shards=settings.projector_shards)

    async def _supervise(self, consumer: ShardConsumer) -> None:
        """A consumer that stops on an unexpected error is started again (the consumer never dies)."""
        assert self.connection is not None
        while not consumer.stopping:
            try:
                await consumer.run(self.connection)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("shard consumer stopped; restarting", shard=consumer.shard)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Graceful: no new batch; the batches in progress finish and are acked (bounded by
        SHUTDOWN_TIMEOUT_SECONDS); then the channels close and the broker requeues every unacked
        message for the next consumer. A batch cut off by the bound is redelivered (writes are idempotent)."""
        log.info("shutdown.started")
        for consumer in self.consumers:
            consumer.stop()
        busy = [asyncio.create_task(consumer.idle.wait()) for consumer in self.consumers]
        if busy:
            _, late = await asyncio.wait(busy, timeout=self.parts.settings.shutdown_timeout_seconds / 2)
            for waiting in late:
                waiting.cancel()
            if late:
                log.warning("shutdown.batches_cut_off", shards=len(late))
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.connection is not None:
            await self.connection.close()
        await self.parts.close()
        log.info("shutdown.done")

    def broker_ready(self) -> bool:
        """Connected to RabbitMQ right now (a robust connection that is reconnecting is not)."""
        return self.connection is not None and self.connection.connected.is_set()
