"""Bad query input against the real query-service process is a 4xx, never a 5xx.

Only the cases `tests/integration/query/test_bad_input.py` (in-process, seeded documents) does not
have: tampered cursors that still carry the right query fingerprint (or a real cursor with characters
that base64 decoding would skip), bytes that are not UTF-8,
NUL characters, numbers beyond 64 bits, datetimes where dates belong, an oversized query string.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from flow.reading import read_fresh


def tampered(cursor: str, **changes: Any) -> str:
    """A real cursor (right fingerprint) with its sort key or id replaced."""
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw = json.dumps({**payload, **changes}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_bad_query_input_of_every_kind_is_a_client_error(innkeeper: Innkeeper) -> None:
    await innkeeper.start()
    assert innkeeper.command is not None
    city = unique_city()
    hotels = [register_hotel(f"Hotel {n}", city, 3, room("DBL", 2, f"{100 + n}.00")) for n in range(3)]
    async with (
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as http,
        httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query,
    ):
        commands = HttpCommands(http)
        for hotel in hotels:
            accepted(await commands.send("RegisterHotel", hotel))
        stays = [
            book_stay(hotels[0]["hotel_id"], "DBL", today() + timedelta(days=1), 1, "ann") for _ in range(2)
        ]
        for stay in stays:
            accepted(await commands.send("BookStay", stay))
            _, token = accepted(await commands.send("CancelBooking", cancel_booking(stay["booking_id"])))
            await read_fresh(query, "/management/alerts", token)
        await innkeeper.wait_caught_up()

        async def cursor_of(path: str) -> str:
            page = (await query.get(path)).json()
            assert page["next_cursor"], page
            return str(page["next_cursor"])

        hotels_cursor = await cursor_of(f"/hotels?city={city}&limit=1")
        alerts_cursor = await cursor_of("/management/alerts?limit=1")
        guest_cursor = await cursor_of("/guests/ann/bookings?limit=1")
        hotel_id = hotels[0]["hotel_id"]
        bad = [
            f"/hotels?city={city}&limit=1&cursor={tampered(hotels_cursor, k=2**64)}",
            f"/hotels?city={city}&limit=1&cursor={tampered(hotels_cursor, k=-(2**70))}",
            f"/hotels?city={city}&limit=1&cursor={tampered(hotels_cursor, k='x' * 900)}",
            f"/hotels?city={city}&limit=1&cursor={tampered(hotels_cursor, i={'$gt': ''})}",
            f"/hotels?city={city}&limit=1&cursor={tampered(hotels_cursor, k=1.5)}",
            f"/management/alerts?limit=1&cursor={tampered(alerts_cursor, k=2**64)}",
            f"/management/alerts?limit=1&cursor={tampered(alerts_cursor, k=None)}",
            f"/guests/ann/bookings?limit=1&cursor={tampered(guest_cursor, k=2**64)}",
            f"/management/alerts?cursor={hotels_cursor}",  # a real cursor of another list
            # A real cursor with characters base64 decoding would skip: not the form the service writes.
            f"/hotels?city={city}&limit=1&cursor={hotels_cursor}%3D%3D",
            f"/hotels?city={city}&limit=1&cursor={hotels_cursor}%21%21",
            f"/hotels?city={city}&limit=1&cursor=%20{hotels_cursor}",
            "/hotels/%FF",
            "/guests/%FF/bookings",
            "/guests/ann%00/bookings",
            "/hotels?limit=18446744073709551617",
            "/hotels?guests=",
            "/management/alerts?limit=",
            "/hotels?check_in=2027-03-01T10:00:00&check_out=2027-03-02",
            "/hotels?check_in=9999-12-31&check_out=10000-01-01",
            f"/hotels/{hotel_id}/availability?check_in=2027-01-01&check_out=2027-01-01",
            f"/hotels/{hotel_id}/availability?check_in=9999-12-30&check_out=10000-01-01",
            f"/hotels/{hotel_id}/availability?check_in=2027-01-01&check_out=2027-01-01&check_out=x",
            "/hotels?city=" + "x" * 20_000,
            "/hotels?city=a%00b",  # no hotel's city can hold a NUL (the contracts' text rule): 422
            "/hotels?city=%E2%80%AEnegreB",  # nor a bidi override
        ]
        # Odd but not wrong: bytes that are not UTF-8 are read as U+FFFD, a city that matches no hotel.
        odd = ["/hotels?city=%FF%FE"]
        answers = {path[:120]: await query.get(path) for path in bad}
        odd_answers = {path: await query.get(path) for path in odd}
    summary = {p: (a.status_code, a.text[:300]) for p, a in answers.items()}
    assert {p: s for p, s in summary.items() if not 400 <= s[0] < 500} == {}
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers.values())
    assert {p: a.status_code for p, a in odd_answers.items() if a.status_code >= 500} == {}
