"""Outages: PostgreSQL down → 503 and nothing written; RabbitMQ down → 202, events wait in the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
from command_support import (
    booking_body,
    command_client,
    command_sender,
    dead_letters_now,
    event_ids_in_log,
    event_tap,
    fetchval,
    hotel_body,
    wait_for_intake,
    wait_until,
)
from database_locks import counted
from testkit.auth import admin
from testkit.infra import free_port
from testkit.proxy import TcpProxy, through
from testkit.services import ServiceProcess


async def test_postgres_down_answers_503_problem(command_env: dict[str, str]) -> None:
    unreachable = {**command_env, "POSTGRES_DSN": f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"}
    async with command_client(unreachable, wait_ready=False, postgres_connect_timeout=1) as client:
        answer = await client.post("/hotels", json=hotel_body(), headers={"Idempotency-Key": "k"})
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert (answer.json()["status"], answer.json()["type"]) == (
            503,
            "https://innkeeper.dev/problems/unavailable",
        )
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
            async with httpx.AsyncClient(headers=admin(), base_url=cut_off.url, timeout=30) as client:
                hotel = hotel_body()
                assert (await client.post("/hotels", json=hotel)).status_code == 202
                booked = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
                assert booked.status_code == 202
                ready = (await client.get("/readyz")).json()
                assert (ready["postgres"], ready["rabbitmq"]) == ("up", "down")
            committed = await event_ids_in_log(dsn)
            assert len(committed) == 3  # the hotel, the stay and its confirmation
            assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 3

            with ServiceProcess("command_service", command_env, free_port(), log_dir):
                await tap.wait_for(3)

                async def drained() -> bool:
                    return await fetchval(dsn, "SELECT count(*) FROM outbox") == 0

                await wait_until(drained, what="outbox drained")
            assert tap.event_ids == committed
            async with httpx.AsyncClient(headers=admin(), base_url=cut_off.url) as client:
                assert (await client.get("/healthz")).status_code == 200  # still alive, still retrying


async def test_connection_to_postgres_lost_under_load_leaves_nothing_half_written(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    proxy = TcpProxy(target_port=urlsplit(dsn).port or 5432)
    await proxy.start()
    env = {**command_env, "POSTGRES_DSN": through(dsn, proxy)}
    async with command_client(env, relay_enabled=False, postgres_connect_timeout=1) as client:
        hotel = hotel_body(capacity=500)
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        statuses: list[int] = []

        async def book() -> None:
            answer = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
            statuses.append(answer.status_code)

        async def load(count: int) -> None:
            gate = asyncio.Semaphore(8)

            async def one() -> None:
                async with gate:
                    await book()

            await asyncio.gather(*(one() for _ in range(count)))

        running = asyncio.create_task(load(120))
        await wait_until(_at_least(statuses, 20), what="some bookings before the cut")
        await proxy.cut()  # PostgreSQL is gone for this service, mid-stream
        await running
        assert 503 in statuses
        down = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
        assert (down.status_code, down.json()["type"]) == (503, "https://innkeeper.dev/problems/unavailable")

        await proxy.start()  # and back: the pool reconnects
        again = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
        assert again.status_code == 202

    assert set(statuses) <= {202, 503}
    bookings = await fetchval(dsn, "SELECT count(*) FROM bookings")
    accepted = statuses.count(202) + 1
    assert accepted <= bookings <= accepted + statuses.count(503)  # committed, answer lost: allowed
    # Every booking has its events (the stay, its confirmation), their outbox rows and its nights; no
    # event without its booking.
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'StayBooked'") == bookings
    assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 2 * bookings + 1
    assert await fetchval(dsn, "SELECT max(booked) FROM room_nights") == bookings
    orphans = "SELECT count(*) FROM events e LEFT JOIN bookings b ON b.booking_id = e.aggregate_id"
    assert await fetchval(dsn, orphans + " WHERE e.aggregate_type = 'booking' AND b.booking_id IS NULL") == 0


async def test_relay_and_intake_recover_when_rabbitmq_comes_back(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    proxy = TcpProxy(target_port=urlsplit(url).port or 5672)
    await proxy.start()
    service = ServiceProcess(
        "command_service", {**command_env, "RABBITMQ_URL": through(url, proxy)}, free_port(), log_dir
    )
    async with (
        event_tap(url) as tap,
        httpx.AsyncClient(headers=admin(), base_url=service.url, timeout=30) as client,
    ):
        await asyncio.to_thread(service.start)
        try:
            await wait_for_intake(client)
            hotel = hotel_body()
            assert (await client.post("/hotels", json=hotel)).status_code == 202
            await tap.wait_for(1)

            await proxy.cut()  # RabbitMQ is gone for this service
            for _ in range(3):
                assert (
                    await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
                ).status_code == 202
            assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 6  # each stay, its confirmation

            await proxy.start()  # robust connections come back on their own
            await tap.wait_for(7, limit=40)
            await wait_until(_outbox_empty(dsn), what="outbox drained")
            assert tap.event_ids == await event_ids_in_log(dsn)

            await wait_for_intake(client)
            async with command_sender(url) as sender:
                await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="after")
                await sender.wait_for_replies(1)
            assert sender.reply_to("after")["status"] == "accepted"
        finally:
            await asyncio.to_thread(service.kill)


def _at_least(statuses: list[int], count: int) -> Callable[[], Awaitable[bool]]:
    async def reached() -> bool:
        return len(statuses) >= count

    return reached


def _outbox_empty(dsn: str) -> Callable[[], Awaitable[bool]]:
    async def empty() -> bool:
        return await fetchval(dsn, "SELECT count(*) FROM outbox") == 0

    return empty


async def test_amqp_command_waits_for_postgres_and_is_not_dead_lettered_while_it_is_down(
    command_env: dict[str, str],
) -> None:
    """Held by the intake and tried again, not put back in the queue (where every return would count
    towards the delivery limit, and a long outage would dead-letter it)."""
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    proxy = TcpProxy(target_port=urlsplit(dsn).port or 5432)
    await proxy.start()
    env = {**command_env, "POSTGRES_DSN": through(dsn, proxy)}
    async with (
        command_client(env, relay_enabled=False, postgres_connect_timeout=1) as client,
        command_sender(url) as sender,
    ):
        await wait_for_intake(client)
        before = await counted(client, "RegisterHotel", "unavailable")
        await proxy.cut()
        await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="waits")

        async def retried_twice() -> bool:
            return await counted(client, "RegisterHotel", "unavailable") >= before + 2

        await wait_until(retried_twice, what="the command tried, and tried again")
        assert sender.replies == []
        await proxy.start()
        await sender.wait_for_replies(1)
    assert sender.reply_to("waits")["status"] == "accepted"
    assert await fetchval(dsn, "SELECT count(*) FROM hotels") == 1
    assert await dead_letters_now(url) == 0
