"""The composition root: builds every component from the settings. Nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel

from command_service.adapters.amqp_intake import CommandIntake
from command_service.adapters.amqp_reading import MessageLimits
from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import dead_letter_queue, register_intake
from command_service.adapters.booking_participants import PostgresBookingParticipants
from command_service.adapters.clock import SystemClock
from command_service.adapters.event_publisher import AmqpEventPublisher
from command_service.adapters.guest_keys import GuestKeyCache, GuestKeyring
from command_service.adapters.idempotency_store import PostgresIdempotencyStore
from command_service.adapters.intake_connection import IntakeConnection
from command_service.adapters.outbox_relay import OutboxRelay
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.unit_of_work import PostgresUnitOfWorkFactory, end_session_use
from command_service.application.access import AccessPolicy, AuthorizationBehaviour
from command_service.application.behaviours import (
    IdempotencyBehaviour,
    LoggingBehaviour,
    UnitOfWorkBehaviour,
    ValidationBehaviour,
)
from command_service.application.handlers import Handlers
from command_service.application.mediator import Behaviour, Mediator
from command_service.domain.clock import Clock
from command_service.domain.refunds import CancellationPolicy
from command_service.http.edge import install_http_edge
from command_service.logs import SERVICE_NAME, configure_logging, faststream_logger
from command_service.metrics import Metrics
from command_service.runtime import Runtime
from command_service.settings import Settings
from innkeeper_kit.auth.setup import token_verifier
from innkeeper_kit.personal import GuestKeyStore
from innkeeper_kit.tracing import configure_tracing, instrument_app, shutdown_tracing


def build_mediator(
    units: PostgresUnitOfWorkFactory, settings: Settings, metrics: Metrics | None = None
) -> Mediator:
    """The pipeline, on the pool and clock of `units`, which opens each command's unit of work."""
    pool, wait = units.pool, units.acquire_timeout  # for a pooled connection, at most
    handlers = Handlers(units.clock, CancellationPolicy(high_value_threshold=settings.high_value_threshold))
    grants = {subject: frozenset(commands) for subject, commands in settings.service_grants.items()}
    retention = settings.idempotency_retention_seconds
    behaviours: list[Behaviour] = [
        LoggingBehaviour(metrics),
        AuthorizationBehaviour(AccessPolicy(grants, PostgresBookingParticipants(pool, wait))),
        IdempotencyBehaviour(PostgresIdempotencyStore(pool, retention, wait)),
        ValidationBehaviour(handlers.checks_by_command()),
        UnitOfWorkBehaviour(units),
    ]
    return Mediator(handlers.by_command(), behaviours)


async def build_runtime(settings: Settings, clock: Clock) -> Runtime:
    # min_size=0: creating the pool does not connect, so the service starts while PostgreSQL is down.
    pool = await asyncpg.create_pool(
        settings.postgres_dsn,
        min_size=0,
        max_size=settings.postgres_pool_size,
        timeout=settings.postgres_connect_timeout,
        reset=end_session_use,
        server_settings=settings.postgres_session_bounds,  # migrations lift them (adapters/migrations)
    )
    publisher = relay = None
    metrics = Metrics()  # this app's registry: its /metrics
    if settings.relay_enabled:
        publisher = AmqpEventPublisher(settings.rabbitmq_url)
        relay = OutboxRelay(
            pool,
            publisher,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval,
            metrics=metrics,
        )
    # A commit wakes this replica's relay (why not NOTIFY: docs/architecture.md, "Outbox and relay").
    wake = relay.wake if relay else lambda: None
    keyring = GuestKeyring(GuestKeyStore(settings.master_keys), GuestKeyCache(settings.guest_key_cache_size))
    timeout = settings.postgres_acquire_timeout
    units = PostgresUnitOfWorkFactory(pool, clock, RoomTypeCache(), keyring, wake, timeout)
    mediator = build_mediator(units, settings, metrics)
    runtime = Runtime(settings, pool, mediator, metrics)
    runtime.idempotency = PostgresIdempotencyStore(
        pool, settings.idempotency_retention_seconds, settings.postgres_acquire_timeout
    )
    runtime.publisher, runtime.relay = publisher, relay
    if settings.amqp_intake_enabled:
        broker = RabbitBroker(
            settings.rabbitmq_url,
            default_channel=Channel(prefetch_count=settings.amqp_prefetch),
            graceful_timeout=settings.shutdown_timeout_seconds / 6,  # in-flight commands finish
            app_id="innkeeper-command-service",
            logger=faststream_logger(),
        )
        senders = AmqpSenders(settings.senders, settings.reply_to_prefix_list)
        limits = MessageLimits(settings.amqp_max_command_bytes, settings.amqp_max_header_bytes)
        intake = CommandIntake(broker, runtime.mediator, senders, limits=limits, metrics=metrics)
        register_intake(broker, intake)
        dead_letters = dead_letter_queue(
            settings.amqp_dead_letter_max_length,
            settings.amqp_dead_letter_max_bytes,
            settings.amqp_dead_letter_ttl_seconds,
        )
        runtime.intake = IntakeConnection(broker, intake, dead_letters)
    return runtime


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The ASGI app; its lifespan starts and stops the runtime."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(SERVICE_NAME)  # only with an OTLP endpoint: otherwise nothing is installed
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        runtime = await build_runtime(settings, clock)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            shutdown_tracing()  # the spans of the last requests and relay rounds are exported

    app = FastAPI(
        title="Innkeeper command service",
        version="0.1.0",
        summary="Commands that change Innkeeper: hotels, capacities, rates, bookings, cancellations.",
        lifespan=lifespan,
    )
    install_http_edge(app, settings, verifier)
    instrument_app(app)
    return app
