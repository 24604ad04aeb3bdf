"""`/readyz` follows the dependencies each service needs, without a restart: every service reaches
PostgreSQL, RabbitMQ and MongoDB through a TCP proxy the test cuts and restores (the shared servers stay
up for the other tests). The command service needs PostgreSQL (503 while it is cut, nothing written)
and only reports RabbitMQ (still 200, commands wait in the outbox and are published when it returns);
the projector needs RabbitMQ and MongoDB; the query service needs MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from testkit.auth import admin
from testkit.innkeeper import Innkeeper
from testkit.proxy import TcpProxy, through
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from operations.support import hotel, stay

DEPENDENCIES = {"POSTGRES_DSN": 5432, "RABBITMQ_URL": 5672, "MONGODB_URL": 27017}


@asynccontextmanager
async def proxied(env: dict[str, str]) -> AsyncIterator[tuple[dict[str, str], dict[str, TcpProxy]]]:
    proxies = {name: TcpProxy.to(env[name], port) for name, port in DEPENDENCIES.items()}
    for proxy in proxies.values():
        await proxy.start()
    try:
        yield {**env, **{name: through(env[name], proxies[name]) for name in proxies}}, proxies
    finally:
        for proxy in proxies.values():
            await proxy.cut()


async def readiness(process: ServiceProcess) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(headers=admin(), base_url=process.url, timeout=10) as client:
        answer = await client.get("/readyz")
        return answer.status_code, answer.json()


async def wait_readiness(process: ServiceProcess, code: int, **checks: Any) -> dict[str, Any]:
    """Wait until `/readyz` answers `code` with the given checks (top level or under `checks`)."""
    seen: dict[str, Any] = {}

    async def holds() -> bool:
        nonlocal seen
        answered, body = await readiness(process)
        seen = {**body, **body.get("checks", {})}
        return answered == code and all(seen.get(key) == value for key, value in checks.items())

    await wait_until(holds, 30, f"{process.module} /readyz {code} {checks}")
    return seen


async def test_readiness_follows_each_dependency_and_recovers_without_a_restart(
    operations_env: dict[str, str], log_dir: Path
) -> None:
    async with proxied(operations_env) as (env, proxies):
        system = Innkeeper(env, log_dir)
        try:
            await system.start()
            await _flip_all(system, proxies)
        finally:
            await system.close()


async def _flip_all(system: Innkeeper, proxies: dict[str, TcpProxy]) -> None:
    command, [projector], [query] = system.command, system.projectors, system.queries
    assert command is not None
    pids = [process.process.pid for process in system.processes if process.process]
    async with (
        httpx.AsyncClient(headers=admin(), base_url=command.url, timeout=30) as commands,
        httpx.AsyncClient(headers=admin(), base_url=query.url, timeout=30) as queries,
    ):
        # PostgreSQL cut: the command service is not ready and refuses commands (nothing written).
        await proxies["POSTGRES_DSN"].cut()
        await wait_readiness(command, 503, postgres="down")
        refused = await commands.post("/hotels", json=hotel())
        assert (refused.status_code, refused.json()["type"]) == (
            503,
            "https://innkeeper.dev/problems/unavailable",
        )
        await wait_readiness(projector, 200)  # the projector reads the log only to heal gaps
        await proxies["POSTGRES_DSN"].restore()
        await wait_readiness(command, 200, postgres="up")
        registered = hotel()
        assert (await commands.post("/hotels", json=registered)).status_code == 202

        # RabbitMQ cut: the projector is not ready; the command service stays ready and accepts.
        await proxies["RABBITMQ_URL"].cut()
        await wait_readiness(projector, 503, rabbitmq=False, mongodb=True)
        await wait_readiness(command, 200, rabbitmq="down", postgres="up")
        booked = stay(registered["hotel_id"])
        accepted = await commands.post("/bookings", json=booked)
        assert accepted.status_code == 202
        await proxies["RABBITMQ_URL"].restore()
        await wait_readiness(projector, 200, rabbitmq=True)
        await wait_readiness(command, 200, rabbitmq="up")
        # ... and the booking accepted meanwhile reaches the read model once the broker is back.
        token = {"X-Consistency-Token": accepted.json()["consistency_token"]}
        read = await queries.get(f"/bookings/{booked['booking_id']}", headers=token)
        assert (read.status_code, read.headers["x-consistency"]) == (200, "caught-up")

        # MongoDB cut: neither the projector nor the query service is ready.
        await proxies["MONGODB_URL"].cut()
        await wait_readiness(query, 503, status="unavailable")
        await wait_readiness(projector, 503, mongodb=False)
        await wait_readiness(command, 200)  # the write side does not need the read model
        await proxies["MONGODB_URL"].restore()
        await wait_readiness(query, 200, status="ok")
        await wait_readiness(projector, 200, mongodb=True, rabbitmq=True)

    # Nothing half-written by the refused command, nothing lost: the two accepted commands' events, all
    # published (the outbox is empty).
    rows = await system.fetch("SELECT event_type FROM events ORDER BY global_position")
    assert [row["event_type"] for row in rows] == [
        "HotelRegistered",
        "StayBooked",
        "GuestNotificationRequested",
    ]
    assert (await system.fetch("SELECT count(*) AS n FROM outbox"))[0]["n"] == 0
    # Nobody was restarted.
    assert [process.process.pid for process in system.processes if process.process] == pids
    assert all(process.process and process.process.poll() is None for process in system.processes)
