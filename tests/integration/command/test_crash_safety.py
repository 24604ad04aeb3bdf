"""No lost event: SIGKILL before or while the relay publishes; after a restart every committed event
is on the bus (duplicates allowed, with the same event id)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
from command_support import booking_body, event_ids_in_log, event_tap, fetchval, hotel_body
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until


async def test_events_committed_before_a_kill_are_published_after_restart(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with event_tap(command_env["RABBITMQ_URL"]) as tap:
        without_relay = ServiceProcess(
            "command_service", {**command_env, "RELAY_ENABLED": "false"}, free_port(), log_dir
        )
        with without_relay:
            async with httpx.AsyncClient(headers=admin(), base_url=without_relay.url, timeout=30) as client:
                hotel = hotel_body(capacity=50)
                assert (await client.post("/hotels", json=hotel)).status_code == 202
                bookings = [client.post("/bookings", json=booking_body(hotel["hotel_id"])) for _ in range(20)]
                assert {answer.status_code for answer in await asyncio.gather(*bookings)} == {202}
            committed = await event_ids_in_log(dsn)
            assert len(committed) == 41  # the hotel, and each booking with its confirmation
            assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 41
            without_relay.kill()
        assert tap.envelopes == []

        with ServiceProcess("command_service", command_env, free_port(), log_dir):
            await tap.wait_for(len(committed))
            await wait_until(lambda: _outbox_empty(dsn), what="outbox drained")
        assert tap.event_ids == committed
        positions = [envelope.global_position for envelope in tap.envelopes]
        assert positions == sorted(positions)


async def test_kill_while_the_relay_publishes_under_load_loses_nothing(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    intake_env = {**command_env, "RELAY_ENABLED": "false"}
    relay_env = {**command_env, "RELAY_BATCH_SIZE": "10"}
    async with event_tap(command_env["RABBITMQ_URL"]) as tap:
        intake = ServiceProcess("command_service", intake_env, free_port(), log_dir).start()
        async with httpx.AsyncClient(headers=admin(), base_url=intake.url, timeout=30) as client:
            assert await _register_hotels(client, count=200, concurrency=16) == 200  # a backlog
            load = asyncio.create_task(_register_hotels(client, count=400, concurrency=8))
            relay = ServiceProcess("command_service", relay_env, free_port(), log_dir).start()
            await tap.wait_for(40)
            relay.kill()  # mid-stream: the backlog is far from published
            assert await fetchval(dsn, "SELECT count(*) FROM outbox") > 0
            intake.kill()  # and the intake dies while accepting commands
            accepted = await load
        committed = await event_ids_in_log(dsn)
        assert 200 + accepted <= len(committed)
        assert len(tap.event_ids) < len(committed)

        with ServiceProcess("command_service", relay_env, free_port(), log_dir):
            await wait_until(lambda: _outbox_empty(dsn), what="outbox drained")
            await tap.wait_for(len(committed))
        assert committed <= tap.event_ids


async def _register_hotels(client: httpx.AsyncClient, count: int, concurrency: int) -> int:
    """Send commands until the service dies; returns how many were accepted."""
    accepted = 0
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        nonlocal accepted
        async with gate:
            with contextlib.suppress(httpx.TransportError):
                if (await client.post("/hotels", json=hotel_body())).status_code == 202:
                    accepted += 1

    await asyncio.gather(*(one() for _ in range(count)))
    return accepted


async def _outbox_empty(dsn: str) -> bool:
    return await fetchval(dsn, "SELECT count(*) FROM outbox") == 0
