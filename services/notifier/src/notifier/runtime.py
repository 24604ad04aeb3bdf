"""The running notifier and its composition root (`build_runtime`): the store, the channels, the
intakes and the dispatcher, from settings (nothing at import time)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection

from innkeeper_kit.garbage_collector import freeze_startup_heap
from innkeeper_kit.personal import GuestKeyReader
from innkeeper_kit.supervision import cancel_all, keep_running
from innkeeper_kit.tracing import shutdown_tracing, untraced

from .backoff import Backoff
from .dispatcher import Dispatcher
from .intake import ShardIntake
from .mail import MailChannel, MailComposer, SmtpSender
from .metrics import Metrics
from .plans import event_types_wanted
from .send_attempts import SendAttempts
from .settings import Settings
from .store import DeliveryStore
from .topology import declare
from .webhooks import WebhookSender

log = structlog.get_logger("notifier")
SWEEP_SECONDS = 3600.0


async def build_runtime(settings: Settings) -> Runtime:
    """The notifier, its store connected (and its schema created); `start` connects the rest."""
    store = await DeliveryStore.connect(settings.postgres_dsn, size=settings.notifier_concurrency + 4)
    return Runtime(settings, store)


@dataclass
class Runtime:
    """The running notifier: a broker connection, one intake per shard, one dispatcher."""

    settings: Settings
    store: DeliveryStore
    connection: AbstractRobustConnection | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    intakes: list[ShardIntake] = field(default_factory=list)
    thaw_collector: Callable[[], None] | None = None
    metrics: Metrics = field(default_factory=Metrics)

    async def start(self) -> None:
        # Draining a backlog, a full collection (about every second) walked the ~100 000 objects that
        # startup built: 30-130 ms during which no mail went out.
        self.thaw_collector = freeze_startup_heap()
        settings = self.settings
        self.webhooks = WebhookSender(settings.webhook_subscribers, settings.notifier_send_timeout_seconds)
        mail = MailChannel(
            MailComposer(settings.mail_from, settings.mail_domain),
            SmtpSender(settings.smtp_url, settings.notifier_send_timeout_seconds),
        )
        attempts = SendAttempts(
            self.store,
            {"mail": mail, "webhook": self.webhooks},
            Backoff(settings.notifier_retry_base_seconds, settings.notifier_retry_max_seconds),
            keys=GuestKeyReader(self.store.pool, settings.master_keys),
            max_attempts=settings.notifier_max_attempts,
            send_timeout=settings.notifier_send_timeout_seconds,
            lease_seconds=settings.notifier_lease_seconds,
            metrics=self.metrics,
        )
        self.dispatcher = Dispatcher(
            self.store,
            attempts,
            concurrency=settings.notifier_concurrency,
            lease_seconds=settings.notifier_lease_seconds,
            poll_seconds=settings.notifier_poll_seconds,
        )
        self.tasks.append(asyncio.create_task(untraced(self.dispatcher.run())))
        self.tasks.append(asyncio.create_task(untraced(self._sweep())))
        self.connection = await aio_pika.connect_robust(settings.rabbitmq_url)
        async with self.connection.channel() as channel:
            await declare(channel, settings.notifier_shards, event_types_wanted(settings.webhook_subscribers))
        for index in range(settings.notifier_shards):
            intake = ShardIntake(
                index, self.store, settings.webhook_subscribers, self.dispatcher.wake.set, self.metrics
            )
            self.intakes.append(intake)
            intaking = keep_running(intake, self.connection, log, "intake")
            self.tasks.append(asyncio.create_task(untraced(intaking)))  # its spans: `spans.py`
        subscribers = len(settings.webhook_subscribers)
        log.info("notifier started", shards=settings.notifier_shards, subscribers=subscribers)

    async def _sweep(self) -> None:
        """Hourly, the finished records past their retention go: the table does not grow without bound,
        and dead-lettered deliveries (their events hold a guest's data) do not stay for ever."""
        settings = self.settings
        while True:
            try:
                swept = await self.store.sweep(
                    settings.notifier_retention_days, settings.notifier_failed_retention_days
                )
                if swept:
                    log.info("swept finished records past their retention", records=swept)
            except Exception:
                log.exception("sweep failed; trying again in an hour")
            await asyncio.sleep(SWEEP_SECONDS)

    async def stop(self) -> None:
        """Graceful: take no new batch, let the sends in flight record their outcome, then close."""
        log.info("shutdown.started")
        for intake in self.intakes:
            intake.stop()
        await self.dispatcher.drain(self.settings.shutdown_timeout_seconds / 2)
        await cancel_all(self.tasks)
        if self.connection is not None:
            await self.connection.close()
        await self.webhooks.close()
        await self.store.close()
        if self.thaw_collector is not None:
            self.thaw_collector()
        log.info("shutdown.done")
        shutdown_tracing()  # the spans still buffered are exported before the process ends

    def broker_ready(self) -> bool:
        """Connected to RabbitMQ right now (a robust connection that is reconnecting is not)."""
        return self.connection is not None and self.connection.connected.is_set()
