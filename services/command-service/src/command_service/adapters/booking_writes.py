"""A booking's writes in the final statement (`write_fragment.Write`): a new booking, a booking's changes."""

from __future__ import annotations

from command_service.adapters.write_fragment import AggregateInsert, Parameters, VersionedUpdate
from command_service.domain.booking import Booking

_INSERT = """booked AS (
    INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                          check_out, guests, nightly_rate, currency, total_price, status, booked_at, version)
    SELECT {booking.id:uuid}, {stay.hotel_id:uuid}, {stay.room_type:text}, {guest.guest_id:text},
           {guest.name:text}, {guest.email:text}, {stay.check_in:date}, {stay.check_out:date},
           {booking.guests:int}, {booking.nightly_rate.amount:numeric}, {booking.nightly_rate.currency:text},
           {booking.total_price.amount:numeric}, {booking.status:text}, {booking.booked_at:timestamptz},
           {booking.version:int}
    WHERE {after}
    RETURNING 1
)"""

# Every field a command may change, whichever it was: a new command needs no new statement here.
_UPDATE = """booking_saved AS (
    UPDATE bookings
    SET status = {booking.status:text}, version = {booking.version:int},
        cancelled_at = {cancelled_at:timestamptz}, cancellation_reason = {reason:text},
        refund_policy = {policy:text}, refund = {refund:numeric},
        guest_name = {booking.guest.name:text}, guest_email = {booking.guest.email:text}
    WHERE booking_id = {booking.id:uuid} AND version = {saved_version:int} AND {after}
    RETURNING 1
)"""


class BookingInsert(AggregateInsert[Booking]):
    """A new booking, inserted by the final statement (a `Write`): only if the writes before it (its
    stay's nights) were made."""

    written = "EXISTS (SELECT 1 FROM booked)"
    primary_key, taken = "bookings_pkey", "booking {id} exists already"

    def ctes(self, parameters: Parameters, after: str) -> str:
        booking = self.aggregate
        return parameters.fill(_INSERT, after=after, booking=booking, stay=booking.stay, guest=booking.guest)


class BookingUpdate(VersionedUpdate[Booking]):
    """A booking's changes, saved by the final statement if nobody saved it since it was read."""

    saved = "booking_saved"
    written = "EXISTS (SELECT 1 FROM booking_saved)"
    columns = "EXISTS (SELECT 1 FROM booking_saved) AS booking_saved"

    def ctes(self, parameters: Parameters, after: str) -> str:
        cancellation = self.aggregate.cancellation
        return parameters.fill(
            _UPDATE,
            after=after,
            booking=self.aggregate,
            cancelled_at=cancellation.at if cancellation else None,
            reason=cancellation.reason if cancellation else None,
            policy=cancellation.terms.policy if cancellation else None,
            refund=cancellation.terms.refund.amount if cancellation else None,
            saved_version=self.saved_version,
        )
