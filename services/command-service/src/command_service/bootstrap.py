"""The composition root: builds every component from the settings. Nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel

from command_service.adapters.amqp_intake import CommandIntake
from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import register_intake
from command_service.adapters.booking_participants import PostgresBookingParticipants
from command_service.adapters.clock import SystemClock
from command_service.adapters.event_publisher import AmqpEventPublisher
from command_service.adapters.idempotency_store import PostgresIdempotencyStore
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
from command_service.http.middleware import CorrelationIdMiddleware
from command_service.http.operations import ACCESS, operations
from command_service.http.problems import install_problem_handlers
from command_service.http.routes import commands
from command_service.logs import configure_logging, faststream_logger
from command_service.runtime import Runtime
from command_service.settings import Settings
from innkeeper_kit.auth.middleware import BearerAuthMiddleware
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.auth.setup import token_verifier


def build_mediator(
    pool: asyncpg.Pool, clock: Clock, settings: Settings, committed: Callable[[], None] = lambda: None
) -> Mediator:
    handlers = Handlers(clock, CancellationPolicy(high_value_threshold=settings.high_value_threshold))
    grants = {subject: frozenset(commands) for subject, commands in settings.service_grants.items()}
    behaviours: list[Behaviour] = [
        LoggingBehaviour(),
        AuthorizationBehaviour(AccessPolicy(grants, PostgresBookingParticipants(pool))),
        IdempotencyBehaviour(PostgresIdempotencyStore(pool, settings.idempotency_retention_seconds)),
        ValidationBehaviour(clock),
        UnitOfWorkBehaviour(PostgresUnitOfWorkFactory(pool, clock, RoomTypeCache(), committed)),
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
    )
    publisher = relay = None
    if settings.relay_enabled:
        publisher = AmqpEventPublisher(settings.rabbitmq_url)
        relay = OutboxRelay(
            pool,
            publisher,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval,
        )
    # A commit wakes this replica's relay (see outbox_relay: why not NOTIFY).
    mediator = build_mediator(pool, clock, settings, relay.wake if relay else lambda: None)
    runtime = Runtime(settings, pool, mediator)
    runtime.idempotency = PostgresIdempotencyStore(pool, settings.idempotency_retention_seconds)
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
        register_intake(broker, CommandIntake(broker, runtime.mediator, senders))
        runtime.broker = broker
    return runtime


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The ASGI app; its lifespan starts and stops the runtime."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    configure_logging(settings.log_level, settings.log_format)
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

    app = FastAPI(
        title="Innkeeper command service",
        version="0.1.0",
        summary="Commands that change Innkeeper: hotels, capacities, rates, bookings, cancellations.",
        lifespan=lifespan,
    )
    # The routers' routes go on the app itself: an included router (FastAPI 0.165) re-derives its
    # routes' effective context on every request (~50 us of a command's CPU here). The routes already
    # carry their router's tags and responses: the OpenAPI document is the same (make docs-check).
    app.router.routes.extend([*commands.routes, *operations.routes])
    install_problem_handlers(app)
    document_bearer_auth(app, ACCESS)
    # Middleware added later is outer: CORS wraps the token check, so a browser can read a 401 too; the
    # correlation id is bound before either runs.
    app.add_middleware(BearerAuthMiddleware, verifier=verifier, access=ACCESS)
    if settings.cors_origin_list:  # browsers on other origins may POST commands
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
            expose_headers=["X-Correlation-Id"],
            max_age=600,
        )
    app.add_middleware(CorrelationIdMiddleware)
    return app
