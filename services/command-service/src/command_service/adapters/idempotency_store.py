"""Answers remembered by idempotency key, in PostgreSQL (accepted ones are written by the event log)."""

from __future__ import annotations

import asyncpg
import orjson

from command_service.adapters.pg_errors import CONNECTION_ERRORS
from command_service.application.ports import ServiceUnavailableError, StoredAnswer
from command_service.application.requests import CommandRequest, Outcome
from innkeeper_contracts import CommandAccepted, CommandRejected

_REMEMBER = """
INSERT INTO idempotency_keys (key, command, request_hash, status_code, response_body)
VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (key) DO NOTHING RETURNING key
"""


class PostgresIdempotencyStore:
    """IdempotencyStore over the idempotency_keys table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def find(self, key: str) -> StoredAnswer | None:
        try:
            row = await self._pool.fetchrow(
                "SELECT command, request_hash, status_code, response_body::text AS body"
                " FROM idempotency_keys WHERE key = $1",
                key,
            )
        except CONNECTION_ERRORS as error:
            raise ServiceUnavailableError("PostgreSQL is unavailable") from error
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
        try:
            inserted = await self._pool.fetchval(
                _REMEMBER, key, request.name, request.request_hash(), rejection.status, body
            )
        except CONNECTION_ERRORS as error:
            raise ServiceUnavailableError("PostgreSQL is unavailable") from error
        return None if inserted is not None else await self.find(key)
