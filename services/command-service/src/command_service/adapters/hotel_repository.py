"""Hotels and room types in PostgreSQL."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import asyncpg

from command_service.adapters.event_log import EventRecorder
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.hotel_writes import HotelInsert, HotelUpdate
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.domain.errors import HotelNotFoundError, RoomTypeNotFoundError
from command_service.domain.hotel import Hotel, RoomType
from innkeeper_contracts import Money

_LOAD = """
SELECT h.name AS hotel_name, h.city, h.stars, h.registered_at, h.management_email, h.version, rt.hotel_id,
       rt.code, rt.name, rt.capacity, rt.max_guests, rt.rate_amount, rt.rate_currency
FROM hotels h JOIN room_types rt ON rt.hotel_id = h.hotel_id WHERE h.hotel_id = $1 ORDER BY rt.code
"""

# A room type with its hotel's name (a booking tells the guest where they stay) in the same round trip.
# Only the room type is locked: a booking must not hold the hotel's row, which every change of the hotel
# updates (its version).
_LOCK = """
SELECT rt.hotel_id, rt.code, rt.name, rt.capacity, rt.max_guests, rt.rate_amount, rt.rate_currency,
       h.name AS hotel_name
FROM room_types rt JOIN hotels h ON h.hotel_id = rt.hotel_id
WHERE rt.hotel_id = $1 AND rt.code = $2 FOR {mode} OF rt
"""


def _room_type(row: asyncpg.Record) -> RoomType:
    rate = Money(amount=row["rate_amount"], currency=row["rate_currency"])
    return RoomType(
        row["hotel_id"], row["code"], row["name"], row["capacity"], row["max_guests"], rate, row["hotel_name"]
    )


class PostgresHotels:
    """HotelRepository over the hotels and room_types tables."""

    def __init__(
        self,
        transaction: Transaction,
        final: FinalStatement,
        recorder: EventRecorder,
        room_types: RoomTypeCache,
    ) -> None:
        self._transaction, self._final, self._recorder = transaction, final, recorder
        self._room_types = room_types

    async def add(self, hotel: Hotel) -> None:
        self._final.add(HotelInsert(hotel))
        self._recorder.collect(hotel)

    async def get(self, hotel_id: UUID, *, lock_room_type: str | None = None) -> Hotel:
        if lock_room_type is not None:
            await self._lock(hotel_id, lock_room_type, "UPDATE")
        rows = await self._transaction.fetch(_LOAD, hotel_id)
        if not rows:
            raise HotelNotFoundError(f"no hotel {hotel_id}")
        first = rows[0]
        return Hotel(
            hotel_id,
            name=first["hotel_name"],
            city=first["city"],
            stars=first["stars"],
            room_types=[_room_type(row) for row in rows],
            registered_at=first["registered_at"],
            management_email=first["management_email"],
            version=first["version"],
        )

    async def room_type_for_booking(self, hotel_id: UUID, code: str) -> RoomType:
        # From the cache the lock is taken by the reservation, which checks the row (room_type_cache).
        if (cached := self._room_types.get(hotel_id, code)) is not None:
            return cached
        room_type = _room_type(await self._lock(hotel_id, code, "SHARE"))
        self._room_types.put(room_type)
        return room_type

    async def _lock(self, hotel_id: UUID, code: str, mode: Literal["SHARE", "UPDATE"]) -> asyncpg.Record:
        # Bookings hold their room type FOR SHARE and capacity changes FOR UPDATE, so they take turns.
        row = await self._transaction.fetchrow(_LOCK.format(mode=mode), hotel_id, code)
        if row is not None:
            return row
        if await self._transaction.fetchval("SELECT 1 FROM hotels WHERE hotel_id = $1", hotel_id) is None:
            raise HotelNotFoundError(f"no hotel {hotel_id}")
        raise RoomTypeNotFoundError(f"hotel {hotel_id} has no room type {code!r}")

    async def save(self, hotel: Hotel) -> None:
        self._final.add(HotelUpdate(hotel, hotel.saved_version))
        self._room_types.forget(hotel.id)
        self._recorder.collect(hotel)
