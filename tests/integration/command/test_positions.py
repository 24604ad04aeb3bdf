"""Positions commit in order: a reader scanning `global_position > last` never skips an event."""

from __future__ import annotations

import asyncio

import asyncpg
from command_support import command_client, hotel_body


async def test_a_tailing_reader_sees_every_position_once_and_in_order(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    seen: list[int] = []
    done = asyncio.Event()

    async def tail() -> None:
        reader = await asyncpg.connect(dsn)
        try:
            while True:
                finished = done.is_set()  # read once more after the writers finished
                rows = await reader.fetch(
                    "SELECT global_position FROM events WHERE global_position > $1 ORDER BY global_position",
                    seen[-1] if seen else 0,
                )
                seen.extend(row["global_position"] for row in rows)
                if finished:
                    return
        finally:
            await reader.close()

    async with command_client(command_env, relay_enabled=False, postgres_pool_size=16) as client:
        reader = asyncio.create_task(tail())
        gate = asyncio.Semaphore(16)

        async def register() -> int:
            async with gate:
                return (await client.post("/hotels", json=hotel_body())).status_code

        statuses = await asyncio.gather(*(register() for _ in range(150)))
        done.set()
        await reader

    assert statuses == [202] * 150
    assert seen == list(range(1, 151)), "a position was skipped or seen out of order"
