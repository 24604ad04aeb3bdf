"""The running service: its pool, mediator, relay and AMQP intake, started and stopped together.

Start-up never waits for RabbitMQ (commands are accepted and wait in the outbox) and survives
PostgreSQL being down (commands are answered 503 until the schema is migrated).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from command_service.adapters.event_publisher import AmqpEventPublisher
from command_service.adapters.idempotency_store import PostgresIdempotencyStore
from command_service.adapters.intake_connection import IntakeConnection
from command_service.adapters.migrations import migrate
from command_service.adapters.outbox_relay import OutboxRelay
from command_service.application.mediator import Mediator
from command_service.application.ports import ServiceUnavailableError
from command_service.application.requests import CommandRequest, Outcome
from command_service.metrics import Metrics
from command_service.settings import Settings

log = structlog.get_logger("command_service.runtime")
RETRY_DELAY = 2.0
FORGET_EVERY = 60.0
"""Seconds between sweeps of expired idempotency keys (a lookup ignores them already)."""
_OUTBOX_SAMPLE = """
SELECT count(*) AS depth,
       coalesce((SELECT extract(epoch FROM now() - e.occurred_at) FROM events e
                 WHERE e.global_position = (SELECT min(global_position) FROM outbox)), 0)::float8 AS age
FROM outbox
"""


@dataclass
class Runtime:
    """Components built by the composition root (`bootstrap`), with their life cycle."""

    settings: Settings
    pool: asyncpg.Pool
    mediator: Mediator
    metrics: Metrics = field(default_factory=Metrics)
    intake: IntakeConnection | None = None
    publisher: AmqpEventPublisher | None = None
    relay: OutboxRelay | None = None
    idempotency: PostgresIdempotencyStore | None = None
    schema_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _relay_task: asyncio.Task[None] | None = None
    _intake_task: asyncio.Task[None] | None = None

    async def send(self, request: CommandRequest) -> Outcome:
        if not self.schema_ready.is_set():
            raise ServiceUnavailableError("the write model is not migrated yet (PostgreSQL unreachable?)")
        return await self.mediator.send(request)

    async def start(self) -> None:
        if self.settings.migrate_on_start:
            # Migrate before serving when PostgreSQL is up; otherwise keep trying in the background.
            if not await self._migrate_once():
                self._spawn(self._migrate_until_done())
        else:
            self.schema_ready.set()
        if self.relay is not None:
            self._relay_task = asyncio.create_task(self._after_schema(self.relay.run))
        if (keys := self.idempotency) is not None:
            every = min(FORGET_EVERY, float(self.settings.idempotency_retention_seconds))
            self._spawn(self._after_schema(lambda: keys.forget_expired_forever(every)))
        if self.intake is not None:
            self._intake_task = asyncio.create_task(self._after_schema(self.intake.start))

    async def stop(self) -> None:
        """Within SHUTDOWN_TIMEOUT_SECONDS: the intake stops taking messages (in-flight ones finish or
        go back to the queue), the relay settles the round in flight (confirms awaited, rows deleted),
        then the connections close. Anything unfinished stays in the queue or the outbox."""
        # Half of the bound went to uvicorn's in-flight requests; a sixth each to the intake's in-flight
        # messages (the broker's graceful timeout), the relay's round and the pool.
        share = self.settings.shutdown_timeout_seconds / 6
        log.info("shutdown.started")
        # The intake first (even half-started: its connection must not linger), then the rest.
        if self._intake_task is not None:
            self._intake_task.cancel()
            await asyncio.gather(self._intake_task, return_exceptions=True)
        if self.intake is not None:
            await self.intake.stop()
        if self.relay is not None:
            await self.relay.drain(share)
        tasks = [*self._tasks, *([self._relay_task] if self._relay_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.publisher is not None:
            with contextlib.suppress(Exception):
                await self.publisher.close()
        try:
            await asyncio.wait_for(self.pool.close(), share)
        except TimeoutError:  # a connection still busy: do not hang the shutdown on it
            log.warning("shutdown.pool_terminated")
            self.pool.terminate()
        log.info("shutdown.done")

    async def sample_outbox(self) -> tuple[int, float]:
        """How many events wait in the outbox and how old the oldest is (seconds); cheap, on scrape."""
        async with asyncio.timeout(2):  # a pool with no connection free must not hold the scrape
            row = await self.pool.fetchrow(_OUTBOX_SAMPLE)
        assert row is not None
        return int(row["depth"]), float(row["age"])

    async def readiness(self) -> dict[str, str]:
        try:
            async with asyncio.timeout(2):  # a pool with no connection free must not hold the probe
                await self.pool.fetchval("SELECT 1")
            postgres = "up"
        except Exception:
            postgres = "down"
        rabbitmq = "down" if self.intake is None else await self.intake.state()
        schema = "up" if self.schema_ready.is_set() else "down"
        return {"postgres": postgres, "schema": schema, "rabbitmq": rabbitmq}

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(work))

    async def _migrate_once(self) -> bool:
        try:
            async with self.pool.acquire() as connection:
                await migrate(connection)
        except Exception as error:
            log.warning("migrations.waiting", error=repr(error))
            return False
        self.schema_ready.set()
        return True

    async def _migrate_until_done(self) -> None:
        for attempt in itertools.count(1):
            await asyncio.sleep(RETRY_DELAY)
            if await self._migrate_once():
                log.info("migrations.done", attempt=attempt)
                return

    async def _after_schema(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        await self.schema_ready.wait()
        await work()
