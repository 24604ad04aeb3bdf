"""Appends commit in parallel, so positions may become visible out of order; a reader that reads a
horizon first (`innkeeper_contracts.eventlog`, the projector's PostgresEventLog) never skips an event."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import asyncpg
from command_support import command_client, fetch, hotel_body
from testkit.waiting import wait_until

from command_service.adapters.event_log import EventAppend, PendingEvent
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.migrations import migrate
from command_service.adapters.transaction import Transaction
from command_service.application.requests import CommandRequest
from innkeeper_contracts import RegisterHotel
from innkeeper_contracts.eventlog import APPEND_LOCK
from projector.event_log import PostgresEventLog


async def test_a_tailing_reader_sees_every_position_once_and_in_order(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    seen: list[int] = []
    done = asyncio.Event()

    async def tail(log: PostgresEventLog) -> None:
        while True:
            finished = done.is_set()  # read once more after the writers finished
            seen.extend(e.global_position for e in await log.after(seen[-1] if seen else 0, 40))
            if finished:
                return

    async with command_client(command_env, relay_enabled=False, postgres_pool_size=16) as client:
        log = await PostgresEventLog.connect(dsn)
        reader = asyncio.create_task(tail(log))
        gate = asyncio.Semaphore(16)

        async def register() -> int:
            async with gate:
                return (await client.post("/hotels", json=hotel_body())).status_code

        statuses = await asyncio.gather(*(register() for _ in range(150)))
        done.set()
        await reader
        await log.close()

    assert statuses == [202] * 150
    logged = [row["global_position"] for row in await fetch(dsn, "SELECT global_position FROM events")]
    assert seen == sorted(logged), "a position was skipped, seen twice or out of order"


async def test_an_append_in_flight_holds_back_the_horizon_that_a_naive_scan_would_pass(
    postgres_dsn: str,
) -> None:
    """A commits its append late: a scan `> last` would see B's higher position first and skip A's."""
    a, b, c, probe = [await asyncpg.connect(postgres_dsn) for _ in range(4)]
    log = await PostgresEventLog.connect(postgres_dsn)
    try:
        await migrate(probe)
        held = CommitHeld(a)
        first = asyncio.create_task(_append(held))
        await asyncio.wait_for(held.appended.wait(), 10)  # A drew its position and holds the shared lock
        second = await _append(b)  # B is not blocked by A, and commits a higher position

        naive = await probe.fetch("SELECT global_position FROM events ORDER BY global_position")
        assert [row["global_position"] for row in naive] == [second]  # A's lower one is not visible yet

        reading = asyncio.create_task(log.after(0, 100))
        await wait_until(lambda: _waiting(probe, "ExclusiveLock"), what="the horizon read waiting for A")
        third = asyncio.create_task(_append(c))  # a new append queues behind the waiting horizon read
        await wait_until(lambda: _waiting(probe, "ShareLock"), what="C's append queued behind it")
        assert not reading.done()

        held.release.set()
        read = await asyncio.wait_for(reading, 10)
        positions = [await first, second, await asyncio.wait_for(third, 10)]
        assert positions[0] < positions[1] < positions[2]
        assert [e.global_position for e in read] == positions[:2]  # nothing skipped, C beyond the horizon
        assert [e.global_position for e in await log.after(positions[1], 100)] == positions[2:]
    finally:
        await log.close()
        for connection in (a, b, c, probe):
            await connection.close()


class CommitHeld:
    """A connection whose COMMIT waits for `release`: its append keeps the shared lock meanwhile."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.appended, self.release = asyncio.Event(), asyncio.Event()

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        return await self.connection.fetchrow(sql, *args)

    async def execute(self, sql: str) -> str:
        if sql == "COMMIT":
            self.appended.set()
            await self.release.wait()
        return await self.connection.execute(sql)


async def _append(connection: asyncpg.Connection | CommitHeld) -> int:
    """The command service's own append of one event, in a transaction of its own; its position."""
    command = RegisterHotel.model_validate(hotel_body())
    event = PendingEvent(uuid4(), "HotelRegistered", 1, "hotel", uuid4(), 1, "p", '{"x": 1}')
    transaction = Transaction(cast(Any, connection))
    await transaction.begin()
    append = EventAppend([event], CommandRequest(command, "c"), _now())
    return (await FinalStatement(transaction).commit(append)).global_position


async def _waiting(probe: asyncpg.Connection, mode: str) -> bool:
    """Some session waits for the append lock in this mode (a bigint key: objid low 32 bits, subid 1)."""
    return bool(
        await probe.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1"
            " AND objsubid = 1 AND mode = $2",
            APPEND_LOCK,
            mode,
        )
    )


def _now() -> datetime:
    return datetime.now(UTC)
