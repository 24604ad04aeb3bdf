"""ChangeGuestContact end to end: the guest's new address reaches the booking page and every later message
about the booking (the cancellation's mail request carries it); a cancelled booking changes no more."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from testkit.auth import admin
from testkit.commands import accepted
from testkit.innkeeper import Innkeeper
from testkit.personal import opened

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from flow.reading import commands_over, read_fresh
from innkeeper_contracts.personal import SEALED_PREFIX

BUSINESS_RULE = "https://innkeeper.dev/problems/business-rule"


@pytest.mark.parametrize("transport", ["http", "amqp"])
async def test_a_new_address_reaches_the_page_and_later_mails(
    innkeeper: Innkeeper, flow_env: dict[str, str], transport: str
) -> None:
    await innkeeper.start()
    assert innkeeper.queries
    hotel = register_hotel("Harbour Inn", unique_city(), 4, room("DBL", 2, "120.00"))
    async with (
        commands_over(transport, innkeeper) as commands,
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query,
    ):
        accepted(await commands.send("RegisterHotel", hotel))
        stay = book_stay(hotel["hotel_id"], "DBL", today() + timedelta(days=10), nights=2)
        accepted(await commands.send("BookStay", stay))
        change = {"booking_id": stay["booking_id"], "email": "ann.berg@example.net"}
        changed, token = accepted(await commands.send("ChangeGuestContact", change))
        assert (changed.command, str(changed.booking_id)) == ("ChangeGuestContact", stay["booking_id"])

        booking = await read_fresh(query, f"/bookings/{stay['booking_id']}", token)
        assert booking["guest"] == {**stay["guest"], "email": "ann.berg@example.net", "erased": False}
        assert booking["version"] == 3  # booked, confirmation asked for, contact changed

        accepted(await commands.send("CancelBooking", cancel_booking(stay["booking_id"])))
        again = await commands.send("ChangeGuestContact", {**change, "email": "ann@example.org"})
        assert (again["status"], again["type"]) == (409, BUSINESS_RULE)

    connection = await asyncpg.connect(flow_env["POSTGRES_DSN"])
    try:
        rows = await connection.fetch(
            "SELECT event_type, data->>'email' AS email, data->>'template' AS template FROM events"
            " WHERE aggregate_id = $1 ORDER BY aggregate_version",
            UUID(stay["booking_id"]),
        )
    finally:
        await connection.close()
    # The log holds the addresses sealed under the guest's key; a reader with the key opens them.
    assert all(row["email"].startswith(SEALED_PREFIX) for row in rows if row["email"] is not None)
    dsn = flow_env["POSTGRES_DSN"]
    mails = [
        (row["template"], await opened(dsn, row["email"]))
        for row in rows
        if row["event_type"] == "GuestNotificationRequested"
    ]
    assert mails == [("booking_confirmed", "ann@example.com"), ("booking_cancelled", "ann.berg@example.net")]
    assert [
        await opened(dsn, row["email"]) for row in rows if row["event_type"] == "GuestContactChanged"
    ] == ["ann.berg@example.net"]
