"""The outbox relay: publishes committed events in position order, deletes them after the confirm, in
rounds (`relay_round`), forever.

Every replica runs one; one relay at a time publishes a round, the others skip it. A crash anywhere
repeats a publish, never loses one. The unit of work wakes its own replica's relay right after a commit
that queued events (`wake`). A round that finds another replica's relay holding the turn tries again
soon (that relay may have read the outbox before this replica's commits), backing off to the poll,
which covers the rest. A failed round (broker or database away) backs off, capped and with jitter, and no
commit's wake cuts that pause short: during an outage every command would otherwise start a round. The
log says when publishing stops and when it resumes, not every failed round. Why not NOTIFY:
docs/architecture.md, "Outbox and relay".
"""

from __future__ import annotations

import asyncio
import contextlib
import random

import asyncpg
import structlog

from command_service.adapters.event_publisher import EventPublisher
from command_service.adapters.relay_round import publish_round
from command_service.metrics import Metrics
from innkeeper_kit.tracing import untraced_drivers

TURN_RETRY = 0.005
"""First pause after a round found the turn held elsewhere; it doubles up to the poll interval."""
FAILURE_PAUSE = 0.5
"""Longest first pause after a failed round (seconds); it doubles with each failure in a row."""
MAX_FAILURE_PAUSE = 10.0
"""The longest pause between failed rounds; each pause is a random part (half to all) of its bound."""

log = structlog.get_logger("command_service.relay")


class OutboxRelay:
    """Moves events from the outbox to RabbitMQ, forever, surviving either side being down."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: EventPublisher,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        metrics: Metrics | None = None,
    ) -> None:
        self._pool, self._publisher, self._metrics = pool, publisher, metrics or Metrics()
        self._batch_size, self._poll_interval = batch_size, poll_interval
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()  # a drain request: ends a failure's pause, which wakes do not
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False

    def wake(self) -> None:
        """Events were committed: publish them now, not at the next poll."""
        self._wake.set()

    async def drain(self, within: float) -> None:
        """Stop after the round in progress (its publishes confirmed and settled), within `within` seconds."""
        self._stopping = True
        self._wake.set()
        self._stop.set()
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:  # the caller cancels: the round rolls back and its events stay in the outbox
            log.warning("relay.drain_timed_out", seconds=within)

    async def run(self) -> None:
        # Its SQL is not traced (a root trace per idle poll); its publish spans continue the commands'.
        with untraced_drivers():
            await self._run()

    async def _run(self) -> None:
        failures, retry = 0, TURN_RETRY
        while not self._stopping:
            self._wake.clear()  # a commit during the rounds below wakes the next iteration at once
            try:
                self._idle.clear()
                turn_held = await self._rounds()
            except Exception as error:  # the relay must outlive any broker or database outage
                failures += 1
                self._metrics.relay_failures.inc()
                if failures == 1:
                    log.warning("relay.publishing_stopped", error=repr(error))
                else:
                    log.debug("relay.round_failed", error=repr(error), failures=failures)
                self._idle.set()
                await self._back_off(failures)
                continue
            finally:
                self._idle.set()
            if failures:
                log.info("relay.publishing_resumed", failed_rounds=failures)
                failures = 0
            # Found the turn held: soon again, backing off to the poll; a wake still comes first.
            await self._pause(retry if turn_held else self._poll_interval)
            retry = min(retry * 2, self._poll_interval) if turn_held else TURN_RETRY

    async def _rounds(self) -> bool:
        """Rounds until one is not full (a full batch may have left rows behind; a commit made meanwhile
        has set `_wake`); returns whether the last found another relay holding the turn."""
        while not self._stopping:
            looked = await self.publish_round()
            if looked is None or looked < self._batch_size:
                return looked is None
        return False

    async def _back_off(self, failures: int) -> None:
        """Wait after the `failures`-th failed round in a row: only a drain request ends it early."""
        bound = min(FAILURE_PAUSE * 2 ** (failures - 1), MAX_FAILURE_PAUSE)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), random.uniform(bound / 2, bound))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # a wake (a commit, a drain request) ends it early
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def publish_round(self) -> int | None:
        """Publish one batch (`relay_round`); how many outbox rows it looked at, None when another relay
        holds the turn."""
        return await publish_round(self._pool, self._publisher, self._batch_size, self._metrics)
