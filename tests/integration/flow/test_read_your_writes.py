"""Read-your-writes across the real processes: the token's first read shows the write; without a token
the freshness headers tell the truth; with the projector stopped a token read answers stale, in bound."""

from __future__ import annotations

from datetime import timedelta

import httpx
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from flow.reading import read_fresh


async def test_reads_with_a_token_see_the_write_and_fall_back_to_stale_without_a_projector(
    innkeeper: Innkeeper,
) -> None:
    await innkeeper.start(STATUS_CACHE_SECONDS="0")
    quick = await innkeeper.start_query(CONSISTENCY_WAIT_SECONDS="0.5", STATUS_CACHE_SECONDS="0")
    assert innkeeper.command is not None
    hotel = register_hotel("Harbour Inn", unique_city(), 4, room("DBL", 3, "100.00"))
    hotel_path = f"/hotels/{hotel['hotel_id']}"
    async with (
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as http,
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query,
        httpx.AsyncClient(
            headers=admin(), base_url=quick.url, timeout=10
        ) as quick_query,  # a hang fails the test
    ):
        commands = HttpCommands(http)
        # With the token, the read right after each command returns the new state.
        _, token = accepted(await commands.send("RegisterHotel", hotel))
        assert (await read_fresh(query, hotel_path, token))["version"] == 1
        stays = [book_stay(hotel["hotel_id"], "DBL", today() + timedelta(days=10 + n), 2) for n in range(3)]
        for stay in stays:
            _, token = accepted(await commands.send("BookStay", stay))
            booking = await read_fresh(query, f"/bookings/{stay['booking_id']}", token)
            # The token names the booking's confirmation (version 2), the last event BookStay wrote.
            assert (token.aggregate_version, booking["status"], booking["version"]) == (2, "active", 2)
        price = {"amount": "80.00", "currency": "EUR"}
        rate = {"hotel_id": hotel["hotel_id"], "room_type": "DBL", "nightly_rate": price}
        _, token = accepted(await commands.send("SetNightlyRate", rate))
        detail = await read_fresh(query, hotel_path, token)
        assert detail["room_types"][0]["nightly_rate"]["amount"] == "80.00"
        capacity = {"hotel_id": hotel["hotel_id"], "room_type": "DBL", "capacity": 5}
        _, token = accepted(await commands.send("ChangeRoomCapacity", capacity))
        stay = f"check_in={stays[0]['check_in']}&check_out={stays[0]['check_out']}"
        availability = await read_fresh(query, f"{hotel_path}/availability?{stay}", token)
        nights = [(n["capacity"], n["booked"]) for n in availability["nights"]]
        assert nights == [(5, 1), (5, 2)]  # the second stay overlaps the first's second night

        # Without a token: eventual, and the position is the projector's highest applied one.
        head = await innkeeper.wait_caught_up()
        for client in (query, quick_query):
            answer = await client.get(hotel_path)
            assert answer.status_code == 200
            assert answer.headers["x-consistency"] == "eventual"
            assert answer.headers["x-read-model-position"] == str(head)
            assert "x-consistency-waited-ms" not in answer.headers

        # The projector stops: commands are still accepted, a token read waits its bound, answers stale.
        innkeeper.projectors[0].terminate()  # graceful stop (bounded wait)
        first = stays[0]["booking_id"]
        _, cancelled = accepted(await commands.send("CancelBooking", cancel_booking(first)))
        assert cancelled.global_position > head
        headers = {"X-Consistency-Token": cancelled.encode()}
        stale = await quick_query.get(f"/bookings/{first}", headers=headers)
        assert stale.status_code == 200
        assert stale.json()["status"] == "active"  # what the read model has, honestly marked
        assert stale.headers["x-consistency"] == "stale"
        assert stale.headers["cache-control"] == "no-store"
        assert stale.headers["x-read-model-position"] == str(head)
        assert int(stale.headers["x-consistency-waited-ms"]) >= 500
        eventual = await quick_query.get(f"/bookings/{first}")
        assert (eventual.headers["x-consistency"], eventual.headers["x-read-model-position"]) == (
            "eventual",
            str(head),
        )
        assert await innkeeper.log_head() > head  # the log is ahead, and the header says where we are

        # A projector is back: the same token now reads the cancellation.
        await innkeeper.start_projector()
        booking = await read_fresh(query, f"/bookings/{first}", cancelled)
        assert booking["status"] == "cancelled"
