"""What operators read and change in `notifier.deliveries`: the dead-lettered deliveries (`python -m
notifier failed | retry | discard`) and the backlog `/metrics` reports."""

from __future__ import annotations

from typing import Any

import asyncpg

from .deliveries import Delivery, changed_rows
from .plans import NO_CONTACT


class OperatorQueries:
    """The operator's part of the delivery store (`DeliveryStore` has it)."""

    pool: asyncpg.Pool

    async def failed_deliveries(self) -> list[Delivery]:
        rows = await self.pool.fetch("SELECT * FROM notifier.deliveries WHERE state = 'failed' ORDER BY id")
        return [Delivery.of(row) for row in rows]

    async def requeue(self, ids: list[int] | None) -> int:
        """Failed deliveries (these, or all) are tried again from the first attempt; not an alert that had
        no address (its event has none: sending it again cannot reach anyone)."""
        sql = """UPDATE notifier.deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(),
                 finished_at = NULL WHERE state = 'failed' AND recipient <> $2
                 AND ($1::bigint[] IS NULL OR id = ANY($1))"""
        return changed_rows(await self.pool.execute(sql, ids, NO_CONTACT))

    async def discard(self, ids: list[int] | None) -> int:
        sql = """UPDATE notifier.deliveries SET state = 'discarded', finished_at = now()
                 WHERE state = 'failed' AND ($1::bigint[] IS NULL OR id = ANY($1))"""
        return changed_rows(await self.pool.execute(sql, ids))

    async def backlog(self) -> dict[str, Any]:
        """Open deliveries, those waiting for a retry, and the age of the oldest open one (seconds)."""
        sql = """SELECT count(*) AS open,
                        count(*) FILTER (WHERE state = 'pending' AND attempts > 0) AS retrying,
                        count(*) FILTER (WHERE state = 'failed') AS failed,
                        coalesce(extract(epoch FROM
                          now() - min(created_at) FILTER (WHERE state <> 'failed')), 0) AS oldest_seconds
                 FROM notifier.deliveries WHERE state IN ('pending', 'sending', 'failed')"""
        row = await self.pool.fetchrow(sql)
        assert row is not None
        return {
            "open": row["open"] - row["failed"],
            "retrying": row["retrying"],
            "failed": row["failed"],
            "oldest_seconds": float(row["oldest_seconds"]),
        }
