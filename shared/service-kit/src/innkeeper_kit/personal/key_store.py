"""The guests' data keys in PostgreSQL (`guest_keys`, the command service's migration 007): the one
home of their SQL. The command service creates, erases and re-wraps them; the projector and the notifier
only read (`data_keys`)."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from .master_keys import KEY_BYTES, MasterKeys


class Executor(Protocol):
    """An asyncpg connection or pool (both run these)."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def execute(self, query: str, *args: Any) -> str: ...


@dataclass(frozen=True, repr=False)
class GuestKey:
    """A guest's data key (its repr shows the id only)."""

    key_id: UUID
    data_key: bytes

    def __repr__(self) -> str:
        return f"GuestKey({self.key_id})"


async def data_keys(db: Executor, master: MasterKeys, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
    """The data keys of `key_ids` that still exist (an erased guest's key is absent)."""
    if not key_ids:
        return {}
    rows = await db.fetch(
        "SELECT key_id, master_key_id, wrapped_key FROM guest_keys WHERE key_id = ANY($1::uuid[])",
        list(key_ids),
    )
    return {row[0]: master.unwrap(row[0], row[1], bytes(row[2])) for row in rows}


@dataclass(frozen=True)
class GuestKeyReader:
    """The readers' access to the guests' data keys (the projector's, the notifier's): a pool on the
    database holding `guest_keys`, and the master keys that unwrap them. Nothing is cached."""

    db: Executor
    master: MasterKeys

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The data keys of `key_ids` that still exist; raises when they cannot be read."""
        return await data_keys(self.db, self.master, key_ids)


@dataclass(frozen=True)
class GuestKeyStore:
    """Creates, finds, erases and re-wraps guest keys (the command service's side)."""

    master: MasterKeys

    async def key_of(self, db: Executor, guest_id: str) -> GuestKey | None:
        row = await db.fetchrow(
            "SELECT key_id, master_key_id, wrapped_key FROM guest_keys WHERE guest_id = $1", guest_id
        )
        if row is None:
            return None
        return GuestKey(row[0], self.master.unwrap(row[0], row[1], bytes(row[2])))

    def new_key(self) -> GuestKey:
        return GuestKey(uuid4(), os.urandom(KEY_BYTES))

    def insert_args(self, guest_id: str, key: GuestKey) -> tuple[UUID, str, str, bytes]:
        """The arguments of `INSERT_SQL` for a new key (wrapped under the current master key)."""
        master_id, wrapped = self.master.wrap(key.key_id, key.data_key)
        return key.key_id, guest_id, master_id, wrapped

    INSERT_SQL = (
        "INSERT INTO guest_keys (key_id, guest_id, master_key_id, wrapped_key) VALUES ($1, $2, $3, $4)"
    )

    async def insert(self, db: Executor, guest_id: str, key: GuestKey) -> None:
        await db.execute(self.INSERT_SQL, *self.insert_args(guest_id, key))

    async def erase(self, db: Executor, guest_id: str) -> list[UUID]:
        """Delete the guest's key; the ids deleted (none when the guest has no key)."""
        rows = await db.fetch("DELETE FROM guest_keys WHERE guest_id = $1 RETURNING key_id", guest_id)
        return [row[0] for row in rows]

    async def rewrap(self, db: Executor, batch: int = 500) -> int:
        """Re-wrap every key not wrapped by the current master key; how many were re-wrapped."""
        done = 0
        while True:
            rows = await db.fetch(
                "SELECT key_id, master_key_id, wrapped_key FROM guest_keys WHERE master_key_id <> $1"
                " ORDER BY key_id LIMIT $2",
                self.master.current_id,
                batch,
            )
            if not rows:
                return done
            for key_id, master_id, wrapped in rows:
                data_key = self.master.unwrap(key_id, master_id, bytes(wrapped))
                new_master, new_wrapped = self.master.wrap(key_id, data_key)
                await db.execute(
                    "UPDATE guest_keys SET master_key_id = $2, wrapped_key = $3 WHERE key_id = $1"
                    " AND master_key_id = $4",
                    key_id,
                    new_master,
                    new_wrapped,
                    master_id,
                )
            done += len(rows)
