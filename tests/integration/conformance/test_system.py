"""LocalSystem, once started: every replica answers, run_local restarts a killed projector, a partition
from PostgreSQL turns commands into 503 until it heals, the store comes back on its data, and stop()
leaves no database, vhost or broker user behind."""

from __future__ import annotations

import asyncio
import signal
import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from conformance.commands import register_hotel
from conformance.system_local import LocalSystem

READY = 60.0


@pytest.fixture
async def system() -> AsyncIterator[LocalSystem]:
    system = LocalSystem("integration-test", replicas=2)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


async def post_hotel(client: httpx.AsyncClient, url: str, token: str) -> int:
    body = register_hotel(1, 2).body
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    try:
        return (await client.post(f"{url}/hotels", json=body, headers=headers, timeout=5)).status_code
    except httpx.HTTPError:
        return 0


async def answers(client: httpx.AsyncClient, system: LocalSystem, status: int) -> None:
    """Bounded wait until a POST to the first command replica is answered with `status`."""
    seen = []
    for _ in range(150):
        seen.append(await post_hotel(client, system.endpoints.command_urls[0], system.endpoints.admin_token))
        if seen[-1] == status:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"never answered {status}: {seen[-10:]}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_a_local_system_answers_restarts_partitions_and_cleans_up(system: LocalSystem) -> None:
    endpoints = system.endpoints
    assert len(endpoints.command_urls) == len(endpoints.query_urls) == len(endpoints.projector_urls) == 2
    async with httpx.AsyncClient() as client:
        for urls in endpoints.service_urls().values():
            for url in urls:
                assert (await client.get(f"{url}/healthz")).status_code == 200
                assert (await client.get(f"{url}/readyz")).status_code == 200
        assert len(system.pids("projector")) == 2
        assert len(system.pids("notifier")) == 1

        killed = system.signal("projector", signal.SIGKILL, replica=1)
        assert await system.ready_seconds(READY) >= 0
        for _ in range(100):  # run_local restarts it (1 s backoff): a new pid on the same port
            if len(system.pids("projector")) == 2 and killed not in system.pids("projector"):
                break
            await asyncio.sleep(0.2)
        assert killed not in system.pids("projector")
        assert len(system.pids("projector")) == 2
        await system.ready_seconds(READY)

        await answers(client, system, 202)
        await system.proxies["postgres"].cut()
        await answers(client, system, 503)
        await system.proxies["postgres"].restore()
        await answers(client, system, 202)

        store_port = int(endpoints.mongodb_url.split(":")[2].split("/")[0])
        await system.kill_store()
        assert not listening(store_port)
        await system.start_store()
        assert listening(store_port)
        await system.ready_seconds(READY)
        assert (endpoints.run_dir / "mongo").is_dir()
        assert endpoints.env["POSTGRES_DSN"] == endpoints.postgres_dsn
        assert endpoints.env["RABBITMQ_URL"].startswith(f"amqp://{system.user_prefix}projector:")

    await system.stop()
    system.run_local = None  # the fixture's stop() then has nothing left to do but the (idempotent) drops
    connection = await asyncpg.connect(system.admin_dsn)
    try:
        left = await connection.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname = $1", system.database
        )
    finally:
        await connection.close()
    assert left == 0
    async with system.management.client() as api:
        assert (await api.get(f"/api/vhosts/{system.vhost}")).status_code == 404
        users = [user["name"] for user in (await api.get("/api/users")).json()]
        assert [user for user in users if user.startswith(system.user_prefix)] == []
