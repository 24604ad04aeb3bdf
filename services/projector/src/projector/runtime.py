"""The running projector: its event log and read store, and when serving its shard consumers, started
and stopped together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection

from innkeeper_kit.garbage_collector import freeze_startup_heap
from innkeeper_kit.supervision import cancel_all, keep_running
from innkeeper_kit.tracing import shutdown_tracing, untraced

from .balance import ShardBalancer
from .consumer import ShardConsumer
from .event_log import PostgresEventLog
from .failures import Failures
from .metrics import Metrics
from .parked_retention import ParkedRetention
from .ports import KeyStore, NoKeyStore, ReadStore
from .rebuild_pause import RebuildPause
from .reconcile import Reconciler
from .retries import Patience
from .settings import Settings
from .shutdown import Deadline
from .store_watch import StoreWatch
from .topology import declare
from .writer import BatchWriter

log = structlog.get_logger("projector")


@dataclass
class Runtime:
    """What the composition root (`bootstrap`) built: the settings, the event log and the read store,
    which every operator tool uses; serving adds the rebuild pause, a broker connection and one
    consumer per shard, and counts in the process's metrics. Every path that applies events (live,
    reconcile, rebuild, verify) reveals personal texts with `keys`."""

    settings: Settings
    events: PostgresEventLog
    store: ReadStore
    failures: Failures
    keys: KeyStore = field(default_factory=NoKeyStore)
    """The guests' data keys (`guest_keys` in the event log's database)."""
    metrics: Metrics = field(default_factory=Metrics)
    connection: AbstractRobustConnection | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    consumers: list[ShardConsumer] = field(default_factory=list)
    thaw_collector: Callable[[], None] | None = None
    reconciler: Reconciler | None = None

    async def start(self) -> None:
        # Draining a backlog, a full collection (every 2-4 s) walked the ~190 000 objects startup built:
        # 36-145 ms during which no shard applied anything.
        self.thaw_collector = freeze_startup_heap()
        settings, store = self.settings, self.store
        pause = RebuildPause(store.generations, store.heartbeats)
        await pause.check()  # a process that starts during a rebuild switch waits, too
        self.tasks.append(asyncio.create_task(untraced(pause.run())))
        self.connection = await aio_pika.connect_robust(settings.rabbitmq_url)
        async with self.connection.channel() as channel:
            await declare(channel, settings.projector_shards)
        writer = BatchWriter(
            store,
            self.events,
            Patience(settings.projector_max_attempts, settings.projector_gap_wait_seconds),
            pause,
            settings.projector_max_document_bytes,
            self.metrics,
            self.keys,
        )
        for index in range(settings.projector_shards):
            consumer = ShardConsumer(
                index,
                writer,
                store.parking,
                pause,
                self.failures,
                settings.projector_batch_size,
                settings.projector_batch_window_ms / 1000,
                self.metrics,
            )
            self.consumers.append(consumer)
            self.tasks.append(asyncio.create_task(keep_running(consumer, self.connection, log, "consumer")))
        self._reconcile(writer, pause)
        retention = ParkedRetention(store.parking, settings.projector_parked_retention_days)
        self.tasks.append(asyncio.create_task(untraced(retention.run())))
        if settings.projector_balance_shards:
            balancer = ShardBalancer(self.consumers, store.heartbeats)
            self.tasks.append(asyncio.create_task(untraced(balancer.run(self.connection))))
        log.info("projector started", shards=settings.projector_shards)

    def _reconcile(self, writer: BatchWriter, pause: RebuildPause) -> None:
        """Reconcile the store with the log now, and again whenever the store may have lost writes."""
        settings = self.settings
        self.reconciler = Reconciler(
            self.store,
            self.events,
            writer,
            pause,
            self.metrics,
            settings.projector_reconcile_grace_seconds,
            settings.projector_rebuild_chunk,
        )
        self.reconciler.request("start")
        watch = StoreWatch(self.store, writer, self.reconciler, self.failures)
        self.tasks.append(asyncio.create_task(untraced(self.reconciler.run())))
        self.tasks.append(asyncio.create_task(untraced(watch.run())))

    async def stop(self) -> None:
        """Graceful and bounded by SHUTDOWN_TIMEOUT_SECONDS whatever the broker or the store do: no new
        batch; the batches in progress get half the bound to finish and be acked; the rest is shared by
        cancelling the tasks (a batch cut off is not acked) and closing the broker connection, the event
        log and the store, each abandoned at the deadline (`shutdown.Deadline`). Whatever was not acked
        the broker redelivers to the next consumer (writes are idempotent)."""
        log.info("shutdown.started")
        deadline = Deadline(self.settings.shutdown_timeout_seconds)
        for consumer in self.consumers:
            consumer.stop()
        busy = [asyncio.create_task(consumer.idle.wait()) for consumer in self.consumers]
        if busy:
            _, late = await asyncio.wait(busy, timeout=self.settings.shutdown_timeout_seconds / 2)
            for waiting in late:
                waiting.cancel()
            if late:
                log.warning(
                    "shutdown.batches_cut_off", shards=len(late), reason="not applied in time; not acked"
                )
        await deadline.step("stop consumers", cancel_all(self.tasks))
        if self.connection is not None:
            await deadline.step("close broker connection", self.connection.close())
        await deadline.step("close event log", self.events.close())
        await deadline.step("close read store", self.store.connection.close())
        if self.thaw_collector is not None:
            self.thaw_collector()
        log.info("shutdown.done", abandoned=deadline.abandoned)
        shutdown_tracing()  # the spans still buffered are exported before the process ends

    async def close(self) -> None:
        """Close the event log and the read store (what every operator tool ends with)."""
        await self.events.close()
        await self.store.connection.close()

    def broker_ready(self) -> bool:
        """Connected to RabbitMQ right now (a robust connection that is reconnecting is not)."""
        return self.connection is not None and self.connection.connected.is_set()
