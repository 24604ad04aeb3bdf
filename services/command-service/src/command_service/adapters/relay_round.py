"""One round of the outbox relay: publishes committed events in position order, deletes them after the
confirm.

A round takes `pg_try_advisory_xact_lock(RELAY_LOCK)` so one relay publishes at a time (the others skip
the round), locks a batch of outbox rows, publishes them pipelined and deletes only the confirmed ones
before committing.
"""

from __future__ import annotations

import asyncpg
import structlog

from command_service.adapters.event_publisher import EventPublisher, PublishResults
from command_service.adapters.outgoing_event import outgoing_event
from command_service.adapters.pg_errors import Db
from command_service.metrics import Metrics
from innkeeper_kit import failpoints

RELAY_LOCK = 7_301_003

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
           e.causation_id, e.data::text AS data, e.actor::text AS actor, o.traceparent
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


async def publish_round(
    pool: asyncpg.Pool, publisher: EventPublisher, batch_size: int, metrics: Metrics
) -> int | None:
    """Publish one batch; returns how many outbox rows it looked at, None when another relay holds
    the turn.

    Three round trips: BEGIN, the batch (turn taken in it), the deletes with COMMIT. A failure
    anywhere leaves the transaction open and the pool's reset rolls it back (nothing deleted)."""
    async with pool.acquire() as connection:
        await connection.execute(_BEGIN)
        found = await connection.fetch(_BATCH, batch_size, RELAY_LOCK)
        if not found[0]["mine"]:
            await connection.execute("COMMIT")
            metrics.relay_turn_held.inc()
            return None
        rows = [row for row in found if row["global_position"] is not None]
        if not rows:
            await connection.execute("COMMIT")
            return 0
        results = await publisher.publish([outgoing_event(row) for row in rows])
        await _settle(connection, results, metrics)
    if results.error is not None:
        raise results.error
    return len(rows)


async def _settle(connection: Db, results: PublishResults, metrics: Metrics) -> None:
    """Postpone the unroutable ones, delete the confirmed ones and commit."""
    if results.unroutable:
        metrics.events_unroutable.inc(len(results.unroutable))
        log.warning("relay.unroutable", positions=results.unroutable[:20], count=len(results.unroutable))
        await connection.execute(_POSTPONE, results.unroutable, "unroutable: no queue bound")
    if results.confirmed:
        failpoints.reach(failpoints.RELAY_AFTER_PUBLISH_BEFORE_MARK)
        # Positions are integers from the table: written into the statement they let the DELETE
        # and the COMMIT go in one simple-query round trip.
        positions = ",".join(str(int(position)) for position in results.confirmed)
        await connection.execute(
            f"DELETE FROM outbox WHERE global_position = ANY('{{{positions}}}'::bigint[]); COMMIT"
        )
        metrics.events_published.inc(len(results.confirmed))
    else:
        await connection.execute("COMMIT")
