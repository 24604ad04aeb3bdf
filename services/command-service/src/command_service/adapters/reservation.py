"""Reserving a stay's nights in one statement: every night or none, and never past capacity.

`RESERVING` is a set of CTEs that `room_inventory` runs on its own and `booking_repository` runs
inside the event log's statement, together with the booking.
"""

from __future__ import annotations

import re

import asyncpg

from command_service.domain.booking import Stay
from command_service.domain.errors import NoRoomAvailableError
from command_service.domain.hotel import RoomType

# The room type the booking was decided on ($3 rooms, $5 guests, rate $6 $7) is held FOR SHARE and
# compared with the row before any night is taken (an InitPlan, evaluated once, first): when it changed
# since (it may come from `room_type_cache`) nothing is written and `unchanged` is false. Nights are
# taken in night order, so concurrent bookings lock them in the same order (no deadlock). When a night
# is full, `refuse_full_nights` (migration 002) fails the whole statement, naming the full nights: the
# statement takes every night or none, with or without a transaction around it.
RESERVING = """
held AS MATERIALIZED (
    SELECT capacity = $3 AND max_guests = $5 AND rate_amount = $6 AND rate_currency = $7 AS unchanged
    FROM room_types WHERE hotel_id = $1 AND code = $2 FOR SHARE
), reserved AS (
    INSERT INTO room_nights AS rn (hotel_id, room_type, night, booked, capacity)
    SELECT $1, $2, night, 1, $3 FROM unnest($4::date[]) AS night
    WHERE (SELECT unchanged FROM held)
    ORDER BY night
    ON CONFLICT (hotel_id, room_type, night)
    DO UPDATE SET booked = rn.booked + 1 WHERE rn.booked < rn.capacity
    RETURNING night
), whole AS MATERIALIZED (
    SELECT CASE WHEN taken = cardinality($4::date[]) THEN true
                WHEN NOT coalesce((SELECT unchanged FROM held), false) THEN false
                ELSE refuse_full_nights(array(SELECT unnest($4::date[]) EXCEPT SELECT night FROM reserved
                                              ORDER BY 1))
           END AS reserved
    FROM (SELECT count(*) AS taken FROM reserved) AS counted
)"""

# What a statement WITH `RESERVING` must select (reading `whole` is what refuses a partial stay).
RESERVATION = (
    "coalesce((SELECT unchanged FROM held), false) AS unchanged, (SELECT reserved FROM whole) AS reserved"
)

# A full night: refused by `refuse_full_nights` (naming them), or by the CHECK for a new night row.
RESERVATION_CHECKS = frozenset({"stay_nights_full", "room_nights_not_overbooked"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def reservation_args(stay: Stay, room_type: RoomType) -> tuple[object, ...]:
    """$1-$7 of `RESERVING`."""
    rate = room_type.nightly_rate
    return (stay.hotel_id, stay.room_type, room_type.capacity, stay.nights, room_type.max_guests,
            rate.amount, rate.currency)  # fmt: skip


def no_room(stay: Stay, error: asyncpg.CheckViolationError) -> NoRoomAvailableError:
    """The answer to a reservation refused by the database: the full nights it names, else all."""
    named = (error.detail or "").split(",") if error.constraint_name == "stay_nights_full" else []
    full = named if named and all(_ISO_DATE.fullmatch(night) for night in named) else stay.nights
    nights = ", ".join(str(night) for night in full)
    return NoRoomAvailableError(f"no {stay.room_type!r} room free on {nights}")
