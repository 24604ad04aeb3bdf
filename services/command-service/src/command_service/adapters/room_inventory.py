"""Rooms booked per night in PostgreSQL; `CHECK (booked <= capacity)` makes overbooking impossible."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from command_service.adapters.reservation import (
    RESERVATION,
    RESERVATION_CHECKS,
    RESERVING,
    no_room,
    reservation_args,
)
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.application.ports import RetryableConflictError
from command_service.domain.booking import Stay
from command_service.domain.errors import CapacityBelowBookedError
from command_service.domain.hotel import RoomType

# A reservation on its own, not inside the event log's statement with its booking.
_RESERVE = f"""
WITH {RESERVING}
SELECT {RESERVATION}
"""

# Updates lock their rows in night order too (a plain range UPDATE may follow the physical order).
_RELEASE = """
WITH nights AS (
    SELECT night FROM room_nights
    WHERE hotel_id = $1 AND room_type = $2 AND night >= $3 AND night < $4
    ORDER BY night FOR UPDATE
)
UPDATE room_nights AS rn SET booked = rn.booked - 1 FROM nights
WHERE rn.hotel_id = $1 AND rn.room_type = $2 AND rn.night = nights.night
"""

_SET_CAPACITY = """
WITH nights AS (
    SELECT night FROM room_nights WHERE hotel_id = $1 AND room_type = $2 AND night >= $3
    ORDER BY night FOR UPDATE
)
UPDATE room_nights AS rn SET capacity = $4 FROM nights
WHERE rn.hotel_id = $1 AND rn.room_type = $2 AND rn.night = nights.night
"""


class PostgresRoomInventory:
    """RoomInventory over the room_nights table.

    A reservation is written with the booking that follows it (`PostgresBookings.add` takes it, into
    the event log's statement); any other use of the inventory, and the commit, write it first.
    """

    def __init__(self, transaction: Transaction, room_types: RoomTypeCache) -> None:
        self._transaction, self._room_types = transaction, room_types
        self._deferred: tuple[Stay, RoomType] | None = None

    async def reserve(self, stay: Stay, room_type: RoomType) -> None:
        await self.flush()
        self._deferred = (stay, room_type)

    def take_deferred(self, stay: Stay) -> RoomType | None:
        """The room type of the deferred reservation of this stay, which the caller now writes."""
        if self._deferred is None or self._deferred[0] != stay:
            return None
        room_type, self._deferred = self._deferred[1], None
        return room_type

    async def flush(self) -> None:
        """Write a deferred reservation on its own."""
        if self._deferred is None:
            return
        (stay, room_type), self._deferred = self._deferred, None
        try:
            row = await self._transaction.fetchrow(_RESERVE, *reservation_args(stay, room_type))
        except asyncpg.CheckViolationError as error:
            if error.constraint_name not in RESERVATION_CHECKS:
                raise
            raise no_room(stay, error) from None
        assert row is not None
        self.ensure_unchanged(stay, row["unchanged"])

    def ensure_unchanged(self, stay: Stay, unchanged: bool) -> None:
        """Raise RetryableConflictError unless the room type was as the booking read it; it then leaves
        the cache, and the command runs again on a fresh read."""
        if not unchanged:
            self._room_types.forget(stay.hotel_id)
            raise RetryableConflictError(f"room type {stay.room_type!r} of hotel {stay.hotel_id} changed")

    async def release(self, stay: Stay) -> None:
        await self.flush()
        await self._transaction.execute(
            _RELEASE, stay.hotel_id, stay.room_type, stay.check_in, stay.check_out
        )

    async def most_booked(self, hotel_id: UUID, room_type: str, from_night: date) -> int:
        await self.flush()
        booked = await self._transaction.fetchval(
            "SELECT coalesce(max(booked), 0) FROM room_nights"
            " WHERE hotel_id = $1 AND room_type = $2 AND night >= $3",
            hotel_id,
            room_type,
            from_night,
        )
        return int(booked)

    async def set_capacity(self, hotel_id: UUID, room_type: str, from_night: date, capacity: int) -> None:
        await self.flush()
        try:
            await self._transaction.execute(
                _SET_CAPACITY,
                hotel_id,
                room_type,
                from_night,
                capacity,
            )
        except asyncpg.CheckViolationError:
            raise CapacityBelowBookedError(
                f"room type {room_type!r} has more than {capacity} rooms booked on some night"
            ) from None
