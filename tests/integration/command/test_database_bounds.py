"""PostgreSQL bounds: a statement or lock wait over its bound, or no pooled connection free in time, is
answered 503 over HTTP and put back in the queue over AMQP — never a hang; the retry then succeeds, and a
command that times out on every delivery ends in the dead letters with its cause."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
from command_support import (
    command_client,
    command_sender,
    dead_letters,
    fetchval,
    hotel_body,
    wait_for_intake,
)
from database_locks import counted, hotel_row_locked, wait_for_lock_waiters
from testkit.auth import auth_settings
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from command_service.adapters.clock import SystemClock
from command_service.adapters.migrations import MIGRATION_LOCK
from command_service.application.ports import ServiceUnavailableError
from command_service.bootstrap import build_runtime
from command_service.settings import Settings
from innkeeper_contracts.topology import COMMANDS_DELIVERY_LIMIT, REJECTION_REASON_HEADER

RATE = {"nightly_rate": {"amount": "150.00", "currency": "EUR"}}
BOUNDS = {
    "lock_timeout": {"postgres_lock_timeout": 0.2},
    "statement_timeout": {"postgres_statement_timeout": 0.2, "postgres_lock_timeout": 0},
}


@pytest.mark.parametrize("bound", list(BOUNDS))
async def test_a_wait_over_its_bound_answers_503_over_http_requeues_over_amqp_then_succeeds(
    command_env: dict[str, str], bound: str
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with command_client(command_env, **BOUNDS[bound]) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        rate_url = f"/hotels/{hotel_id}/room-types/DBL/rate"
        key = {"Idempotency-Key": "rate-1"}
        async with hotel_row_locked(dsn, hotel_id):
            answer = await client.post(rate_url, json=RATE, headers=key)
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"] == "https://innkeeper.dev/problems/unavailable"
            before = await counted(client, "SetNightlyRate", "unavailable")
            change = {"hotel_id": hotel_id, "room_type": "DBL", **RATE}
            await sender.send("SetNightlyRate", orjson.dumps(change), correlation_id="by-amqp")

            async def tried_twice() -> bool:
                return await counted(client, "SetNightlyRate", "unavailable") >= before + 2

            await wait_until(tried_twice, what="the message tried, put back and tried again")
            assert sender.replies == []
        await sender.wait_for_replies(1)
        assert sender.reply_to("by-amqp")["status"] == "accepted"
        retried = await client.post(rate_url, json=RATE, headers=key)
        assert retried.status_code == 202, "a 503 is not remembered under the key"
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'NightlyRateSet'") == 2


async def test_a_command_that_times_out_on_every_delivery_is_answered_503_and_dead_lettered_with_why(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with (
        command_client(command_env, postgres_lock_timeout=0.1) as client,
        command_sender(url) as sender,
    ):
        await wait_for_intake(client)
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        change = {"hotel_id": hotel["hotel_id"], "room_type": "DBL", **RATE}
        async with hotel_row_locked(dsn, hotel["hotel_id"]):
            await sender.send("SetNightlyRate", orjson.dumps(change), correlation_id="stuck")
            # Each delivery: the lock timeout, then a 1 s pause before the message goes back.
            await sender.wait_for_replies(1, limit=3 * COMMANDS_DELIVERY_LIMIT)
        [letter] = await dead_letters(url, 1)
    answer = sender.reply_to("stuck")
    assert (answer["status"], answer["type"]) == (503, "https://innkeeper.dev/problems/unavailable")
    reason = str(letter.headers[REJECTION_REASON_HEADER])
    assert reason.startswith("unavailable: PostgreSQL cancelled a statement: canceling statement due to lock")
    assert reason.endswith(f"({COMMANDS_DELIVERY_LIMIT} deliveries)")
    assert "x-first-death-reason" not in letter.headers, "dead-lettered by the intake, not the delivery limit"
    assert letter.correlation_id == "stuck"
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'NightlyRateSet'") == 0


async def test_the_key_sweep_waits_for_a_connection_no_longer_than_commands_do(
    command_env: dict[str, str],
) -> None:
    settings = Settings(
        postgres_dsn=command_env["POSTGRES_DSN"],
        rabbitmq_url=command_env["RABBITMQ_URL"],
        postgres_pool_size=1,
        postgres_acquire_timeout=0.3,
        relay_enabled=False,
        amqp_intake_enabled=False,
        **auth_settings(command_env["RABBITMQ_URL"]),
    )
    runtime = await build_runtime(settings, SystemClock())
    assert runtime.idempotency is not None
    try:
        async with runtime.pool.acquire():  # the pool's only connection, busy
            with pytest.raises(ServiceUnavailableError):
                # Bounded here only so that a sweep that would wait forever fails the test.
                await asyncio.wait_for(runtime.idempotency.forget_expired(), 10)
    finally:
        await runtime.pool.close()


async def test_no_connection_free_in_time_answers_503_instead_of_waiting(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    one_connection: dict[str, Any] = {
        "postgres_pool_size": 1,
        "postgres_acquire_timeout": 0.3,
        "postgres_lock_timeout": 0,
        "relay_enabled": False,
        "amqp_intake_enabled": False,
    }
    async with command_client(command_env, **one_connection) as client:
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        rate_url = f"/hotels/{hotel_id}/room-types/DBL/rate"
        async with hotel_row_locked(dsn, hotel_id):
            # The first command waits for the lock on the pool's only connection...
            first = asyncio.create_task(client.post(rate_url, json=RATE))
            await wait_for_lock_waiters(dsn, 1)
            # ...so the next one finds no connection free within POSTGRES_ACQUIRE_TIMEOUT.
            starved = await client.post("/hotels", json=hotel_body())
            assert starved.status_code == 503, starved.text
            assert starved.json()["type"] == "https://innkeeper.dev/problems/unavailable"
        assert (await first).status_code == 202
        assert (await client.post("/hotels", json=hotel_body())).status_code == 202
    assert await fetchval(dsn, "SELECT count(*) FROM hotels") == 2


async def test_a_migration_is_held_by_neither_bound(command_env: dict[str, str], log_dir: Path) -> None:
    """Migrations run on the pool whose sessions have the bounds; a long one, or one waiting for another
    replica's, must not be cancelled (here: waiting for the migration lock a test session holds)."""
    bounded = {**command_env, "POSTGRES_STATEMENT_TIMEOUT": "0.2", "POSTGRES_LOCK_TIMEOUT": "0.1"}
    holder = await asyncpg.connect(command_env["POSTGRES_DSN"])
    service = ServiceProcess("command_service", bounded, free_port(), log_dir)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)  # another replica migrating
        starting = asyncio.create_task(asyncio.to_thread(service.start))

        async def waited_past_both_bounds() -> bool:
            return bool(await holder.fetchval(_WAITING_SINCE, 1.0))

        await wait_until(waited_past_both_bounds, what="the migration waiting on, past both bounds")
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await starting
        async with httpx.AsyncClient(base_url=service.url) as client:
            assert (await client.get("/readyz")).json()["schema"] == "up"
        assert '"migrations.waiting"' not in service.logs(), "never cancelled, never retried"
    finally:
        await asyncio.to_thread(service.kill)
        await holder.close()


_WAITING_SINCE = """
SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
AND query LIKE '%pg_advisory_xact_lock%' AND now() - query_start > make_interval(secs => $1)
"""
