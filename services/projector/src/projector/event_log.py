"""The PostgreSQL event log, read only: to heal gaps, to rebuild and to measure lag."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from innkeeper_contracts import EventEnvelope

COLUMNS = """global_position, event_id, event_type, schema_version, aggregate_type, aggregate_id,
    aggregate_version, partition_key, occurred_at, correlation_id, causation_id, data"""


class PostgresEventLog:
    """Reads the `events` table of architecture.md; positions commit in order, so scans skip nothing."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

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
        """Events after a global position, in position order."""
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2",
            position,
            limit,
        )
        return [to_envelope(row) for row in rows]

    async def by_ids(self, event_ids: Iterable[str]) -> dict[str, EventEnvelope]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])", [UUID(i) for i in event_ids]
        )
        return {str(row["event_id"]): to_envelope(row) for row in rows}

    async def head(self) -> tuple[int, datetime | None]:
        """The highest global position and when its event happened (0, None for an empty log)."""
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
    return EventEnvelope.model_validate(fields)


def _read_only() -> dict[str, str]:
    return {"default_transaction_read_only": "on", "application_name": "innkeeper-projector"}
