"""The outbox relay: publishes committed events in position order, deletes them after the confirm.

Every replica runs one. A round takes `pg_try_advisory_xact_lock(RELAY_LOCK)` so one relay publishes at a
time (the others skip the round), locks a batch of outbox rows, publishes them pipelined and deletes only
the confirmed ones before committing. A crash anywhere repeats a publish, never loses one. The unit of
work wakes its own replica's relay right after a commit that queued events (`wake`). A round that finds
another replica's relay holding the turn tries again soon (that relay may have read the outbox before
this replica's commits), backing off to the poll, which covers the rest. Why not NOTIFY:
docs/architecture.md, "Outbox and relay".
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from command_service.adapters.event_publisher import EventPublisher, PublishResults
from command_service.adapters.outgoing_event import outgoing_event
from command_service.adapters.pg_errors import Db
from command_service.metrics import Metrics

RELAY_LOCK = 7_301_003
TURN_RETRY = 0.005
"""First pause after a round found the turn held elsewhere; it doubles up to the poll interval."""

# Losing a round's commit in a crash only republishes (consumers deduplicate), so it need not wait for
# the WAL flush. One round trip, no result: the simple-query protocol takes both statements.
_BEGIN = "BEGIN; SET LOCAL synchronous_commit TO off"

# The turn is taken in the batch's own statement, once (a materialized CTE), before any outbox row is
# read or locked, and the statement says whether it got it: always one row at least, `mine` false when
# another relay holds the turn, the batch's columns NULL when there is nothing to publish.
_BATCH = """
WITH turn AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($2) AS mine)
SELECT turn.mine, batch.* FROM turn LEFT JOIN LATERAL (
    SELECT e.global_position, e.event_id, e.event_type, e.schema_version, e.aggregate_type,
           e.aggregate_id, e.aggregate_version, e.partition_key, e.occurred_at, e.correlation_id,
           e.causation_id, e.data::text AS data, e.actor::text AS actor
    FROM outbox o JOIN events e USING (global_position)
    WHERE turn.mine AND o.not_before <= now()
    ORDER BY o.global_position
    LIMIT $1
    FOR UPDATE OF o SKIP LOCKED
) AS batch ON true
"""

_POSTPONE = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2,
    not_before = now() + least(interval '0.5 second' * power(2, attempts), interval '10 seconds')
WHERE global_position = ANY($1::bigint[])
"""

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
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:  # the caller cancels: the round rolls back and its events stay in the outbox
            log.warning("relay.drain_timed_out", seconds=within)

    async def run(self) -> None:
        failures, retry = 0, TURN_RETRY
        while not self._stopping:
            self._wake.clear()  # a commit during the rounds below wakes the next iteration at once
            try:
                self._idle.clear()
                turn_held = await self._rounds()
                failures = 0
            except Exception as error:  # the relay must outlive any broker or database outage
                failures += 1
                self._metrics.relay_failures.inc()
                log.warning("relay.round_failed", error=repr(error), failures=failures)
                self._idle.set()
                await self._pause(min(0.5 * 2**failures, 5.0))
                continue
            finally:
                self._idle.set()
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

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # a wake (a commit, a drain request) ends it early
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def publish_round(self) -> int | None:
        """Publish one batch; returns how many outbox rows it looked at, None when another relay holds
        the turn.

        Three round trips: BEGIN, the batch (turn taken in it), the deletes with COMMIT. A failure
        anywhere leaves the transaction open and the pool's reset rolls it back (nothing deleted)."""
        async with self._pool.acquire() as connection:
            await connection.execute(_BEGIN)
            found = await connection.fetch(_BATCH, self._batch_size, RELAY_LOCK)
            if not found[0]["mine"]:
                await connection.execute("COMMIT")
                self._metrics.relay_turn_held.inc()
                return None
            rows = [row for row in found if row["global_position"] is not None]
            self._metrics.outbox_backlog.set(len(rows))
            if not rows:
                await connection.execute("COMMIT")
                return 0
            results = await self._publisher.publish([outgoing_event(row) for row in rows])
            await self._settle(connection, results)
        if results.error is not None:
            raise results.error
        return len(rows)

    async def _settle(self, connection: Db, results: PublishResults) -> None:
        """Postpone the unroutable ones, delete the confirmed ones and commit."""
        if results.unroutable:
            self._metrics.events_unroutable.inc(len(results.unroutable))
            log.warning("relay.unroutable", positions=results.unroutable[:20], count=len(results.unroutable))
            await connection.execute(_POSTPONE, results.unroutable, "unroutable: no queue bound")
        if results.confirmed:
            # Positions are integers from the table: written into the statement they let the DELETE
            # and the COMMIT go in one simple-query round trip.
            positions = ",".join(str(int(position)) for position in results.confirmed)
            await connection.execute(
                f"DELETE FROM outbox WHERE global_position = ANY('{{{positions}}}'::bigint[]); COMMIT"
            )
            self._metrics.events_published.inc(len(results.confirmed))
        else:
            await connection.execute("COMMIT")
