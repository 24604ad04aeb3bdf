"""A BookStay may decide on a room type remembered from an earlier booking (no read of its own); the
reservation holds the row and checks it, so a rate or capacity changed since — by another replica, or
behind the service's back — is never booked at the old value: the command runs again on a fresh read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from command_support import booking_body, command_client, fetch, fetchval, hotel_body, today
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess


async def test_a_rate_set_on_one_replica_is_the_rate_the_other_books_at(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    with (
        ServiceProcess("command_service", command_env, free_port(), log_dir) as first,
        ServiceProcess("command_service", command_env, free_port(), log_dir) as second,
    ):
        async with httpx.AsyncClient(headers=admin(), timeout=30) as client:
            hotel = hotel_body(capacity=5, rate="100.00")
            hotel_id = hotel["hotel_id"]
            assert (await client.post(f"{first.url}/hotels", json=hotel)).status_code == 202
            start = today() + timedelta(days=30)
            # The second replica books once: it now knows the room type at 100.00.
            before = await client.post(f"{second.url}/bookings", json=booking_body(hotel_id, start))
            assert before.status_code == 202, before.text
            rate = {"nightly_rate": {"amount": "140.00", "currency": "EUR"}}
            changed = await client.post(f"{first.url}/hotels/{hotel_id}/room-types/DBL/rate", json=rate)
            assert changed.status_code == 202, changed.text
            after = await client.post(f"{second.url}/bookings", json=booking_body(hotel_id, start))
            assert after.status_code == 202, after.text

    rates = {
        str(row["booking_id"]): (row["nightly_rate"], row["total_price"])
        for row in await fetch(dsn, "SELECT booking_id, nightly_rate, total_price FROM bookings")
    }
    assert rates[before.json()["aggregate_id"]] == (Decimal("100.00"), Decimal("200.00"))
    assert rates[after.json()["aggregate_id"]] == (Decimal("140.00"), Decimal("280.00"))
    booked = await fetch(
        dsn,
        "SELECT aggregate_id, data->'nightly_rate'->>'amount' AS rate FROM events"
        " WHERE event_type = 'StayBooked'",
    )
    assert {str(row["aggregate_id"]): row["rate"] for row in booked} == {
        before.json()["aggregate_id"]: "100.00",
        after.json()["aggregate_id"]: "140.00",
    }


async def test_rooms_taken_away_behind_the_service_are_not_booked(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, relay_enabled=False) as client:
        hotel = hotel_body(capacity=3)
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        start = today() + timedelta(days=40)
        assert (await client.post("/bookings", json=booking_body(hotel_id, start))).status_code == 202
        # Another writer (a replica's capacity change, an operator) leaves the room type without rooms.
        await fetchval(dsn, "UPDATE room_types SET capacity = 0 RETURNING 1")
        later = start + timedelta(days=5)
        refused = await client.post("/bookings", json=booking_body(hotel_id, later))
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"] == "https://innkeeper.dev/problems/business-rule"
        # With rooms again (more than before), bookings go through with the new capacity.
        await fetchval(dsn, "UPDATE room_types SET capacity = 7 RETURNING 1")
        accepted = await client.post("/bookings", json=booking_body(hotel_id, later))
        assert accepted.status_code == 202, accepted.text

    capacities = await fetch(dsn, "SELECT night, capacity FROM room_nights WHERE night >= $1", later)
    assert {row["capacity"] for row in capacities} == {7}
    assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 2
