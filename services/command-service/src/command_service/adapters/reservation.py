"""Reserving a stay's nights in the final statement: every night or none, never past capacity, and a
full night is an answer (a column), not an error raised in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.application.ports import RetryableConflictError
from command_service.domain.booking import Stay
from command_service.domain.errors import NoRoomAvailableError
from command_service.domain.hotel import RoomType

# The room type the booking was decided on is held FOR SHARE and compared with the row before any night
# is touched (an InitPlan, evaluated once, first): when it changed since (it may come from
# `room_type_cache`) nothing is written and `unchanged` is false. The stay's existing night rows are then
# locked in night order (concurrent bookings lock them in the same order: no deadlock) and the full
# ones collected: when any is, nothing is written and they are the answer. Else every night is taken,
# new rows inserted in night order. Two bookings may still create the same new night row at once; the
# second then updates the first's row and, if that makes it overbooked, the CHECK
# `room_nights_not_overbooked` fails the statement, answered with the same 409 (naming every night).
# Such a booking also takes existing rows before new ones, so against one taking them the other way a
# deadlock is possible: PostgreSQL aborts one, and the command runs again (RetryableConflictError).
_RESERVING = """held AS MATERIALIZED (
    SELECT capacity = {room_type.capacity:int} AND max_guests = {room_type.max_guests:int}
           AND rate_amount = {room_type.nightly_rate.amount:numeric}
           AND rate_currency = {room_type.nightly_rate.currency:text} AS unchanged
    FROM room_types WHERE hotel_id = {hotel:uuid} AND code = {code:text} AND {after} FOR SHARE
), locked AS MATERIALIZED (
    SELECT night, booked >= capacity AS is_full FROM room_nights
    WHERE hotel_id = {hotel:uuid} AND room_type = {code:text} AND night = ANY({nights:date[]})
          AND (SELECT unchanged FROM held)
    ORDER BY night FOR UPDATE
), full_nights AS MATERIALIZED (
    SELECT array_agg(night ORDER BY night) AS nights FROM locked WHERE is_full
), reserved AS (
    INSERT INTO room_nights AS rn (hotel_id, room_type, night, booked, capacity)
    SELECT {hotel:uuid}, {code:text}, night, 1, {room_type.capacity:int} FROM unnest({nights:date[]}) AS night
    WHERE (SELECT unchanged FROM held) AND (SELECT nights FROM full_nights) IS NULL
    ORDER BY night
    ON CONFLICT (hotel_id, room_type, night) DO UPDATE SET booked = rn.booked + 1
    RETURNING night
), whole AS MATERIALIZED (
    SELECT count(*) = cardinality({nights:date[]}) AS reserved FROM reserved
)"""

_OVERBOOKED = "room_nights_not_overbooked"


@dataclass(frozen=True)
class Reservation(WriteFragment):
    """One room of the type on every night of the stay, or none: a `Write` of the final statement."""

    stay: Stay
    room_type: RoomType
    room_types: RoomTypeCache
    written = "(SELECT reserved FROM whole)"
    may_refuse = True
    columns = (
        "coalesce((SELECT unchanged FROM held), false) AS unchanged,"
        " (SELECT nights FROM full_nights) AS full_nights"
    )

    def ctes(self, parameters: Parameters, after: str) -> str:
        stay = self.stay
        return parameters.fill(
            _RESERVING,
            hotel=stay.hotel_id,
            code=stay.room_type,
            nights=stay.nights,
            room_type=self.room_type,
            after=after,
        )

    def check(self, row: asyncpg.Record) -> None:
        """RetryableConflictError when the room type changed since the booking read it (it leaves the
        cache and the command runs again on a fresh read); NoRoomAvailableError naming the full nights."""
        if not row["unchanged"]:
            self.room_types.forget(self.stay.hotel_id)
            raise RetryableConflictError(
                f"room type {self.stay.room_type!r} of hotel {self.stay.hotel_id} changed"
            )
        if row["full_nights"] is not None:
            raise self._no_room(row["full_nights"])

    def refused(self, error: asyncpg.PostgresError) -> None:
        """A new night row overbooked by a concurrent booking (above): no room on the stay's nights."""
        if isinstance(error, asyncpg.CheckViolationError) and error.constraint_name == _OVERBOOKED:
            raise self._no_room(self.stay.nights) from None

    def _no_room(self, nights: Sequence[date]) -> NoRoomAvailableError:
        listed = ", ".join(str(night) for night in nights)
        return NoRoomAvailableError(f"no {self.stay.room_type!r} room free on {listed}")
