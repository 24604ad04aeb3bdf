"""Bookings in PostgreSQL."""

from __future__ import annotations

from uuid import UUID

from command_service.adapters.booking_writes import BookingInsert, BookingUpdate
from command_service.adapters.event_log import EventRecorder
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.transaction import Transaction
from command_service.domain.booking import Booking, Cancellation, HotelContact, Stay
from command_service.domain.errors import BookingNotFoundError
from command_service.domain.refunds import CancellationTerms
from innkeeper_contracts import Guest, Money

# The booking with what its cancellation's messages name: the hotel and its management contact.
_LOAD = """
SELECT b.*, h.name AS hotel_name, h.management_email
FROM bookings b JOIN hotels h ON h.hotel_id = b.hotel_id WHERE b.booking_id = $1
"""


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
        self._final.add(BookingUpdate(booking, booking.saved_version))
        self._recorder.collect(booking)
