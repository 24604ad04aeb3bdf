"""Who may erase a guest's personal data, over HTTP and AMQP alike (the command service in this process,
real PostgreSQL and RabbitMQ): the guest themself and an admin, a service only when granted; another
guest, staff (even of the guest's hotel) and a service not granted are refused 403; no identity 401.
Refused answers are problem details; nothing is erased by them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from command.command_support import booking_body, command_client, hotel_body
from testkit.auth import admin, auth_env, bearer

from security.test_amqp_senders import broker_user, connect

HTTP_CALLERS: dict[str, tuple[dict[str, str], int]] = {
    "anonymous": ({}, 401),
    "the guest": (bearer("guest", "erin-1"), 202),
    "another guest": (bearer("guest", "erin-2"), 403),
    "staff": (bearer("staff", "s-1"), 403),
    "admin": (admin(), 202),
    "service granted": (bearer("service", "privacy-desk"), 202),
    "service not granted": (bearer("service", "partner-portal"), 403),
}


@pytest.fixture
async def erasing(postgres_dsn: str, rabbitmq_url: str) -> AsyncIterator[dict[str, Any]]:
    """The command service with broker users for a guest and for staff (mapped by AMQP_SENDERS), the
    privacy desk granted EraseGuestData, and a booking of guest erin-1 at a hotel the staff works at."""
    env = {"POSTGRES_DSN": postgres_dsn, "RABBITMQ_URL": rabbitmq_url, **auth_env(rabbitmq_url)}
    with broker_user(rabbitmq_url, "erin") as guest, broker_user(rabbitmq_url, "desk") as staff:
        hotel = hotel_body()
        senders = {
            "guest": "service",
            guest[0]: "guest",
            staff[0]: {"role": "staff", "hotels": [hotel["hotel_id"]]},
        }
        grants = {"guest": "*", "privacy-desk": ["EraseGuestData"], "partner-portal": ["BookStay"]}
        async with command_client(env, amqp_senders=senders, service_grants=grants) as client:
            assert (await client.post("/hotels", json=hotel)).status_code == 202
            stay = booking_body(hotel["hotel_id"])
            stay["guest"]["guest_id"] = guest[0]
            assert (await client.post("/bookings", json=stay)).status_code == 202
            yield {"client": client, "guest": guest, "staff": staff, "dsn": postgres_dsn}


async def erasures(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(
            await connection.fetchval("SELECT count(*) FROM events WHERE event_type = 'GuestDataErased'")
        )
    finally:
        await connection.close()


async def test_each_caller_gets_its_status_over_http(erasing: dict[str, Any]) -> None:
    client: httpx.AsyncClient = erasing["client"]
    seen = {}
    for caller, (headers, _) in HTTP_CALLERS.items():
        answer = await client.post("/guests/erin-1/erase", headers={"Authorization": "", **headers})
        if answer.status_code != 202:
            assert answer.headers["content-type"] == "application/problem+json", caller
            assert answer.json()["status"] == answer.status_code
        seen[caller] = answer.status_code
    assert seen == {caller: status for caller, (_, status) in HTTP_CALLERS.items()}


async def test_each_sender_gets_its_status_over_amqp(erasing: dict[str, Any]) -> None:
    (guest_name, guest_url), (staff_name, staff_url) = erasing["guest"], erasing["staff"]
    before = await erasures(erasing["dsn"])
    guest_connection, as_guest = await connect(guest_url, guest_name)
    staff_connection, as_staff = await connect(staff_url, staff_name)
    try:
        other = await as_guest.send("EraseGuestData", {"guest_id": "erin-2"}, user_id=guest_name)
        by_staff = await as_staff.send("EraseGuestData", {"guest_id": guest_name}, user_id=staff_name)
        nobody = await as_staff.send("EraseGuestData", {"guest_id": guest_name}, direct=True)
        own = await as_guest.send("EraseGuestData", {"guest_id": guest_name}, user_id=guest_name)
        statuses = [
            (await sender.reply(correlation_id)).get("status")
            for sender, correlation_id in ((as_guest, other), (as_staff, by_staff), (as_staff, nobody))
        ]
        accepted = await as_guest.reply(own)
    finally:
        await guest_connection.close()
        await staff_connection.close()
    assert statuses == [403, 403, 401]
    assert (accepted["status"], accepted["command"]) == ("accepted", "EraseGuestData")
    assert await erasures(erasing["dsn"]) == before + 1, "only the guest's own erasure was recorded"
