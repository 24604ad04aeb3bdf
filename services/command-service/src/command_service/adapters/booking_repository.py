"""Bookings in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from command_service.adapters.booking_writes import BookingInsert, BookingsErased, BookingUpdate
from command_service.adapters.event_log import EventRecorder
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.guest_keys import PostgresGuestKeys
from command_service.adapters.transaction import Transaction
from command_service.domain.booking import Booking, Cancellation, HotelContact, Stay
from command_service.domain.errors import BookingNotFoundError
from command_service.domain.refunds import CancellationTerms
from innkeeper_contracts import Money, SealedGuest

# The booking with what its cancellation's messages name: the hotel and its management contact.
_LOAD = """
SELECT b.*, h.name AS hotel_name, h.management_email
FROM bookings b JOIN hotels h ON h.hotel_id = b.hotel_id WHERE {which}
"""
_ONE = _LOAD.format(which="b.booking_id = $1")
_OF_GUEST = _LOAD.format(which="b.guest_id = $1 ORDER BY b.booked_at, b.booking_id")


class PostgresBookings:
    """BookingRepository over the bookings table; a booking's writes name the key its guest's data was
    sealed under in this unit of work (`guest_keys`)."""

    def __init__(
        self,
        transaction: Transaction,
        final: FinalStatement,
        recorder: EventRecorder,
        guest_keys: PostgresGuestKeys,
    ) -> None:
        self._transaction, self._final, self._recorder = transaction, final, recorder
        self._guest_keys = guest_keys

    async def add(self, booking: Booking) -> None:
        self._final.add(BookingInsert(booking, self._guest_keys.sealed_under(booking.guest.guest_id)))
        self._recorder.collect(booking)

    async def get(self, booking_id: UUID) -> Booking:
        row = await self._transaction.fetchrow(_ONE, booking_id)
        if row is None:
            raise BookingNotFoundError(f"no booking {booking_id}")
        return _booking(row)

    async def of_guest(self, guest_id: str) -> list[Booking]:
        return [_booking(row) for row in await self._transaction.fetch(_OF_GUEST, guest_id)]

    async def save(self, booking: Booking) -> None:
        key_id = self._guest_keys.sealed_under(booking.guest.guest_id)
        self._final.add(BookingUpdate(booking, booking.saved_version, key_id))
        self._recorder.collect(booking)

    async def save_erasures(self, bookings: Sequence[Booking]) -> None:
        self._final.add(BookingsErased.of(bookings))
        for booking in bookings:
            self._recorder.collect(booking)


def _booking(row: asyncpg.Record) -> Booking:
    currency = row["currency"]
    cancellation = None
    if row["cancelled_at"] is not None:
        refund = Money(amount=row["refund"], currency=currency)
        terms = CancellationTerms(row["refund_policy"], refund, [])
        cancellation = Cancellation(row["cancelled_at"], row["cancellation_reason"], terms)
    return Booking(
        row["booking_id"],
        stay=Stay(row["check_in"], row["check_out"], hotel_id=row["hotel_id"], room_type=row["room_type"]),
        hotel=HotelContact(row["hotel_name"], row["management_email"]),
        # Sealed, or clear text in a booking made before sealing: opaque to the aggregate either way.
        guest=SealedGuest(guest_id=row["guest_id"], name=row["guest_name"], email=row["guest_email"]),
        guests=row["guests"],
        nightly_rate=Money(amount=row["nightly_rate"], currency=currency),
        booked_at=row["booked_at"],
        status=row["status"],
        cancellation=cancellation,
        version=row["version"],
    )
