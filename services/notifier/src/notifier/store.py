"""The delivery records in PostgreSQL: written before a send (the claim) and after it (the outcome).

A claim sets `sending` with a lease; a process that dies mid-send leaves the lease to run out, and the
delivery is claimed again: the one case where a message goes out twice, with the same `Message-ID` or
`webhook-id` so the receiver can drop it. `FOR UPDATE SKIP LOCKED` keeps two replicas off one row.
"""

from __future__ import annotations

from importlib.resources import files

import asyncpg

from innkeeper_contracts import EventEnvelope

from .deliveries import Delivery, changed_rows, delivery_row
from .erasures import ErasureQueries
from .operator_queries import OperatorQueries
from .plans import PlannedDelivery

_CLAIM = """
WITH due AS (
    SELECT d.id FROM notifier.deliveries d
    WHERE ((d.state = 'pending' AND d.next_attempt_at <= now())
           OR (d.state = 'sending' AND d.lease_until < now()))
      AND NOT EXISTS (
          SELECT 1 FROM notifier.deliveries earlier
          WHERE earlier.aggregate_id = d.aggregate_id AND earlier.channel = d.channel
            AND earlier.recipient = d.recipient AND earlier.aggregate_version < d.aggregate_version
            AND earlier.state IN ('pending', 'sending'))
    ORDER BY d.global_position
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE notifier.deliveries SET state = 'sending', attempts = attempts + 1, claim = gen_random_uuid(),
       lease_until = now() + make_interval(secs => $2)
FROM due WHERE deliveries.id = due.id
RETURNING deliveries.*
"""
_RECORD = """
INSERT INTO notifier.deliveries (event_id, event_type, channel, recipient, template, aggregate_id,
    aggregate_version, global_position, correlation_id, envelope, state, last_error, traceparent, guest_id,
    key_ids, finished_at)
SELECT e, t, c, r, tpl, a, v, p, cid, env, s, err, tp, g, string_to_array(k, ',')::uuid[],
       CASE WHEN s = 'failed' THEN now() END
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::int[],
            $8::bigint[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::text[],
            $15::text[])
     AS u(e, t, c, r, tpl, a, v, p, cid, env, s, err, tp, g, k)
ON CONFLICT (event_id, channel, recipient) DO NOTHING
RETURNING channel, state
"""


class DeliveryStore(OperatorQueries, ErasureQueries):
    """The `notifier.deliveries` table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def connect(cls, dsn: str, size: int) -> DeliveryStore:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=size, command_timeout=30)
        store = cls(pool)
        async with pool.acquire() as connection:  # two replicas starting at once: one creates
            await connection.execute("SELECT pg_advisory_lock(hashtext('innkeeper.notifier.schema'))")
            try:
                await connection.execute(files("notifier").joinpath("schema.sql").read_text())
            finally:
                await connection.execute("SELECT pg_advisory_unlock(hashtext('innkeeper.notifier.schema'))")
        return store

    async def close(self) -> None:
        await self.pool.close()

    async def record(self, planned: list[tuple[EventEnvelope, PlannedDelivery]]) -> list[tuple[str, str]]:
        """Record the deliveries events ask for, in one statement; one already recorded (a replay) stays
        as it is. Returns (channel, state) of each new record."""
        if not planned:
            return []
        records = (delivery_row(envelope, delivery) for envelope, delivery in planned)
        columns = list(zip(*records, strict=True))
        rows = await self.pool.fetch(_RECORD, *columns)
        return [(row["channel"], row["state"]) for row in rows]

    async def claim(self, limit: int, lease_seconds: float) -> list[Delivery]:
        """Take up to `limit` due deliveries (the earliest first, each booking's in its order)."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(_CLAIM, limit, lease_seconds)
        return sorted((Delivery.of(row) for row in rows), key=lambda d: d.envelope.global_position)

    # An outcome is written only under the claim it was sent under: a claimant whose lease ran out (and
    # whose delivery another replica claimed again) changes nothing.

    async def delivered(self, delivery: Delivery) -> bool:
        return await self._finish(delivery, "delivered", None)

    async def failed(self, delivery: Delivery, reason: str) -> bool:
        return await self._finish(delivery, "failed", reason)

    async def cancelled(self, delivery: Delivery, reason: str) -> bool:
        """Never to be sent (the guest's data is erased): finished, not failed, nothing to retry."""
        return await self._finish(delivery, "cancelled", reason)

    async def retry_later(self, delivery: Delivery, seconds: float, reason: str) -> bool:
        sql = """UPDATE notifier.deliveries SET state = 'pending', lease_until = NULL, claim = NULL,
                 last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
                 WHERE id = $1 AND claim = $2"""
        return changed_rows(await self.pool.execute(sql, delivery.id, delivery.claim, reason, seconds)) == 1

    async def release(self, deliveries: list[Delivery]) -> None:
        """Hand claims back (a graceful stop cut their sends off): due at once, for any notifier."""
        sql = """UPDATE notifier.deliveries SET state = 'pending', lease_until = NULL, claim = NULL,
                 next_attempt_at = now() WHERE id = $1 AND claim = $2"""
        await self.pool.executemany(sql, [(delivery.id, delivery.claim) for delivery in deliveries])

    async def _finish(self, delivery: Delivery, state: str, reason: str | None) -> bool:
        sql = """UPDATE notifier.deliveries SET state = $3, last_error = coalesce($4, last_error),
                 lease_until = NULL, claim = NULL, finished_at = now() WHERE id = $1 AND claim = $2"""
        return changed_rows(await self.pool.execute(sql, delivery.id, delivery.claim, state, reason)) == 1

    async def sweep(self, retention_days: float, failed_retention_days: float) -> int:
        """Forget finished records older than the retention: delivered, discarded and cancelled ones
        after `retention_days`, failed ones (waiting for an operator, holding the event and so a guest's
        data) after `failed_retention_days`. An event replayed after that would be sent again: the
        retention outlives any replay."""
        sql = """DELETE FROM notifier.deliveries
                 WHERE (state IN ('delivered', 'discarded', 'cancelled')
                        AND finished_at < now() - make_interval(secs => $1))
                    OR (state = 'failed' AND finished_at < now() - make_interval(secs => $2))"""
        status = await self.pool.execute(sql, retention_days * 86_400, failed_retention_days * 86_400)
        return changed_rows(status)
