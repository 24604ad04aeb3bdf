"""Bookings in PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from command_service.adapters.append_statement import append_statement
from command_service.adapters.event_log import EventRecorder
from command_service.adapters.reservation import (
    RESERVATION,
    RESERVATION_CHECKS,
    RESERVING,
    no_room,
    reservation_args,
)
from command_service.adapters.room_inventory import PostgresRoomInventory
from command_service.adapters.transaction import Transaction
from command_service.domain.booking import Booking, Cancellation, HotelContact, Stay
from command_service.domain.errors import AlreadyExistsError, BookingNotFoundError, VersionConflictError
from command_service.domain.refunds import CancellationTerms
from innkeeper_contracts import Guest, Money

_INSERT = """
INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                      check_out, guests, nightly_rate, currency, total_price, status, booked_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
"""

# A new booking, its nights and its events in the event log's one statement (`_BookingWrite`): the
# booking is inserted only if every night was taken, and nothing is appended unless it was.
_BOOKING = f"""
{RESERVING}, booked AS (
    INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                          check_out, guests, nightly_rate, currency, total_price, status, booked_at, version)
    SELECT $8::uuid, $1::uuid, $2::text, $9::text, $10::text, $11::text, $12::date, $13::date, $14::int,
           $15::numeric, $16::text, $17::numeric, $18::text, $19::timestamptz, $20::int
    WHERE (SELECT reserved FROM whole)
    RETURNING 1
)"""
_BOOK_AND_APPEND = append_statement(_BOOKING, written="booked", columns=RESERVATION)

# The booking with what its cancellation's messages name: the hotel and its management contact.
_LOAD = """
SELECT b.*, h.name AS hotel_name, h.management_email
FROM bookings b JOIN hotels h ON h.hotel_id = b.hotel_id WHERE b.booking_id = $1
"""

_SAVE = """
UPDATE bookings
SET status = $2, version = $3, cancelled_at = $5, cancellation_reason = $6, refund_policy = $7, refund = $8
WHERE booking_id = $1 AND version = $4
"""


@dataclass(frozen=True)
class _BookingWrite:
    """A new booking and its stay's nights, written by the event log's statement (a DeferredWrite)."""

    inventory: PostgresRoomInventory
    stay: Stay
    booking_id: UUID
    values: tuple[object, ...]
    statement = _BOOK_AND_APPEND

    def arguments(self) -> tuple[object, ...]:
        return self.values

    def check(self, row: asyncpg.Record) -> None:
        self.inventory.ensure_unchanged(self.stay, row["unchanged"])

    def refused(self, error: asyncpg.PostgresError) -> None:
        _refused(self.stay, self.booking_id, error)


def _refused(stay: Stay, booking_id: UUID, error: asyncpg.PostgresError) -> None:
    """Raise the answer to a booking the database refused: no room, or the id is taken."""
    if isinstance(error, asyncpg.CheckViolationError) and error.constraint_name in RESERVATION_CHECKS:
        raise no_room(stay, error) from None
    if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == "bookings_pkey":
        raise AlreadyExistsError(f"booking {booking_id} exists already") from None


class PostgresBookings:
    """BookingRepository over the bookings table."""

    def __init__(
        self, transaction: Transaction, recorder: EventRecorder, inventory: PostgresRoomInventory
    ) -> None:
        self._transaction, self._recorder, self._inventory = transaction, recorder, inventory

    async def add(self, booking: Booking) -> None:
        stay, guest, rate = booking.stay, booking.guest, booking.nightly_rate
        fields = (
            booking.id,
            guest.guest_id,
            guest.name,
            guest.email,
            stay.check_in,
            stay.check_out,
            booking.guests,
            rate.amount,
            rate.currency,
            booking.total_price.amount,
            booking.status,
            booking.booked_at,
            booking.version,
        )
        room_type = self._inventory.take_deferred(stay)
        if room_type is None:
            await self._inventory.flush()
            try:
                await self._transaction.execute(
                    _INSERT, booking.id, stay.hotel_id, stay.room_type, *fields[1:]
                )
            except asyncpg.PostgresError as error:
                _refused(stay, booking.id, error)
                raise
        else:  # the reservation, the booking and the events: one statement
            values = (*reservation_args(stay, room_type), *fields)
            self._transaction.defer(_BookingWrite(self._inventory, stay, booking.id, values))
        self._recorder.collect(booking)

    async def get(self, booking_id: UUID) -> Booking:
        await self._inventory.flush()
        row = await self._transaction.fetchrow(_LOAD, booking_id)
        if row is None:
            raise BookingNotFoundError(f"no booking {booking_id}")
        currency = row["currency"]
        cancellation = None
        if row["cancelled_at"] is not None:
            refund = Money(amount=row["refund"], currency=currency)
            terms = CancellationTerms(row["refund_policy"], refund, [])
            cancellation = Cancellation(row["cancelled_at"], row["cancellation_reason"], terms)
        return Booking(
            booking_id,
            stay=Stay(
                row["check_in"], row["check_out"], hotel_id=row["hotel_id"], room_type=row["room_type"]
            ),
            hotel=HotelContact(row["hotel_name"], row["management_email"]),
            guest=Guest(guest_id=row["guest_id"], name=row["guest_name"], email=row["guest_email"]),
            guests=row["guests"],
            nightly_rate=Money(amount=row["nightly_rate"], currency=currency),
            booked_at=row["booked_at"],
            status=row["status"],
            cancellation=cancellation,
            version=row["version"],
        )

    async def save(self, booking: Booking) -> None:
        await self._inventory.flush()
        cancellation = booking.cancellation
        status = await self._transaction.execute(
            _SAVE,
            booking.id,
            booking.status,
            booking.version,
            booking.saved_version,
            cancellation.at if cancellation else None,
            cancellation.reason if cancellation else None,
            cancellation.terms.policy if cancellation else None,
            cancellation.terms.refund.amount if cancellation else None,
        )
        if status != "UPDATE 1":
            raise VersionConflictError(f"booking {booking.id} changed since it was read; retry")
        self._recorder.collect(booking)
