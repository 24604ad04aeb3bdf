"""Bookings in PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from command_service.adapters.event_log import EventRecorder
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.transaction import Transaction
from command_service.adapters.write_fragment import Parameters
from command_service.domain.booking import Booking, Cancellation, HotelContact, Stay
from command_service.domain.errors import AlreadyExistsError, BookingNotFoundError, VersionConflictError
from command_service.domain.refunds import CancellationTerms
from innkeeper_contracts import Guest, Money

_INSERT = """booked AS (
    INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                          check_out, guests, nightly_rate, currency, total_price, status, booked_at, version)
    SELECT {values} WHERE {after}
    RETURNING 1
)"""

# The booking with what its cancellation's messages name: the hotel and its management contact.
_LOAD = """
SELECT b.*, h.name AS hotel_name, h.management_email
FROM bookings b JOIN hotels h ON h.hotel_id = b.hotel_id WHERE b.booking_id = $1
"""

# Every field a command may change, whichever it was: a new command needs no new statement here.
_SAVE = """
UPDATE bookings
SET status = $2, version = $3, cancelled_at = $5, cancellation_reason = $6, refund_policy = $7, refund = $8,
    guest_name = $9, guest_email = $10
WHERE booking_id = $1 AND version = $4
"""


@dataclass(frozen=True)
class BookingInsert:
    """A new booking, inserted by the final statement (a `Write`): only if the writes before it (its
    stay's nights) were made."""

    booking: Booking
    written = "EXISTS (SELECT 1 FROM booked)"
    columns = ""

    def ctes(self, parameters: Parameters, after: str) -> str:
        booking, p = self.booking, parameters
        stay, guest, rate = booking.stay, booking.guest, booking.nightly_rate
        values = ", ".join((
            p(booking.id, "uuid"), p(stay.hotel_id, "uuid"), p(stay.room_type, "text"),
            p(guest.guest_id, "text"), p(guest.name, "text"), p(guest.email, "text"),
            p(stay.check_in, "date"), p(stay.check_out, "date"), p(booking.guests, "int"),
            p(rate.amount, "numeric"), p(rate.currency, "text"), p(booking.total_price.amount, "numeric"),
            p(booking.status, "text"), p(booking.booked_at, "timestamptz"), p(booking.version, "int"),
        ))  # fmt: skip
        return _INSERT.format(values=values, after=after)

    def check(self, row: asyncpg.Record) -> None:
        """Nothing to check: the booking is inserted whenever its nights were taken."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        """AlreadyExistsError when the booking's id is taken."""
        if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == "bookings_pkey":
            raise AlreadyExistsError(f"booking {self.booking.id} exists already") from None


class PostgresBookings:
    """BookingRepository over the bookings table."""

    def __init__(self, transaction: Transaction, final: FinalStatement, recorder: EventRecorder) -> None:
        self._transaction, self._final, self._recorder = transaction, final, recorder

    async def add(self, booking: Booking) -> None:
        self._final.add(BookingInsert(booking))
        self._recorder.collect(booking)

    async def get(self, booking_id: UUID) -> Booking:
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
            booking.guest.name,
            booking.guest.email,
        )
        if status != "UPDATE 1":
            raise VersionConflictError(f"booking {booking.id} changed since it was read; retry")
        self._recorder.collect(booking)
