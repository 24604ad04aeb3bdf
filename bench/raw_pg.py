"""Raw limit of PostgreSQL appends: one event row per transaction, with and without the append lock."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from bench.samples import event_row_payload

Result = dict[str, Any]

CREATE_EVENTS = """CREATE TABLE IF NOT EXISTS bench_events (
    global_position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE,
    aggregate_id uuid NOT NULL, aggregate_version int NOT NULL, data jsonb NOT NULL,
    UNIQUE (aggregate_id, aggregate_version))"""
INSERT_EVENT = (
    "INSERT INTO bench_events (event_id, aggregate_id, aggregate_version, data) VALUES ($1, $2, 1, $3)"
)


LOCK = "SELECT pg_advisory_xact_lock(4242)"
INSERT_LOCKED = (
    "WITH locked AS (SELECT pg_advisory_xact_lock(4242)) INSERT INTO bench_events"
    " (event_id, aggregate_id, aggregate_version, data) SELECT $1, $2, 1, $3 FROM locked"
)
INSERT_SHARED = INSERT_LOCKED.replace("pg_advisory_xact_lock(", "pg_advisory_xact_lock_shared(")
STAGE_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS staged (event_id uuid, aggregate_id uuid, aggregate_version int,"
    " data jsonb) ON COMMIT DELETE ROWS"
)
STAGE = "INSERT INTO staged (event_id, aggregate_id, aggregate_version, data) VALUES ($1, $2, 1, $3)"
APPEND_STAGED = (
    "SELECT pg_advisory_xact_lock(4242); INSERT INTO bench_events (event_id, aggregate_id,"
    " aggregate_version, data) SELECT event_id, aggregate_id, aggregate_version, data FROM staged; COMMIT"
)


async def postgres_append(dsn: str, connections: int = 8, duration: float = 3.0, lock: str = "") -> Result:
    """Transactions of one event row each (BEGIN; INSERT; COMMIT) from `connections` connections.

    lock="statement": a separate `SELECT pg_advisory_xact_lock` first (the exclusive lock Innkeeper
    took to commit positions in order, held to commit); lock="in-insert": the lock taken inside the
    INSERT, so one round trip less is spent holding it; lock="temp-stage": Innkeeper's tail before
    a3b79b6 (rows staged in a TEMP table ON COMMIT DELETE ROWS, then lock + append + COMMIT in one
    simple query); lock="shared-in-insert": the lock in shared mode inside the INSERT, as Innkeeper
    appends since the horizon protocol (innkeeper_contracts.eventlog): appends do not wait for each other.
    """
    setup = await asyncpg.connect(dsn)
    await setup.execute(CREATE_EVENTS)
    await setup.close()
    payload = event_row_payload().decode()
    insert = {"in-insert": INSERT_LOCKED, "shared-in-insert": INSERT_SHARED}.get(lock, INSERT_EVENT)
    stop_at = time.monotonic() + duration

    async def appender() -> int:
        conn, done = await asyncpg.connect(dsn), 0
        await conn.set_type_codec("jsonb", encoder=str, decoder=str, schema="pg_catalog")
        if lock == "temp-stage":
            await conn.execute(STAGE_TABLE)
        while time.monotonic() < stop_at:
            if lock == "temp-stage":
                await conn.execute("BEGIN")
                await conn.execute(STAGE, uuid.uuid4(), uuid.uuid4(), payload)
                await conn.execute(APPEND_STAGED)
            else:
                async with conn.transaction():
                    if lock == "statement":
                        await conn.execute(LOCK)
                    await conn.execute(insert, uuid.uuid4(), uuid.uuid4(), payload)
            done += 1
        await conn.close()
        return done

    started = time.monotonic()
    counts = await asyncio.gather(*(appender() for _ in range(connections)))
    elapsed = time.monotonic() - started
    return {"connections": connections, "appends": sum(counts), "per_s": sum(counts) / elapsed,
            "payload_bytes": len(payload), "advisory_lock": lock or "none"}  # fmt: skip
