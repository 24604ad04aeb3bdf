"""A booking's writes in the final statement (`write_fragment.Write`): a new booking, a booking's changes,
and the erasure of a guest's data recorded on every booking of theirs. Each names the key its guest's data
was sealed under (`guest_key_id`): the foreign key refuses one erased meanwhile (`guest_keys`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from command_service.adapters.write_fragment import AggregateInsert, Parameters, VersionedUpdate
from command_service.domain.booking import Booking
from command_service.domain.errors import VersionConflictError

_INSERT = """booked AS (
    INSERT INTO bookings (booking_id, hotel_id, room_type, guest_id, guest_name, guest_email, check_in,
                          check_out, guests, nightly_rate, currency, total_price, status, booked_at, version,
                          guest_key_id)
    SELECT {booking.id:uuid}, {stay.hotel_id:uuid}, {stay.room_type:text}, {guest.guest_id:text},
           {guest.name:text}, {guest.email:text}, {stay.check_in:date}, {stay.check_out:date},
           {booking.guests:int}, {booking.nightly_rate.amount:numeric}, {booking.nightly_rate.currency:text},
           {booking.total_price.amount:numeric}, {booking.status:text}, {booking.booked_at:timestamptz},
           {booking.version:int}, {key_id:uuid}
    WHERE {after}
    RETURNING 1
)"""

# Every field a command may change, whichever it was: a new command needs no new statement here.
_UPDATE = """booking_saved AS (
    UPDATE bookings
    SET status = {booking.status:text}, version = {booking.version:int},
        cancelled_at = {cancelled_at:timestamptz}, cancellation_reason = {reason:text},
        refund_policy = {policy:text}, refund = {refund:numeric},
        guest_name = {booking.guest.name:text}, guest_email = {booking.guest.email:text},
        guest_key_id = coalesce({key_id:uuid}, guest_key_id)
    WHERE booking_id = {booking.id:uuid} AND version = {saved_version:int} AND {after}
    RETURNING 1
)"""


@dataclass(frozen=True)
class BookingInsert(AggregateInsert[Booking]):
    """A new booking, inserted by the final statement (a `Write`): only if the writes before it (its
    stay's nights) were made; its guest's data sealed under `key_id`."""

    key_id: UUID | None = None
    written = "EXISTS (SELECT 1 FROM booked)"
    primary_key, taken = "bookings_pkey", "booking {id} exists already"

    def ctes(self, parameters: Parameters, after: str) -> str:
        booking = self.aggregate
        return parameters.fill(
            _INSERT, after=after, booking=booking, stay=booking.stay, guest=booking.guest, key_id=self.key_id
        )


@dataclass(frozen=True)
class BookingUpdate(VersionedUpdate[Booking]):
    """A booking's changes, saved by the final statement if nobody saved it since it was read; what it
    sealed, sealed under `key_id` (None: it sealed nothing, the booking keeps naming its key)."""

    key_id: UUID | None = None
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
            key_id=self.key_id,
        )


# The erasure changes nothing of a booking but its version (its events say the rest); deleting the key set
# `guest_key_id` to NULL already (ON DELETE SET NULL).
_ERASED = """bookings_erased AS (
    UPDATE bookings AS b SET version = e.version
    FROM unnest({ids:uuid[]}, {saved_versions:int[]}, {versions:int[]}) AS e(booking_id, saved, version)
    WHERE b.booking_id = e.booking_id AND b.version = e.saved AND {after}
    RETURNING 1
)"""


@dataclass(frozen=True)
class BookingsErased:
    """Bookings whose guest's data was erased, saved at once if nobody saved one since they were read (a
    `Write`; VersionConflictError otherwise): (id, version read, new version) each, taken before their
    events are collected."""

    versions: list[tuple[UUID, int, int]]
    may_refuse = True
    columns = "(SELECT count(*) FROM bookings_erased) AS bookings_erased"

    @classmethod
    def of(cls, bookings: Sequence[Booking]) -> BookingsErased:
        return cls([(booking.id, booking.saved_version, booking.version) for booking in bookings])

    @property
    def written(self) -> str:
        return f"(SELECT count(*) FROM bookings_erased) = {len(self.versions)}"

    def ctes(self, parameters: Parameters, after: str) -> str:
        ids, saved_versions, versions = (list(column) for column in zip(*self.versions, strict=True))
        return parameters.fill(
            _ERASED, ids=ids, saved_versions=saved_versions, versions=versions, after=after
        )

    def check(self, row: asyncpg.Record) -> None:
        if row["bookings_erased"] != len(self.versions):
            raise VersionConflictError("a booking of the guest changed since it was read; retry")

    def refused(self, error: asyncpg.PostgresError) -> None:
        """Nothing of its own: a refusal stands."""
