"""No overbooking: concurrent bookings through two real replicas never exceed the capacity."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from command_support import booking_body, command_client, fetch, fetchval, hotel_body, today
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess


async def test_twenty_concurrent_bookings_for_three_rooms_two_replicas(
    command_env: dict[str, str], log_dir: Path
) -> None:
    env = {**command_env, "POSTGRES_POOL_SIZE": "10"}
    with (
        ServiceProcess("command_service", env, free_port(), log_dir) as first,
        ServiceProcess("command_service", env, free_port(), log_dir) as second,
    ):
        async with httpx.AsyncClient(headers=admin(), timeout=30) as client:
            hotel = hotel_body(capacity=3)
            assert (await client.post(f"{first.url}/hotels", json=hotel)).status_code == 202
            stay = booking_body(hotel["hotel_id"], nights=4)
            replicas = [first.url, second.url]
            answers = await asyncio.gather(
                *(client.post(f"{replicas[n % 2]}/bookings", json=stay) for n in range(20))
            )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [202] * 3 + [409] * 17
    assert {answer.json()["type"] for answer in answers if answer.status_code == 409} == {
        "https://innkeeper.dev/problems/business-rule"
    }
    nights = await fetch(
        command_env["POSTGRES_DSN"], "SELECT night, booked, capacity FROM room_nights ORDER BY night"
    )
    assert [(row["booked"], row["capacity"]) for row in nights] == [(3, 3)] * 4
    bookings = await fetch(command_env["POSTGRES_DSN"], "SELECT count(*) AS n FROM bookings")
    assert bookings[0]["n"] == 3
    booked_events = await fetch(
        command_env["POSTGRES_DSN"], "SELECT count(*) AS n FROM events WHERE event_type = 'StayBooked'"
    )
    assert booked_events[0]["n"] == 3


async def test_capacity_changes_racing_bookings_keep_every_night_consistent(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    rng = random.Random(7)
    async with command_client(command_env, relay_enabled=False, postgres_pool_size=12) as client:
        hotel = hotel_body(capacity=6)
        hotel_id = hotel["hotel_id"]
        await client.post("/hotels", json=hotel)
        start = today() + timedelta(days=10)

        def stay() -> dict[str, Any]:
            return booking_body(hotel_id, start + timedelta(days=rng.randrange(4)), nights=rng.randint(1, 3))

        earlier = [await client.post("/bookings", json=stay()) for _ in range(8)]
        cancels = [f"/bookings/{answer.json()['aggregate_id']}/cancel" for answer in earlier]
        capacity_url = f"/hotels/{hotel_id}/room-types/DBL/capacity"
        work = (
            [client.post("/bookings", json=stay()) for _ in range(32)]
            + [client.post(url, json={"reason": "race"}) for url in cancels]
            + [client.post(capacity_url, json={"capacity": rng.randint(2, 8)}) for _ in range(12)]
        )
        rng.shuffle(work)
        answers = await asyncio.gather(*work)

    assert {answer.status_code for answer in answers} <= {202, 409}
    assert any(answer.status_code == 202 for answer in answers)
    capacity = await fetchval(dsn, "SELECT capacity FROM room_types")
    nights = await fetch(dsn, "SELECT night, booked, capacity FROM room_nights")
    active = await fetch(
        dsn,
        "SELECT night::date AS night, count(*) AS n FROM bookings,"
        " generate_series(check_in, check_out - 1, interval '1 day') AS night"
        " WHERE status = 'active' GROUP BY 1",
    )
    per_night = {row["night"]: row["n"] for row in active}
    for row in nights:
        assert row["booked"] <= row["capacity"] == capacity
        assert row["booked"] == per_night.get(row["night"], 0)
