"""Two query-service processes behind the same data: identical answers, and one SIGKILLed mid-load
loses no request the other can serve (a client that retries an idempotent GET on the other replica)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import timedelta

import httpx
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper
from testkit.services import ServiceProcess

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city

LOAD = 300
WORKERS = 6


class FailoverClient:
    """Round-robins GETs over replicas; on a connection error retries the same GET on the next one."""

    def __init__(self, http: httpx.AsyncClient, replicas: list[ServiceProcess]) -> None:
        self.http, self.urls = http, [replica.url for replica in replicas]
        self._turn = itertools.count()
        self.served: dict[str, int] = dict.fromkeys(self.urls, 0)
        self.failovers: Counter[str] = Counter()  # by error: refused, reset, closed mid-answer

    async def get(self, path: str) -> httpx.Response:
        first = next(self._turn)
        for attempt in range(len(self.urls)):
            url = self.urls[(first + attempt) % len(self.urls)]
            try:
                response = await self.http.get(url + path)
            except httpx.TransportError as error:  # a GET is safe to repeat elsewhere
                self.failovers[type(error).__name__] += 1
                continue
            self.served[url] += 1
            return response
        raise AssertionError(f"no replica answered {path}")


async def _populate(commands: HttpCommands, city: str) -> list[str]:
    """Three hotels, bookings, a late cancellation (alert); returns paths to read."""
    hotels = [
        register_hotel(f"Hotel {n}", city, 2 + n, room("DBL", 2, f"{100 + n}.00"), room("STE", 1, "400.00"))
        for n in range(3)
    ]
    for hotel in hotels:
        accepted(await commands.send("RegisterHotel", hotel))
    start = today() + timedelta(days=1)
    stays = [book_stay(hotel["hotel_id"], "DBL", start, 2, guest_id="ann") for hotel in hotels]
    for stay in stays:
        accepted(await commands.send("BookStay", stay))
    accepted(await commands.send("CancelBooking", cancel_booking(stays[0]["booking_id"])))
    hotel_id, end = hotels[1]["hotel_id"], start + timedelta(days=2)
    return [
        f"/hotels?city={city}",
        f"/hotels?city={city}&check_in={start}&check_out={end}&guests=2&sort=-stars",
        f"/hotels?city={city}&limit=1",
        f"/hotels/{hotel_id}",
        f"/hotels/{hotel_id}/availability?check_in={start}&check_out={end + timedelta(days=1)}",
        f"/bookings/{stays[1]['booking_id']}",
        f"/bookings/{stays[0]['booking_id']}",
        "/guests/ann/bookings",
        "/management/alerts",
    ]


async def test_two_replicas_answer_alike_and_a_sigkill_mid_load_loses_nothing(innkeeper: Innkeeper) -> None:
    await innkeeper.start(queries=2)
    assert innkeeper.command is not None
    first, second = innkeeper.queries
    city = unique_city()
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as http:
        paths = await _populate(HttpCommands(http), city)
    await innkeeper.wait_caught_up()

    expected: dict[str, bytes] = {}
    async with httpx.AsyncClient(headers=admin(), timeout=10) as http:
        for path in paths:
            a, b = await http.get(first.url + path), await http.get(second.url + path)
            assert (a.status_code, b.status_code) == (200, 200), (path, a.text, b.text)
            assert a.content == b.content, path
            assert a.headers["etag"] == b.headers["etag"], path
            cached = await http.get(second.url + path, headers={"If-None-Match": a.headers["etag"]})
            assert cached.status_code == 304, path
            expected[path] = a.content
        page = (await http.get(first.url + f"/hotels?city={city}&limit=1")).json()
        cursor = page["next_cursor"]
        rest = (await http.get(second.url + f"/hotels?city={city}&limit=5&cursor={cursor}")).json()
        assert len(page["items"] + rest["items"]) == 3  # a cursor from one replica pages on the other

    async with httpx.AsyncClient(headers=admin(), timeout=10) as http:
        client = FailoverClient(http, [first, second])
        results: list[tuple[str, httpx.Response]] = []
        requests = iter(range(LOAD))
        killed_after: list[int] = []

        async def worker() -> None:
            for n in requests:
                path = paths[n % len(paths)]
                results.append((path, await client.get(path)))
                if len(results) == LOAD // 3 and not killed_after:
                    killed_after.append(len(results))
                    first.kill()  # SIGKILL while the other workers' requests are in flight

        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    assert len(results) == LOAD
    assert [(path, r.status_code) for path, r in results if r.status_code != 200] == []
    assert [path for path, r in results if r.content != expected[path]] == []
    assert killed_after == [LOAD // 3]
    assert client.served[first.url] >= LOAD // 6 - WORKERS  # its share until it died, less those cut
    # Requests met the dead replica (refused, or cut mid-answer) and were served by the other.
    assert client.failovers.total() >= 1, client.failovers
    assert first.process is not None
    assert first.process.returncode == -9
