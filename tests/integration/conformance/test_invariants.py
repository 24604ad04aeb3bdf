"""The invariants checker against real infrastructure.

On a fresh PostgreSQL database with the command service's migrations (applied as the SQL files they are):
hand-inserted events pass each log check, and a planted defect (a command applied twice, an overbooked
night, a rejected command with events, an outbox row left) fails the check it belongs to. On a real quiet
system (LocalSystem, a short load): every verdict holds, and a booking document, a hotel's capacity and a
checkpoint taken from the read model afterwards are each caught."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pymongo import AsyncMongoClient

from conformance.checks_broker import backlog
from conformance.checks_inventory import no_overbooking, recompute
from conformance.checks_log import (
    accepted_exactly_once,
    by_correlation,
    read_log,
    rejected_changed_nothing,
    unanswered_at_most_once,
)
from conformance.invariants import check, quiesce
from conformance.journal import CommandRecord, Journal
from conformance.load import LoadPlan, LoadStats, drive
from conformance.scenarios import Scenario
from conformance.seed import seed
from conformance.system_local import LocalSystem

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = ROOT / "services/command-service/src/command_service/migrations"
NOTIFIER_SCHEMA = ROOT / "services/notifier/src/notifier/schema.sql"
HOTEL = str(uuid.uuid4())


@pytest.fixture
async def log_db(postgres_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(postgres_dsn)
    for script in sorted(MIGRATIONS.glob("*.sql")):
        await connection.execute(script.read_text())
    await connection.execute(NOTIFIER_SCHEMA.read_text())
    try:
        yield connection
    finally:
        await connection.close()


class Log:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection, self.position = connection, 0

    async def append(
        self, event_type: str, aggregate: str, version: int, key: str, data: dict[str, Any]
    ) -> int:
        self.position += 1
        await self.connection.execute(
            "INSERT INTO events VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $9, $10, NULL)",
            self.position, uuid.uuid4(), event_type, "hotel" if aggregate == HOTEL else "booking",
            uuid.UUID(aggregate), version, HOTEL, datetime.now(UTC), key, json.dumps(data),
        )  # fmt: skip
        return self.position

    async def book(self, key: str, check_in: str, check_out: str, booking: str | None = None) -> str:
        booking = booking or str(uuid.uuid4())
        data = {"booking_id": booking, "hotel_id": HOTEL, "room_type": "STD"}
        data |= {"check_in": check_in, "check_out": check_out}
        version = 1 + await self.connection.fetchval(
            "SELECT count(*) FROM events WHERE aggregate_id = $1", uuid.UUID(booking)
        )
        await self.append("StayBooked", booking, version, key, data)
        return booking


def accepted(key: str, command: str = "BookStay", outcome: str = "accepted") -> CommandRecord:
    return CommandRecord(key, "http", "http-0", command, {}, 1, outcome, 202, None, {}, 0.0, 0.1)


async def test_the_log_checks_pass_on_a_clean_log_and_catch_each_planted_defect(
    log_db: asyncpg.Connection, postgres_dsn: str
) -> None:
    log = Log(log_db)
    rooms = [{"code": "STD", "name": "Standard", "capacity": 1, "max_guests": 2}]
    rooms[0]["nightly_rate"] = {"amount": "90.00", "currency": "EUR"}
    await log.append("HotelRegistered", HOTEL, 1, "k-hotel", {"hotel_id": HOTEL, "room_types": rooms})
    first = await log.book("k-1", "2030-03-01", "2030-03-03")
    await log.book("k-2", "2030-03-03", "2030-03-04")
    records = [accepted("k-hotel", "RegisterHotel"), accepted("k-1"), accepted("k-2")]
    records += [accepted("k-lost", outcome="unanswered"), accepted("k-no", outcome="rejected")]

    events = await read_log(postgres_dsn)
    grouped = by_correlation(events)
    assert [e.position for e in events] == [1, 2, 3]
    for verdict in (
        accepted_exactly_once(records, grouped),
        unanswered_at_most_once(records, grouped),
        rejected_changed_nothing(records, grouped),
        no_overbooking(recompute(events)),
    ):
        assert verdict.ok, verdict
    assert (await backlog(postgres_dsn)).outbox == 0

    await log.book("k-1", "2030-03-01", "2030-03-03", booking=first)  # applied twice, and overbooked
    await log.book("k-no", "2030-03-10", "2030-03-11")  # a rejected command that changed something
    await log_db.execute("INSERT INTO outbox (global_position) VALUES (1)")
    await log_db.execute(
        "INSERT INTO notifier.deliveries (event_id, event_type, channel, recipient, template, aggregate_id,"
        " aggregate_version, global_position, correlation_id, envelope)"
        " VALUES ($1, 'GuestNotificationRequested', 'mail', 'a@b.example', 'booking_confirmed',"
        " $1, 2, 2, 'k-1', '{}')",
        uuid.uuid4(),
    )

    events = await read_log(postgres_dsn)
    grouped = by_correlation(events)
    twice = accepted_exactly_once(records, grouped)
    assert not twice.ok
    assert twice.detail.startswith("3 accepted, 0 missing, 1 applied twice")
    overbooked = no_overbooking(recompute(events))
    assert not overbooked.ok
    assert "2 over capacity" in overbooked.detail
    changed = rejected_changed_nothing(records, grouped)
    assert not changed.ok
    assert changed.detail.startswith("1 rejected, 1 with events")
    state = await backlog(postgres_dsn)
    assert (state.head, state.outbox, state.deliveries_open) == (5, 1, 1)


async def test_a_quiet_system_after_a_short_load_holds_every_invariant(system: LocalSystem) -> None:
    endpoints = system.endpoints
    plan = LoadPlan(rate=20, seconds=4, clients=2, hotels=3, scarce_rooms=2, seed=7, answer_grace=10)
    data = await seed(endpoints, plan)
    journal, stats = Journal(), LoadStats()
    await drive(endpoints, plan, data, journal, asyncio.Event(), stats)
    assert journal.counts()["accepted"] > 0

    quiet = await quiesce(endpoints, timeout=60)
    assert quiet < 60
    verdicts = await check(endpoints, journal, Scenario("baseline", None), None)
    failed = [verdict for verdict in verdicts if not verdict.ok]
    assert not failed, "\n".join(f"{v.name}: {v.detail}" for v in verdicts)
    assert len(verdicts) == 13

    # The read model loses a booking, a capacity and a checkpoint behind the projector's back.
    booking = journal.accepted("BookStay")[0].reply or {}
    booking_id = str(booking.get("booking_id") or booking["aggregate_id"])
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb_url)
    try:
        database = client[endpoints.mongodb_database]
        await database["bookings_g1"].delete_one({"_id": booking_id})
        hotel = data.hotels[0].hotel_id
        await database["hotel_details_g1"].update_one({"_id": hotel}, {"$inc": {"room_types.0.capacity": 5}})
        await database["checkpoints_g1"].delete_one({"_id": hotel})
    finally:
        await client.close()
    verdicts = await check(endpoints, journal, Scenario("baseline", None), None)
    by_name = {verdict.name: verdict for verdict in verdicts}
    assert not by_name["read-model-has-effects"].ok
    assert "(1 wrong)" in by_name["read-model-has-effects"].detail
    assert "(1 stale)" in by_name["read-model-has-effects"].detail
    assert not by_name["every-shard-applied"].ok
    assert "1 aggregates with a checkpoint short" in by_name["every-shard-applied"].detail
    assert not by_name["verify"].ok
    assert by_name["accepted-exactly-once"].ok
