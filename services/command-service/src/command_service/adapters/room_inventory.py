"""Rooms booked per night in PostgreSQL; `CHECK (booked <= capacity)` makes overbooking impossible."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.night_writes import CapacitySet, NightsReleased
from command_service.adapters.reservation import Reservation
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.domain.booking import Stay
from command_service.domain.hotel import RoomType


class PostgresRoomInventory:
    """RoomInventory over the room_nights table; its writes go into the final statement."""

    def __init__(self, transaction: Transaction, final: FinalStatement, room_types: RoomTypeCache) -> None:
        self._transaction, self._final, self._room_types = transaction, final, room_types

    async def reserve(self, stay: Stay, room_type: RoomType) -> None:
        self._final.add(Reservation(stay, room_type, self._room_types))

    async def release(self, stay: Stay) -> None:
        self._final.add(NightsReleased(stay.hotel_id, stay.room_type, stay.check_in, stay.check_out))

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
        self._final.add(CapacitySet(hotel_id, room_type, from_night, date.max, capacity))
