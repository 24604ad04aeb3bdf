"""The PostgreSQL event log, read only: to heal gaps, to rebuild, to reconcile and to measure lag."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.eventlog import READ_HORIZON, WAIT_FOR_APPENDS

COLUMNS = """global_position, event_id, event_type, schema_version, aggregate_type, aggregate_id,
    aggregate_version, partition_key, occurred_at, correlation_id, causation_id, data, actor"""


class PostgresEventLog:
    """Reads the `events` table of architecture.md. Appends commit in parallel, so a position may become
    visible after a higher one: scans by position stop at a horizon below which every position is final
    (`innkeeper_contracts.eventlog`), and skip nothing."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._horizon = 0  # the last horizon read: a scan below it needs no new one

    @classmethod
    async def connect(cls, dsn: str) -> PostgresEventLog:
        return cls(await asyncpg.create_pool(dsn, min_size=0, max_size=4, server_settings=_read_only()))

    async def close(self) -> None:
        await self.pool.close()

    async def between(
        self, aggregate_id: str, after_version: int, before_version: int
    ) -> list[EventEnvelope]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events WHERE aggregate_id = $1 AND aggregate_version > $2"
            " AND aggregate_version < $3 ORDER BY aggregate_version",
            UUID(aggregate_id),
            after_version,
            before_version,
        )
        return [to_envelope(row) for row in rows]

    async def after(self, position: int, limit: int) -> list[EventEnvelope]:
        """Events after a global position, in position order, up to the horizon: none is skipped. A
        result shorter than `limit` reached a horizon read for it (it is not an older horizon's end)."""
        rows = await self._scan(position, self._horizon, limit)
        if len(rows) < limit:
            await self.horizon()
            position = rows[-1]["global_position"] if rows else position
            rows += await self._scan(position, self._horizon, limit - len(rows))
        return [to_envelope(row) for row in rows]

    async def _scan(self, position: int, horizon: int, limit: int) -> list[Any]:
        if position >= horizon:
            return []
        return await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events WHERE global_position > $1 AND global_position <= $2"
            " ORDER BY global_position LIMIT $3",
            position,
            horizon,
            limit,
        )

    async def horizon(self) -> int:
        """A position at or below which every event is final (committed, or never will be): waits for
        the appends in flight (a short exclusive lock), then reads the highest position."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(WAIT_FOR_APPENDS)
            self._horizon = await connection.fetchval(READ_HORIZON)
        return self._horizon

    async def versions_at(self, horizon: int) -> dict[str, int]:
        """Per aggregate, the highest version at or below `horizon` (what a caught-up store holds)."""
        rows = await self.pool.fetch(
            "SELECT aggregate_id::text AS aggregate, max(aggregate_version) AS version FROM events"
            " WHERE global_position <= $1 GROUP BY aggregate_id",
            horizon,
        )
        return {row["aggregate"]: row["version"] for row in rows}

    async def newer_than(self, versions: dict[str, int], horizon: int) -> list[EventEnvelope]:
        """The events of these aggregates after the given versions, at or below `horizon`, in position
        order (one query: the aggregates and their versions are joined as arrays)."""
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events JOIN unnest($1::uuid[], $2::int[]) AS known(id, version)"
            " ON aggregate_id = known.id AND aggregate_version > known.version"
            " WHERE global_position <= $3 ORDER BY global_position",
            [UUID(a) for a in versions],
            list(versions.values()),
            horizon,
        )
        return [to_envelope(row) for row in rows]

    async def by_ids(self, event_ids: Iterable[str]) -> dict[str, EventEnvelope]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])", [UUID(i) for i in event_ids]
        )
        return {str(row["event_id"]): to_envelope(row) for row in rows}

    async def head(self) -> tuple[int, datetime | None]:
        """The horizon (`horizon()`: no event at or below it is still to come) and when its event
        happened (0, None for an empty log)."""
        head = await self.horizon()
        return (head, await self.occurred_at(head)) if head else (0, None)

    async def latest(self) -> tuple[int, datetime | None]:
        """The highest position visible now and when its event happened, without waiting for the
        appends in flight: enough to measure lag, never to scan by (0, None for an empty log)."""
        row = await self.pool.fetchrow(
            "SELECT global_position, occurred_at FROM events ORDER BY global_position DESC LIMIT 1"
        )
        return (row["global_position"], row["occurred_at"]) if row else (0, None)

    async def occurred_at(self, position: int) -> datetime | None:
        value: datetime | None = await self.pool.fetchval(
            "SELECT occurred_at FROM events WHERE global_position = $1", position
        )
        return value


def to_envelope(row: Any) -> EventEnvelope:
    fields = dict(row)
    data = fields["data"]
    fields["data"] = orjson.loads(data) if isinstance(data, str | bytes) else data
    if isinstance(actor := fields.get("actor"), str | bytes):
        fields["actor"] = orjson.loads(actor)
    return EventEnvelope.model_validate(fields)


def _read_only() -> dict[str, str]:
    return {"default_transaction_read_only": "on", "application_name": "innkeeper-projector"}
