"""A transaction that begins with its first statement and may be a single statement.

A command whose writes all fit its final statement (a BookStay: the nights, the booking, the events,
the outbox row, the answer) runs that statement alone: PostgreSQL runs a lone statement atomically, so
BEGIN and COMMIT would only cost two round trips. Any statement before the final one begins a
transaction, and `commit` ends it. Only a command that is safe to retry runs alone: once sent, a lone
statement commits even if the connection breaks before its answer (with BEGIN only a lost COMMIT can),
so the client's 503 may follow a committed command, and only a retry that cannot apply it twice is safe.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from command_service.adapters.pg_errors import Db


class Transaction:
    """Statements on one connection, in a transaction that the first of them begins unless it is the
    final statement and `may_run_alone`."""

    def __init__(self, connection: Db, may_run_alone: bool = True) -> None:
        self._connection, self._may_run_alone = connection, may_run_alone
        self.begun = False
        self._final_only = False

    def only_final_statement_follows(self) -> None:
        """A write was left to the final statement: refuse any other statement from now on (it would
        run before that write)."""
        self._final_only = True

    async def begin(self) -> None:
        """Begin now (a statement does when it is not the final one)."""
        if not self.begun:
            await self._connection.execute("BEGIN")
            self.begun = True

    async def _ready(self) -> None:
        if self._final_only:
            raise RuntimeError("a statement after a write left to the final statement")
        await self.begin()

    async def fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        await self._ready()
        return await self._connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        await self._ready()
        return await self._connection.fetchrow(query, *args)

    async def fetchrow_alone(self, query: str, *args: object) -> asyncpg.Record | None:
        """A read whose answer the final statement checks again (a guest's key): it begins no transaction,
        and runs inside one only when one has begun."""
        if self._final_only:
            raise RuntimeError("a statement after a write left to the final statement")
        return await self._connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: object) -> Any:
        await self._ready()
        return await self._connection.fetchval(query, *args)

    async def execute(self, query: str, *args: object) -> str:
        await self._ready()
        return await self._connection.execute(query, *args)

    async def run_final(self, query: str, *args: object) -> asyncpg.Record:
        """Run the final statement (alone when nothing came before it and that is allowed); its row."""
        if not self._may_run_alone:
            await self.begin()
        row = await self._connection.fetchrow(query, *args)
        assert row is not None
        return row

    async def commit(self) -> None:
        """Commit what was begun."""
        if self.begun:
            await self._connection.execute("COMMIT")
            self.begun = False

    async def roll_back(self) -> None:
        """Roll back what was begun."""
        if self.begun:
            self.begun = False
            await self._connection.execute("ROLLBACK")
