"""Which statements the PostgreSQL unit of work sends (a recording connection, no database): a BookStay
on a room type the service knows, by a guest whose key it knows, is one statement, with no BEGIN or
COMMIT around it, when a retry of it is safe (it names its booking id or carries an idempotency key); a
guest's key it does not know costs one read before it, alone (no BEGIN either)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from command_builders import book_stay
from command_fakes import KEYS, FixedClock

from command_service.adapters.guest_keys import GuestKeyCache, GuestKeyring
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.adapters.unit_of_work import PostgresUnitOfWorkFactory
from command_service.application.handlers import Handlers
from command_service.application.requests import CommandRequest
from command_service.domain.hotel import RoomType
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import Money

ROW = {
    "unchanged": True,
    "full_nights": None,
    "reserved": True,
    "last_position": 41,
    "notified": 1,
    "remembered": 0,
}
ROOM_TYPE = {"hotel_id": uuid4(), "code": "DBL", "name": "Double", "capacity": 3, "max_guests": 2,
             "rate_amount": Decimal("120.00"), "rate_currency": "EUR", "hotel_name": "Inn"}  # fmt: skip


class RecordingConnection:
    """Answers every query with one row and remembers the first word of each statement."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def _record(self, query: str) -> None:
        self.sent.append(query.split()[0] if query.split()[0] != "WITH" else "WITH …")

    async def execute(self, query: str, *args: object) -> str:
        self._record(query)
        return "OK"

    async def fetchrow(self, query: str, *args: object) -> dict[str, Any] | None:
        self._record(query)
        if query.startswith("SELECT") and "FROM guest_keys" in query:
            return None  # a guest without a key yet
        return ROOM_TYPE if "AS hotel_name" in query else ROW


class OnePool:
    def __init__(self, connection: RecordingConnection) -> None:
        self.connection = connection

    async def acquire(self, **bounds: float | None) -> RecordingConnection:  # the acquire timeout
        return self.connection

    async def release(self, connection: RecordingConnection) -> None:
        pass


def _check_in(clock: FixedClock) -> date:
    return clock.now().date() + timedelta(days=10)


def _knowing_the_guest() -> GuestKeyring:
    keys = GuestKeyCache(10)
    keys.put("g-1", KEYS.new_key())  # the guest of `book_stay`
    return GuestKeyring(KEYS, keys)


async def _book(
    cache: RoomTypeCache,
    booking_id: UUID | None = None,
    key: str | None = None,
    guests: GuestKeyring | None = None,
) -> list[str]:
    connection, clock = RecordingConnection(), FixedClock()
    command = book_stay(ROOM_TYPE["hotel_id"], _check_in(clock), booking_id=booking_id)
    handlers = Handlers(clock, CancellationPolicy(high_value_threshold=Decimal("1000")))
    request = CommandRequest(command, "corr-1", idempotency_key=key)
    keyring = guests or _knowing_the_guest()
    units = PostgresUnitOfWorkFactory(OnePool(connection), clock, cache, keyring)  # type: ignore[arg-type]
    async with units(request) as uow:
        accepted = request.accepted_as(await handlers.book_stay(command, uow))
    assert accepted.consistency_token.startswith("41.")
    return connection.sent


def _knowing_the_room_type() -> RoomTypeCache:
    cache = RoomTypeCache()
    rate = Money(amount=ROOM_TYPE["rate_amount"], currency="EUR")
    cache.put(RoomType(ROOM_TYPE["hotel_id"], "DBL", "Double", 3, 2, rate, "Inn"))
    return cache


async def test_a_booking_on_a_known_room_type_is_one_statement_when_a_retry_is_safe() -> None:
    assert await _book(_knowing_the_room_type(), booking_id=uuid4()) == ["WITH …"]
    assert await _book(_knowing_the_room_type(), key="retry-me") == ["WITH …"]


async def test_a_booking_a_retry_could_repeat_keeps_begin_and_commit() -> None:
    # A lone statement commits even when its answer is lost; the client's retry would book again.
    assert await _book(_knowing_the_room_type()) == ["BEGIN", "WITH …", "COMMIT"]


async def test_a_booking_that_reads_its_room_type_first_runs_in_a_transaction() -> None:
    assert await _book(RoomTypeCache(), booking_id=uuid4()) == ["BEGIN", "SELECT", "WITH …", "COMMIT"]


async def test_a_booking_makes_a_new_guest_s_key_in_its_final_statement_without_reading_first() -> None:
    keyring = GuestKeyring(KEYS, GuestKeyCache(10))
    booked = await _book(_knowing_the_room_type(), booking_id=uuid4(), guests=keyring)
    assert booked == ["WITH …"]
    assert keyring.cache.get("g-1") is not None, "the key made is known once committed"
    assert await _book(_knowing_the_room_type(), booking_id=uuid4(), guests=keyring) == ["WITH …"]


async def test_a_guest_whose_key_was_made_in_vain_has_it_read_alone_by_every_next_run() -> None:
    keyring = GuestKeyring(KEYS, GuestKeyCache(0))  # nothing cached: each run must read
    keyring.made_in_vain(["g-1"])  # a run's insert found the guest's key (several may have raced)
    for _ in range(2):
        booked = await _book(_knowing_the_room_type(), booking_id=uuid4(), guests=keyring)
        assert booked == ["SELECT", "WITH …"]


async def test_no_statement_may_follow_a_write_left_to_the_final_statement() -> None:
    transaction = Transaction(RecordingConnection())  # type: ignore[arg-type]
    transaction.only_final_statement_follows()
    with pytest.raises(RuntimeError, match="left to the final statement"):
        await transaction.execute("SELECT 1")
