"""A booking takes every night of its stay or none, also when its write is a single statement with no
transaction around it (a room type the service knows already, and a booking id chosen by the client:
the reservation, the booking and the events are one statement)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import asyncpg
import httpx
from command_support import booking_body, command_client, fetch, fetchval, hotel_body, today
from testkit.waiting import wait_until

from innkeeper_contracts.eventlog import APPEND_LOCK, READ_HORIZON, WAIT_FOR_APPENDS


async def _refused_across_a_full_night(client: httpx.AsyncClient, hotel_id: str, warm: bool) -> None:
    start = today() + timedelta(days=60)
    full = start + timedelta(days=2)
    if warm:  # a booking elsewhere first: the service now knows the room type
        far = start + timedelta(days=30)
        assert (await client.post("/bookings", json=booking_body(hotel_id, far))).status_code == 202
    taken = await client.post("/bookings", json=booking_body(hotel_id, full, nights=1))
    assert taken.status_code == 202, taken.text

    stay = booking_body(hotel_id, start, nights=4, booking_id=str(uuid4()))
    refused = await client.post("/bookings", json=stay)

    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "https://innkeeper.dev/problems/business-rule"
    assert refused.json()["detail"] == f"no 'DBL' room free on {full.isoformat()}"


async def _nights_booked(dsn: str, hotel_id: str) -> dict[str, int]:
    rows = await fetch(dsn, "SELECT night, booked FROM room_nights WHERE hotel_id = $1::uuid", hotel_id)
    return {row["night"].isoformat(): row["booked"] for row in rows if row["booked"]}


async def _hotel_with_one_room(client: httpx.AsyncClient) -> str:
    hotel = hotel_body(capacity=1)
    assert (await client.post("/hotels", json=hotel)).status_code == 202
    return str(hotel["hotel_id"])


async def test_a_stay_across_a_full_night_takes_no_night_in_one_statement(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, relay_enabled=False) as client:
        hotel_id = await _hotel_with_one_room(client)
        await _refused_across_a_full_night(client, hotel_id, warm=True)

    start = today() + timedelta(days=60)
    assert await _nights_booked(dsn, hotel_id) == {
        (start + timedelta(days=2)).isoformat(): 1,
        (start + timedelta(days=30)).isoformat(): 1,
        (start + timedelta(days=31)).isoformat(): 1,
    }
    assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 2
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'StayBooked'") == 2
    assert (
        await fetchval(dsn, "SELECT count(*) FROM outbox") == 5
    )  # the hotel, two stays, their confirmations


async def test_a_stay_across_a_full_night_takes_no_night_in_a_transaction(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, relay_enabled=False) as client:
        hotel_id = await _hotel_with_one_room(client)
    # A new process knows no room type: the booking reads it first, in a transaction.
    async with command_client(command_env, relay_enabled=False) as client:
        await _refused_across_a_full_night(client, hotel_id, warm=False)

    full = today() + timedelta(days=62)
    assert await _nights_booked(dsn, hotel_id) == {full.isoformat(): 1}
    assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 1
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'StayBooked'") == 1


async def test_a_lone_booking_waiting_for_a_night_holds_no_append_lock_and_no_position(
    command_env: dict[str, str],
) -> None:
    """The nights are taken before the append lock and the positions: a booking stuck on a busy night
    holds back neither the horizon readers nor the sequence."""
    dsn = command_env["POSTGRES_DSN"]
    night = today() + timedelta(days=90)
    blocker, probe = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        async with command_client(command_env, relay_enabled=False) as client:
            hotel = hotel_body(capacity=5)
            hotel_id = hotel["hotel_id"]
            assert (await client.post("/hotels", json=hotel)).status_code == 202
            known = booking_body(hotel_id, night, nights=1)  # the service now knows the room type
            assert (await client.post("/bookings", json=known)).status_code == 202
            sequence = await probe.fetchval("SELECT last_value FROM events_global_position_seq")
            await blocker.execute("BEGIN")
            await blocker.execute("SELECT 1 FROM room_nights WHERE night = $1 FOR UPDATE", night)
            stay = booking_body(hotel_id, night, nights=1, booking_id=str(uuid4()))
            booking = asyncio.create_task(client.post("/bookings", json=stay))
            await wait_until(lambda: _waits_for_a_row(probe), what="the booking waiting for the night")

            assert not await probe.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", APPEND_LOCK
            )
            assert await probe.fetchval("SELECT last_value FROM events_global_position_seq") == sequence
            async with probe.transaction():  # a horizon read goes through at once
                await asyncio.wait_for(probe.execute(WAIT_FOR_APPENDS), 5)
                assert await probe.fetchval(READ_HORIZON) == sequence
            await blocker.execute("ROLLBACK")
            assert (await asyncio.wait_for(booking, 10)).status_code == 202
    finally:
        await blocker.close()
        await probe.close()


async def _waits_for_a_row(probe: asyncpg.Connection) -> bool:
    return bool(
        await probe.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
    )
