"""A transaction that begins with its first statement and may be a single statement.

A command whose writes all fit its last statement (a BookStay: the nights, the booking, the events, the
outbox row, the answer) runs that statement alone: PostgreSQL runs a lone statement atomically, so
BEGIN and COMMIT would only cost two round trips. Any statement before the last begins a transaction,
and the last one's `commit` ends it. Only a command that is safe to retry runs alone: once sent, a lone
statement commits even if the connection breaks before its answer (with BEGIN only a lost COMMIT can),
so the client's 503 may follow a committed command, and only a retry that cannot apply it twice is safe.
"""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

from command_service.adapters.pg_errors import Db


class DeferredWrite(Protocol):
    """A write made by the last statement (the event log's tail), not by a statement of its own."""

    @property
    def statement(self) -> str:
        """The whole last statement, made by `append_statement.append_statement`."""
        ...

    def arguments(self) -> tuple[object, ...]:
        """The write's own parameters, numbered from $1 in its part of the statement."""
        ...

    def check(self, row: asyncpg.Record) -> None:
        """Raise unless the write was made (then the statement wrote nothing at all)."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        """Raise the command's answer to the database refusing the statement (or nothing)."""


class Transaction:
    """Statements on one connection, in a transaction that the first of them begins unless it is the last."""

    def __init__(self, connection: Db, alone: bool = True) -> None:
        self._connection, self._alone = connection, alone
        self.begun = False
        self.deferred: DeferredWrite | None = None

    def defer(self, write: DeferredWrite) -> None:
        """Leave a write to the last statement; no other statement may follow."""
        if self.deferred is not None:
            raise RuntimeError("one write may be deferred to the last statement")
        self.deferred = write

    async def begin(self) -> None:
        """Begin now (a statement does when it is not the last)."""
        if not self.begun:
            await self._connection.execute("BEGIN")
            self.begun = True

    async def _ready(self) -> None:
        if self.deferred is not None:
            raise RuntimeError("a statement after a write deferred to the last statement")
        await self.begin()

    async def fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        await self._ready()
        return await self._connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        await self._ready()
        return await self._connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: object) -> Any:
        await self._ready()
        return await self._connection.fetchval(query, *args)

    async def execute(self, query: str, *args: object) -> str:
        await self._ready()
        return await self._connection.execute(query, *args)

    async def last(self, query: str, *args: object) -> asyncpg.Record:
        """Run the last statement (alone when nothing came before it, if allowed); its one row."""
        if not self._alone:
            await self.begin()
        row = await self._connection.fetchrow(query, *args)
        assert row is not None
        return row

    async def commit(self) -> None:
        """Commit what was begun."""
        if self.begun:
            await self._connection.execute("COMMIT")
            self.begun = False

    async def abandon(self) -> None:
        """Roll back what was begun."""
        if self.begun:
            self.begun = False
            await self._connection.execute("ROLLBACK")
