"""The booking story end to end through the three real services, over HTTP and over AMQP.

Register two hotels, search, book, read with the command's consistency token (the FIRST read shows
the new state), cancel late, see the refund policy and the management alert; then a cancellation
with a half refund and a high-value alert. Commands go in either as a frontend (HTTP) or as another
service (AMQP messages with reply_to); the read side is the query service over HTTP in both cases.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from testkit.auth import admin
from testkit.commands import accepted
from testkit.innkeeper import Innkeeper

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from flow.reading import commands_over, read_fresh

BUSINESS_RULE = "https://innkeeper.dev/problems/business-rule"


@pytest.mark.parametrize("transport", ["http", "amqp"])
async def test_booking_story(innkeeper: Innkeeper, transport: str) -> None:
    await innkeeper.start()
    assert innkeeper.queries
    city = unique_city()
    harbour = register_hotel("Harbour Inn", city, 4, room("DBL", 2, "120.00"), room("STE", 1, "600.00"))
    fjord = register_hotel("Fjord Lodge", city, 3, room("DBL", 1, "90.00"))
    async with (
        commands_over(transport, innkeeper) as commands,
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query,
    ):
        registered, harbour_token = accepted(await commands.send("RegisterHotel", harbour))
        assert (registered.command, str(registered.aggregate_id)) == ("RegisterHotel", harbour["hotel_id"])
        assert (str(registered.hotel_id), registered.booking_id) == (harbour["hotel_id"], None)
        _, fjord_token = accepted(await commands.send("RegisterHotel", fjord))

        # A token names one write: read each hotel with its own before searching.
        detail = await read_fresh(query, f"/hotels/{harbour['hotel_id']}", harbour_token)
        assert [r["code"] for r in detail["room_types"]] == ["DBL", "STE"]
        check_in = today() + timedelta(days=1)  # under 48 h of notice: a late cancellation
        search = f"/hotels?city={city}&check_in={check_in}&check_out={check_in + timedelta(days=2)}"
        page = await read_fresh(query, search, fjord_token)
        assert [(h["name"], h["price_from"]["amount"]) for h in page["items"]] == [
            ("Fjord Lodge", "90.00"),
            ("Harbour Inn", "120.00"),
        ]

        # Book Fjord Lodge's only room: the first read with the token shows the booking.
        stay = book_stay(fjord["hotel_id"], "DBL", check_in, nights=2, guest_id=f"ann-{transport}")
        key = f"book-{stay['booking_id']}"
        booked, booked_token = accepted(await commands.send("BookStay", stay, message_id=key))
        assert str(booked.aggregate_id) == stay["booking_id"]
        assert (str(booked.booking_id), str(booked.hotel_id)) == (stay["booking_id"], fjord["hotel_id"])
        booking_path = f"/bookings/{stay['booking_id']}"
        booking = await read_fresh(query, booking_path, booked_token)
        assert (booking["status"], booking["hotel_name"], booking["nights"]) == ("active", "Fjord Lodge", 2)
        assert booking["total_price"] == {"amount": "180.00", "currency": "EUR"}
        # A retry with the same idempotency key gets the same answer and books nothing more.
        again = await commands.send("BookStay", stay, message_id=key)
        assert accepted(again)[1] == booked_token
        # Fjord Lodge is full on those nights now: another booking is refused, the search offers only Harbour.
        full = book_stay(fjord["hotel_id"], "DBL", check_in, nights=1)
        refused = await commands.send("BookStay", full, message_id=f"full-{full['booking_id']}")
        assert (refused["status"], refused["type"], refused["command"]) == (409, BUSINESS_RULE, "BookStay")
        # The problem names its occurrence: the request's path, or the message it answers.
        instance = "/bookings" if transport == "http" else f"urn:innkeeper:command:full-{full['booking_id']}"
        assert refused["instance"] == instance
        page = await read_fresh(query, search, booked_token)
        assert [h["name"] for h in page["items"]] == ["Harbour Inn"]

        # Cancel late: no refund, the guest is told, management is alerted.
        _, cancel_token = accepted(await commands.send("CancelBooking", cancel_booking(stay["booking_id"])))
        booking = await read_fresh(query, booking_path, cancel_token)
        assert (booking["status"], booking["cancellation_reason"]) == ("cancelled", "plans changed")
        assert booking["refund_policy"] == "none"
        assert booking["refund"] == {"amount": "0.00", "currency": "EUR"}
        alerts = await read_fresh(query, "/management/alerts", cancel_token)
        [alert] = alerts["items"]
        assert (alert["booking_id"], alert["hotel_name"]) == (stay["booking_id"], "Fjord Lodge")
        assert alert["kinds"] == ["late_cancellation"]
        assert alert["refund"] == {"amount": "0.00", "currency": "EUR"}
        guest = await read_fresh(query, f"/guests/ann-{transport}/bookings", cancel_token)
        assert [(b["booking_id"], b["status"]) for b in guest["items"]] == [(stay["booking_id"], "cancelled")]
        page = await read_fresh(query, search, cancel_token)  # the nights are free again
        assert [h["name"] for h in page["items"]] == ["Fjord Lodge", "Harbour Inn"]

        # 2-7 days of notice on a 1200.00 stay: half refund and a high-value alert.
        suite = book_stay(harbour["hotel_id"], "STE", today() + timedelta(days=4), nights=2)
        accepted(await commands.send("BookStay", suite))
        _, token = accepted(await commands.send("CancelBooking", cancel_booking(suite["booking_id"])))
        booking = await read_fresh(query, f"/bookings/{suite['booking_id']}", token)
        assert (booking["status"], booking["refund_policy"]) == ("cancelled", "half")
        assert booking["refund"] == {"amount": "600.00", "currency": "EUR"}
        alerts = await read_fresh(query, "/management/alerts", token)
        assert [(a["booking_id"], a["kinds"]) for a in alerts["items"]] == [
            (suite["booking_id"], ["high_value_cancellation"]),  # newest first
            (stay["booking_id"], ["late_cancellation"]),
        ]
        assert alerts["items"][0]["refund"] == {"amount": "600.00", "currency": "EUR"}
