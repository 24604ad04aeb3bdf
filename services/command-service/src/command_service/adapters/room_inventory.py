"""Rooms booked per night in PostgreSQL; `CHECK (booked <= capacity)` makes overbooking impossible."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.reservation import Reservation
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.domain.booking import Stay
from command_service.domain.errors import CapacityBelowBookedError
from command_service.domain.hotel import RoomType

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
    """RoomInventory over the room_nights table; a reservation is a write of the final statement."""

    def __init__(self, transaction: Transaction, final: FinalStatement, room_types: RoomTypeCache) -> None:
        self._transaction, self._final, self._room_types = transaction, final, room_types

    async def reserve(self, stay: Stay, room_type: RoomType) -> None:
        self._final.add(Reservation(stay, room_type, self._room_types))

    async def release(self, stay: Stay) -> None:
        await self._transaction.execute(
            _RELEASE, stay.hotel_id, stay.room_type, stay.check_in, stay.check_out
        )

    async def most_booked(self, hotel_id: UUID, room_type: str, from_night: date) -> int:
        booked = await self._transaction.fetchval(
            "SELECT coalesce(max(booked), 0) FROM room_nights"
            " WHERE hotel_id = $1 AND room_type = $2 AND night >= $3",
            hotel_id,
            room_type,
            from_night,
        )
        return int(booked)

    async def set_capacity(self, hotel_id: UUID, room_type: str, from_night: date, capacity: int) -> None:
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
