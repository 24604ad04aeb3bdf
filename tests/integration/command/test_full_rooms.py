"""A full room is an answer, not a failed statement: the booking's one statement finds the full nights,
writes nothing and returns them, so PostgreSQL neither aborts it nor logs an error for it (before, a
function raised inside the statement to refuse it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
import pytest
from command_support import booking_body, command_client, hotel_body, today
from testkit.auth import pii_master_keys
from testkit.waiting import wait_until

from command_service.adapters.clock import SystemClock
from command_service.adapters.guest_keys import GuestKeyCache, GuestKeyring
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.unit_of_work import PostgresUnitOfWorkFactory
from command_service.application.handlers import Handlers
from command_service.application.requests import CommandRequest
from command_service.domain.errors import NoRoomAvailableError
from command_service.domain.hotel import RoomType
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import BookingGuest, BookStay, Money
from innkeeper_kit.personal import GuestKeyStore, MasterKeys


class OneConnection:
    """A pool of the test's own connection, so its statements are the only ones counted."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def acquire(self, **bounds: float | None) -> asyncpg.Connection:
        return self.connection

    async def release(self, connection: asyncpg.Connection) -> None:
        pass


async def test_a_stay_across_a_full_night_is_refused_without_a_failed_statement(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    full = today() + timedelta(days=40)
    async with command_client(command_env, relay_enabled=False) as client:
        hotel = hotel_body(capacity=1)
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        taken = await client.post("/bookings", json=booking_body(hotel["hotel_id"], full, nights=1))
        assert taken.status_code == 202, taken.text
    hotel_id = UUID(hotel["hotel_id"])
    connection = await asyncpg.connect(dsn)
    try:
        await wait_until(lambda: _alone(connection), what="the service's sessions gone")
        before = await _rolled_back(connection)
        with pytest.raises(asyncpg.DivisionByZeroError):  # a failed statement is counted
            await connection.execute("SELECT 1 / 0")
        assert await _rolled_back(connection) == before + 1

        # A room type the unit of work knows and a booking id: the booking is one statement, alone.
        command = _stay_across(hotel_id, full)
        with pytest.raises(NoRoomAvailableError) as refused:
            await _book(connection, command)

        assert str(refused.value) == f"no 'DBL' room free on {full.isoformat()}"
        assert await _rolled_back(connection) == before + 1, "the full room failed a statement"
        assert await connection.fetchval("SELECT count(*) FROM bookings") == 1
        assert await connection.fetchval("SELECT sum(booked) FROM room_nights") == 1
    finally:
        await connection.close()


def _stay_across(hotel_id: UUID, full_night: Any) -> BookStay:
    return BookStay(
        hotel_id=hotel_id,
        room_type="DBL",
        guest=BookingGuest(guest_id="g-1", name="Ann", email="ann@example.com"),
        check_in=full_night - timedelta(days=1),
        check_out=full_night + timedelta(days=2),
        guests=2,
        booking_id=uuid4(),
    )


async def _book(connection: asyncpg.Connection, command: BookStay) -> None:
    rate = Money(amount=Decimal("100.00"), currency="EUR")  # as `hotel_body` registers it
    known = RoomTypeCache()
    known.put(RoomType(command.hotel_id, "DBL", "Double", 1, 2, rate, "Inn"))
    handlers = Handlers(SystemClock(), CancellationPolicy(high_value_threshold=Decimal("1000")))
    request = CommandRequest(command, "corr-full")
    pool = cast(Any, OneConnection(connection))
    keyring = GuestKeyring(GuestKeyStore(MasterKeys.parse(pii_master_keys())), GuestKeyCache(0))
    async with PostgresUnitOfWorkFactory(pool, SystemClock(), known, keyring)(request) as uow:
        await handlers.book_stay(command, uow)


async def _rolled_back(connection: asyncpg.Connection) -> int:
    """This database's aborted transactions, with this session's own counted (flushed when it idles)."""
    await connection.execute("SELECT pg_stat_force_next_flush()")
    return int(
        await connection.fetchval(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
    )


async def _alone(connection: asyncpg.Connection) -> bool:
    others = await connection.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return others == 0
