"""A booking's writes in the final statement (`write_fragment.Write`): a new booking, a booking's changes."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.domain.booking import Booking
from command_service.domain.errors import AlreadyExistsError, VersionConflictError

_INSERT = """booked AS (
    INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                          check_out, guests, nightly_rate, currency, total_price, status, booked_at, version)
    SELECT {values} WHERE {after}
    RETURNING 1
)"""

# Every field a command may change, whichever it was: a new command needs no new statement here.
_UPDATE = """booking_saved AS (
    UPDATE bookings
    SET status = {status}, version = {version}, cancelled_at = {cancelled_at}, cancellation_reason = {reason},
        refund_policy = {policy}, refund = {refund}, guest_name = {guest_name}, guest_email = {guest_email}
    WHERE booking_id = {booking_id} AND version = {saved_version} AND {after}
    RETURNING 1
)"""


@dataclass(frozen=True)
class BookingInsert(WriteFragment):
    """A new booking, inserted by the final statement (a `Write`): only if the writes before it (its
    stay's nights) were made."""

    booking: Booking
    written = "EXISTS (SELECT 1 FROM booked)"

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

    def refused(self, error: asyncpg.PostgresError) -> None:
        """AlreadyExistsError when the booking's id is taken."""
        if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == "bookings_pkey":
            raise AlreadyExistsError(f"booking {self.booking.id} exists already") from None


@dataclass(frozen=True)
class BookingUpdate(WriteFragment):
    """A booking's changes, saved by the final statement if nobody saved it since it was read at
    `saved_version`."""

    booking: Booking
    saved_version: int
    written = "EXISTS (SELECT 1 FROM booking_saved)"
    columns = "EXISTS (SELECT 1 FROM booking_saved) AS booking_saved"
    may_refuse = True

    def ctes(self, parameters: Parameters, after: str) -> str:
        booking, p = self.booking, parameters
        cancellation = booking.cancellation
        return _UPDATE.format(
            status=p(booking.status, "text"),
            version=p(booking.version, "int"),
            cancelled_at=p(cancellation.at if cancellation else None, "timestamptz"),
            reason=p(cancellation.reason if cancellation else None, "text"),
            policy=p(cancellation.terms.policy if cancellation else None, "text"),
            refund=p(cancellation.terms.refund.amount if cancellation else None, "numeric"),
            guest_name=p(booking.guest.name, "text"),
            guest_email=p(booking.guest.email, "text"),
            booking_id=p(booking.id, "uuid"),
            saved_version=p(self.saved_version, "int"),
            after=after,
        )

    def check(self, row: asyncpg.Record) -> None:
        """VersionConflictError when the booking changed since it was read."""
        if not row["booking_saved"]:
            raise VersionConflictError(f"booking {self.booking.id} changed since it was read; retry")
