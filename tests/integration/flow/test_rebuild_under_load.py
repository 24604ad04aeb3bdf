"""`python -m projector rebuild` while commands keep flowing through the real services.

Bookings and cancellations (some late, some high value) go in over HTTP before, during and after the
rebuild. A reader through the query service never sees an empty or partial model, the side-effect
events reach the bus exactly once (the rebuild emits nothing), every alert is listed once, and
`python -m projector verify` finds the live model equal to a fresh rebuild.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import orjson
from testkit.amqp import EventSpy, event_spy
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper
from testkit.waiting import wait_until

from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from innkeeper_contracts import ConsistencyToken

SIDE_EFFECTS = {
    "booking.refund_issued": "RefundIssued",
    "booking.guest_notification_requested": "GuestNotificationRequested",
    "booking.management_alert_raised": "ManagementAlertRaised",
}
HOTELS = 4
AFTER_REBUILD = 10  # commands still sent once the rebuild has finished
MAX_COMMANDS = 1500  # a bound: a rebuild that never ends while commands flow fails the test


@dataclass
class Traffic:
    """What the writer did and when, relative to the rebuild."""

    hotels: list[str]
    bookings: dict[str, ConsistencyToken] = field(default_factory=dict)
    phases: Counter[str] = field(default_factory=Counter)  # commands answered during / after the rebuild

    async def write(self, commands: HttpCommands, rebuilt: asyncio.Event, seed: int) -> None:
        """Book and cancel until a few commands after the rebuild ended (or the bound)."""
        chance = random.Random(seed)
        for n in itertools.count():
            if n >= MAX_COMMANDS or self.phases["after"] >= AFTER_REBUILD:
                return
            await self.one(commands, chance, n)
            self.phases["after" if rebuilt.is_set() else "during"] += 1

    async def one(self, commands: HttpCommands, chance: random.Random, n: int) -> None:
        if n % 3 == 2 and self.bookings:  # cancel one of the bookings
            booking_id = chance.choice(sorted(self.bookings))
            reply = await commands.send("CancelBooking", cancel_booking(booking_id))
            assert reply["status"] in ("accepted", 409), reply  # 409: it was cancelled already
            return
        late = chance.random() < 0.5  # check-in tomorrow: a late cancellation; else 20 days ahead
        suite = chance.random() < 0.3  # 600.00 a night for two nights: a high-value cancellation
        check_in = today() + timedelta(days=1 if late else 20)
        stay = book_stay(chance.choice(self.hotels), "STE" if suite else "DBL", check_in, nights=2)
        _, token = accepted(await commands.send("BookStay", stay))
        self.bookings[stay["booking_id"]] = token


@dataclass
class Reader:
    """Reads through the query service all along; collects what a user should never see."""

    city: str
    registered: int
    seen: set[str] = field(default_factory=set)
    hotel_counts: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    async def read(self, query: httpx.AsyncClient, traffic: Traffic, done: asyncio.Event) -> None:
        chance = random.Random(3)
        while not done.is_set():
            page = await query.get(f"/hotels?city={self.city}&limit=100")
            self.check(page, "search")
            if page.status_code == 200:
                self.hotel_counts.append(len(page.json()["items"]))
                if self.hotel_counts[-1] < self.registered:
                    self.problems.append(f"search: {self.hotel_counts[-1]} of {self.registered} hotels")
            newest = next(reversed(traffic.bookings), None)
            if newest is not None and newest not in self.seen:  # read with its token: it must be there
                token = traffic.bookings[newest].encode()
                answer = await query.get(f"/bookings/{newest}", headers={"X-Consistency-Token": token})
                if self.check(answer, f"new booking {newest}"):
                    self.seen.add(newest)
            if self.seen:  # one read before: never 404 later
                again = chance.choice(sorted(self.seen))
                self.check(await query.get(f"/bookings/{again}"), f"booking {again} read before")
            await asyncio.sleep(0.01)

    def check(self, answer: httpx.Response, what: str) -> bool:
        if answer.status_code != 200:
            self.problems.append(f"{what}: {answer.status_code} {answer.text[:200]}")
        elif answer.headers["x-consistency"] == "stale":
            self.problems.append(f"{what}: stale")
        return answer.status_code == 200


async def test_rebuild_while_commands_flow_fires_nothing_again_and_readers_see_a_whole_model(
    innkeeper: Innkeeper,
) -> None:
    async with event_spy(innkeeper.env["RABBITMQ_URL"], SIDE_EFFECTS) as spy:  # bound before any command
        await innkeeper.start()
        assert innkeeper.command is not None
        city = unique_city()
        hotels = [
            register_hotel(f"Hotel {n}", city, 3, room("DBL", 500, "150.00"), room("STE", 300, "600.00"))
            for n in range(HOTELS)
        ]
        async with (
            httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as http,
            httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query,
        ):
            commands = HttpCommands(http)
            for hotel in hotels:
                accepted(await commands.send("RegisterHotel", hotel))
            traffic = Traffic([h["hotel_id"] for h in hotels])
            for n in range(30):
                await traffic.one(commands, random.Random(n), n)
            head_before = await innkeeper.wait_caught_up()
            old_generation = await innkeeper.generation()

            reader, done, rebuilt = Reader(city, HOTELS), asyncio.Event(), asyncio.Event()
            writing = asyncio.create_task(traffic.write(commands, rebuilt, seed=11))
            reading = asyncio.create_task(reader.read(query, traffic, done))
            code, output = await innkeeper.projector_cli("rebuild")
            rebuilt.set()
            await writing
            await innkeeper.wait_caught_up()
            done.set()
            await reading
            alerts = await _all_alerts(query)

        assert code == 0, output
        assert await innkeeper.generation() != old_generation
        replayed = re.search(r"up to position (\d+)", output)
        assert replayed is not None, output
        assert int(replayed[1]) > head_before  # it replayed events committed while it ran
        assert traffic.phases["during"] > 0, traffic.phases  # commands flowed while it rebuilt
        assert traffic.phases["after"] == AFTER_REBUILD, traffic.phases
        assert reader.problems == []
        assert min(reader.hotel_counts) == HOTELS  # never empty, never a half-built generation
        assert len(reader.hotel_counts) > 10
        assert len(reader.seen) > 10

        # Side effects: every one in the log reached the bus once; the rebuild published nothing.
        rows = await innkeeper.events_of_type(*SIDE_EFFECTS.values())
        logged = {str(row["event_id"]): row for row in rows}
        assert {row["event_type"] for row in rows} == set(SIDE_EFFECTS.values())  # all three kinds
        await _drain_all(innkeeper, spy, len(logged))
        assert spy.counts() == Counter(dict.fromkeys(logged, 1))
        assert sorted(spy.message_ids) == sorted(logged)
        raised = [orjson.loads(row["data"]) for row in rows if row["event_type"] == "ManagementAlertRaised"]
        expected_alerts = sorted(data["alert_id"] for data in raised)
        assert sorted(a["alert_id"] for a in alerts) == expected_alerts  # each alert listed once

        code, output = await innkeeper.projector_cli("verify")
        assert code == 0, output


async def _drain_all(innkeeper: Innkeeper, spy: EventSpy, expected: int) -> None:
    """Take spied messages until the outbox is empty and every logged side effect arrived, then once more."""

    async def outbox_empty() -> bool:
        [row] = await innkeeper.fetch("SELECT count(*) AS n FROM outbox")
        return int(row["n"]) == 0

    await wait_until(outbox_empty, 20, "the relay publishing the whole outbox")

    async def arrived() -> bool:
        await spy.drain()
        return len(spy.envelopes) >= expected

    await wait_until(arrived, 20, f"{expected} side-effect events on the spy queue")
    await spy.drain()  # everything published was routed before its confirm: a duplicate would be here


async def _all_alerts(query: httpx.AsyncClient) -> list[dict[str, Any]]:
    alerts, cursor = [], None
    while True:
        page = (
            await query.get(
                "/management/alerts", params={"limit": 100, "cursor": cursor} if cursor else {"limit": 100}
            )
        ).json()
        alerts += page["items"]
        if not (cursor := page["next_cursor"]):
            return alerts
