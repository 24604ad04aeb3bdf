"""The guests' data keys in PostgreSQL (`guest_keys`), read with the event log's read-only pool.

Nothing is cached: each batch reads the keys its events need (one query), so a key erased by the command
service is absent from the next batch on, and a replay never finds a key an erasure deleted. A key that
cannot be read (PostgreSQL down, the table missing) raises the driver's error, which the consumer retries:
it is never shown as erased. Trade-off: the projector holds the master keys too, to unwrap data keys
(docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from innkeeper_kit.personal import MasterKeys, data_keys


@dataclass(frozen=True)
class PostgresKeyStore:
    """A `KeyStore` over `guest_keys`."""

    pool: asyncpg.Pool
    master: MasterKeys

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        return await data_keys(self.pool, self.master, key_ids)
