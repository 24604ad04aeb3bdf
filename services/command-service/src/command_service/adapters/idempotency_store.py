"""Answers remembered by idempotency key, in PostgreSQL (accepted ones are written by the event log).

A key belongs to the caller who sent it (`principal`) and is forgotten after the retention: a lookup
ignores an expired row and deletes it in the same statement (so the key can be taken again at once);
`forget_expired` clears the rest in small batches, oldest first, skipping rows a command holds.
"""

from __future__ import annotations

import asyncio

import asyncpg
import orjson
import structlog

from command_service.adapters.pg_errors import unavailable_on_failure
from command_service.application.ports import StoredAnswer
from command_service.application.requests import CommandRequest, Outcome
from innkeeper_contracts import CommandAccepted, CommandRejected

log = structlog.get_logger("command_service.idempotency")
SWEEP_BATCH = 1000

_REMEMBER = """
INSERT INTO idempotency_keys (principal, key, command, request_hash, status_code, response_body)
VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (principal, key) DO NOTHING RETURNING key
"""
_FIND = """
WITH expired AS (
    DELETE FROM idempotency_keys
    WHERE principal = $1 AND key = $2 AND created_at < now() - make_interval(secs => $3)
)
SELECT command, request_hash, status_code, response_body::text AS body FROM idempotency_keys
WHERE principal = $1 AND key = $2 AND created_at >= now() - make_interval(secs => $3)
"""
_FORGET = """
DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)
    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))
"""


class PostgresIdempotencyStore:
    """IdempotencyStore over the idempotency_keys table."""

    def __init__(
        self, pool: asyncpg.Pool, retention_seconds: float, acquire_timeout: float | None = None
    ) -> None:
        self._pool, self._retention, self._acquire_timeout = pool, float(retention_seconds), acquire_timeout

    async def find(self, scope: str, key: str) -> StoredAnswer | None:
        with unavailable_on_failure():
            async with self._pool.acquire(timeout=self._acquire_timeout) as connection:
                row = await connection.fetchrow(_FIND, scope, key, self._retention)
        if row is None:
            return None
        body = orjson.loads(row["body"])
        outcome: Outcome = (
            CommandAccepted.model_validate(body)
            if row["status_code"] == 202
            else CommandRejected.model_validate(body)
        )
        return StoredAnswer(row["command"], row["request_hash"], outcome)

    async def remember_rejection(
        self, key: str, request: CommandRequest, rejection: CommandRejected
    ) -> StoredAnswer | None:
        body = orjson.dumps(rejection.model_dump(mode="json")).decode()
        scope = request.idempotency_scope
        with unavailable_on_failure():
            async with self._pool.acquire(timeout=self._acquire_timeout) as connection:
                inserted = await connection.fetchval(
                    _REMEMBER, scope, key, request.name, request.request_hash(), rejection.status, body
                )
        return None if inserted is not None else await self.find(scope, key)

    async def forget_expired(self, batch: int = 1000) -> int:
        """Delete up to `batch` expired keys; returns how many (call again while it returns `batch`)."""
        with unavailable_on_failure():
            async with self._pool.acquire(timeout=self._acquire_timeout) as connection:
                status: str = await connection.execute(_FORGET, self._retention, batch, timeout=10)
        return int(status.split()[-1])

    async def forget_expired_forever(self, every: float) -> None:
        """Every `every` seconds, delete expired keys in batches (each a short statement that skips rows a
        command holds), so the table cannot grow without bound and no command waits on the sweep."""
        while True:
            await asyncio.sleep(every)
            try:
                total = 0
                for _ in range(1000):  # a million keys per sweep at most; the next sweep takes the rest
                    total += (forgotten := await self.forget_expired(SWEEP_BATCH))
                    if forgotten < SWEEP_BATCH:
                        break
                if total:
                    log.info("idempotency.forgotten", keys=total)
            except Exception as error:  # PostgreSQL down: the next sweep tries again
                log.warning("idempotency.sweep_failed", error=repr(error))
