"""Room types a booking may use without reading them first: its reservation checks them.

A BookStay needs its room type (rooms, who fits, the nightly rate) and holds the row FOR SHARE until it
commits, so a capacity or rate change waits for it. Reading the row cost a round trip of its own per
command. Taken from here instead, the booking's reservation statement takes the same lock and compares
the row with the values the booking was decided on before it takes any night (`reservation`); when
they differ (a rate or capacity changed since) it writes nothing, the entry is dropped and the command
runs again with a fresh read. So a cached entry can make a command retry, never book at a stale rate or
capacity. Rejections made from an entry are as good as from a fresh read: the cache never holds a room
type without rooms, and who fits (`max_guests`) never changes once a hotel is registered. An entry also
carries its hotel's name, for the booking's confirmation, unchecked: no command renames a hotel.

One per app, made by the composition root and shared by its units of work; a hotel's entries go when
this process saves the hotel, others' changes are caught by the check.
"""

from __future__ import annotations

from uuid import UUID

from command_service.domain.hotel import RoomType

MAX_HOTELS = 20_000


class RoomTypeCache:
    """Room types by hotel and code, for at most `max_hotels` hotels (the oldest go first)."""

    def __init__(self, max_hotels: int = MAX_HOTELS) -> None:
        self._by_hotel: dict[UUID, dict[str, RoomType]] = {}
        self._max_hotels = max_hotels

    def get(self, hotel_id: UUID, code: str) -> RoomType | None:
        room_types = self._by_hotel.get(hotel_id)
        return None if room_types is None else room_types.get(code)

    def put(self, room_type: RoomType) -> None:
        """Remember a room type read under its lock (one without rooms is always read afresh)."""
        if room_type.capacity <= 0:
            return
        room_types = self._by_hotel.get(room_type.hotel_id)
        if room_types is None:
            if len(self._by_hotel) >= self._max_hotels:
                del self._by_hotel[next(iter(self._by_hotel))]
            room_types = self._by_hotel[room_type.hotel_id] = {}
        room_types[room_type.code] = room_type

    def forget(self, hotel_id: UUID) -> None:
        self._by_hotel.pop(hotel_id, None)
