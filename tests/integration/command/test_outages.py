"""Outages: PostgreSQL down → 503 and nothing written; RabbitMQ down → 202, events wait in the outbox."""

from __future__ import annotations

from pathlib import Path

import httpx
from command_support import (
    booking_body,
    command_client,
    event_ids_in_log,
    event_tap,
    fetchval,
    hotel_body,
    wait_until,
)
from testkit.infra import free_port
from testkit.services import ServiceProcess


async def test_postgres_down_answers_503_problem(command_env: dict[str, str]) -> None:
    unreachable = {**command_env, "POSTGRES_DSN": f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"}
    async with command_client(unreachable, wait_ready=False, postgres_connect_timeout=1) as client:
        answer = await client.post("/hotels", json=hotel_body(), headers={"Idempotency-Key": "k"})
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert (answer.json()["status"], answer.json()["type"]) == (503, "unavailable")
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["postgres"] == "down"
        assert (await client.get("/healthz")).status_code == 200


async def test_rabbitmq_down_still_accepts_and_the_outbox_waits(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    no_broker = {**command_env, "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    async with event_tap(command_env["RABBITMQ_URL"]) as tap:
        with ServiceProcess("command_service", no_broker, free_port(), log_dir) as cut_off:
            async with httpx.AsyncClient(base_url=cut_off.url, timeout=30) as client:
                hotel = hotel_body()
                assert (await client.post("/hotels", json=hotel)).status_code == 202
                booked = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
                assert booked.status_code == 202
                ready = (await client.get("/readyz")).json()
                assert (ready["postgres"], ready["rabbitmq"]) == ("up", "down")
            committed = await event_ids_in_log(dsn)
            assert len(committed) == 2
            assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 2

            with ServiceProcess("command_service", command_env, free_port(), log_dir):
                await tap.wait_for(2)

                async def drained() -> bool:
                    return await fetchval(dsn, "SELECT count(*) FROM outbox") == 0

                await wait_until(drained, what="outbox drained")
            assert tap.event_ids == committed
            async with httpx.AsyncClient(base_url=cut_off.url) as client:
                assert (await client.get("/healthz")).status_code == 200  # still alive, still retrying
