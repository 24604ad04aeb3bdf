"""How the final statement is composed from its writes (no database): every placeholder is handed out
once as the fragments are composed, and a statement that could leave a write made and the next one
refused never runs alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from command_builders import book_stay, guest_of

from command_service.adapters.booking_writes import BookingInsert, BookingUpdate
from command_service.adapters.event_log import EventAppend, EventRecorder
from command_service.adapters.final_statement import FinalStatement, compose
from command_service.adapters.night_writes import NightsReleased
from command_service.adapters.reservation import Reservation
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.adapters.write_fragment import Write
from command_service.application.requests import CommandRequest
from command_service.domain.booking import Booking
from command_service.domain.errors import AlreadyExistsError, VersionConflictError
from command_service.domain.hotel import RoomType
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import BookStay, Money

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ROOM_TYPE = RoomType(uuid4(), "DBL", "Double", 3, 2, Money(amount=Decimal("120.00"), currency="EUR"), "Inn")


def _booked() -> tuple[BookStay, Booking, EventRecorder]:
    command = book_stay(ROOM_TYPE.hotel_id, NOW.date() + timedelta(days=10), booking_id=uuid4())
    booking = Booking.book(uuid4(), command, guest_of(command), ROOM_TYPE, NOW)
    recorder = EventRecorder()
    recorder.collect(booking)
    return command, booking, recorder


class RecordingConnection:
    """Answers the final statement with `row` and remembers the first word of each statement."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row, self.sent = row, list[str]()

    async def execute(self, query: str, *args: object) -> str:
        self.sent.append(query.split()[0])
        return "OK"

    async def fetchrow(self, query: str, *args: object) -> dict[str, Any]:
        self.sent.append(query.split()[0])
        return self.row


def test_every_placeholder_is_handed_out_once_in_the_order_composed() -> None:
    command, booking, recorder = _booked()
    append = EventAppend(recorder.pending, CommandRequest(command, "corr-1"), NOW)
    writes: list[Write] = [
        Reservation(booking.stay, ROOM_TYPE, RoomTypeCache()),
        BookingInsert(booking),
        append,
    ]
    statement, values = compose(writes)
    numbers = [int(number) for number in re.findall(r"\$(\d+)", statement)]
    assert sorted(set(numbers)) == list(range(1, len(values) + 1))
    assert values[0] == booking.stay.hotel_id  # the reservation asked first
    assert values[2] == list(booking.stay.nights)


def test_two_writes_of_one_kind_are_refused() -> None:
    _, booking, _ = _booked()
    with pytest.raises(RuntimeError, match="one write of each kind"):
        compose([BookingInsert(booking), BookingInsert(booking)])


async def test_a_write_that_may_be_refused_after_another_is_made_runs_in_a_transaction() -> None:
    command, booking, _ = _booked()
    booking.take_pending_events()
    booking.cancel("plans changed", NOW, CancellationPolicy(high_value_threshold=Decimal("1000")))
    recorder = EventRecorder()
    recorder.collect(booking)
    row = {"released": 2, "booking_saved": True, "last_position": 7, "remembered": 0}
    connection = RecordingConnection(row)
    transaction = Transaction(connection, may_run_alone=True)  # type: ignore[arg-type]
    final = FinalStatement(transaction)
    stay = booking.stay
    final.add(NightsReleased(stay.hotel_id, stay.room_type, stay.check_in, stay.check_out))
    final.add(BookingUpdate(booking, booking.saved_version))
    committed = await final.commit(EventAppend(recorder.pending, CommandRequest(command, "c"), NOW))
    assert connection.sent == ["BEGIN", "WITH", "COMMIT"]
    assert (committed.aggregate_id, committed.global_position) == (booking.id, 7)


def test_a_booking_saved_since_it_was_read_is_a_version_conflict_naming_it() -> None:
    _, booking, _ = _booked()
    with pytest.raises(
        VersionConflictError, match=f"^booking {booking.id} changed since it was read; retry$"
    ):
        BookingUpdate(booking, booking.saved_version).check({"booking_saved": False})  # type: ignore[arg-type]


def test_a_booking_whose_id_is_taken_exists_already_and_other_refusals_stand() -> None:
    _, booking, _ = _booked()
    taken = asyncpg.UniqueViolationError.new({"C": "23505", "M": "duplicate key", "n": "bookings_pkey"})
    with pytest.raises(AlreadyExistsError, match=f"^booking {booking.id} exists already$"):
        BookingInsert(booking).refused(taken)
    other = asyncpg.UniqueViolationError.new(
        {"C": "23505", "M": "duplicate key", "n": "idempotency_keys_pkey"}
    )
    BookingInsert(booking).refused(other)
