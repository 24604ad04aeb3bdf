"""No overbooking: concurrent bookings through two real replicas never exceed the capacity."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from command_support import booking_body, fetch, hotel_body
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
        async with httpx.AsyncClient(timeout=30) as client:
            hotel = hotel_body(capacity=3)
            assert (await client.post(f"{first.url}/hotels", json=hotel)).status_code == 202
            stay = booking_body(hotel["hotel_id"], nights=4)
            replicas = [first.url, second.url]
            answers = await asyncio.gather(
                *(client.post(f"{replicas[n % 2]}/bookings", json=stay) for n in range(20))
            )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [202] * 3 + [409] * 17
    assert {answer.json()["type"] for answer in answers if answer.status_code == 409} == {"business-rule"}
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
