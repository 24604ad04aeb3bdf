"""The booking the observability tests drive through a running system."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from flow.payloads import book_stay, register_hotel, room, today, unique_city
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper


async def book_and_read(system: Innkeeper) -> dict[str, Any]:
    """A hotel, then a stay booked over HTTP and read at once from the query service with the booking's
    consistency token (it waits for the projector). Returns the booking."""
    assert system.command is not None
    async with httpx.AsyncClient(base_url=system.command.url, headers=admin(), timeout=30) as client:
        commands = HttpCommands(client)
        hotel = register_hotel("Harbour Inn", unique_city(), 4, room("STE", 3, "120.00"))
        accepted(await commands.send("RegisterHotel", hotel))
        stay = book_stay(hotel["hotel_id"], "STE", today() + timedelta(days=4), nights=2)
        _, token = accepted(await commands.send("BookStay", stay))
    async with httpx.AsyncClient(base_url=system.queries[0].url, headers=admin(), timeout=30) as client:
        answer = await client.get(
            f"/bookings/{stay['booking_id']}", headers={"X-Consistency-Token": token.encode()}
        )
    assert answer.status_code == 200, answer.text
    return stay
