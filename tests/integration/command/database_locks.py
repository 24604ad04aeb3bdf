"""A test's own PostgreSQL session holding row locks, so that commands wait on them as they would behind a
long transaction; and what the command service has counted (its metrics)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from testkit.waiting import wait_until

_WAITING = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""


@asynccontextmanager
async def hotel_row_locked(dsn: str, hotel_id: str) -> AsyncIterator[None]:
    """The hotel's row held FOR UPDATE until the block ends (then rolled back: nothing changes)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("BEGIN")
        await connection.execute("SELECT 1 FROM hotels WHERE hotel_id = $1 FOR UPDATE", hotel_id)
        yield
    finally:
        await connection.close()  # the transaction never committed: rolled back


async def wait_for_lock_waiters(dsn: str, count: int) -> None:
    """Until `count` sessions of the database wait for a lock (bounded). Asked on a session of its own:
    within a transaction PostgreSQL shows the activity as it was at its first look."""
    connection = await asyncpg.connect(dsn)

    async def waiting() -> bool:
        return int(await connection.fetchval(_WAITING)) >= count

    try:
        await wait_until(waiting, what=f"{count} sessions waiting for a lock")
    finally:
        await connection.close()


async def counted(client: httpx.AsyncClient, command: str, outcome: str) -> float:
    """`innkeeper_commands_total{command, outcome}` as the service's /metrics says now."""
    prefix = f'innkeeper_commands_total{{command="{command}",outcome="{outcome}"}} '
    lines = (await client.get("/metrics")).text.splitlines()
    return sum(float(line.removeprefix(prefix)) for line in lines if line.startswith(prefix))
