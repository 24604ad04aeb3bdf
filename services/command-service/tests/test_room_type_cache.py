"""The room type cache: what it keeps, for how many hotels, and what it forgets."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.domain.hotel import RoomType
from innkeeper_contracts import Money

RATE = Money(amount=Decimal("90.00"), currency="EUR")


def room_type(capacity: int = 4, code: str = "DBL", hotel_id: UUID | None = None) -> RoomType:
    return RoomType(hotel_id or uuid4(), code, "Double", capacity, 2, RATE, "Harbour Inn")


def test_keeps_room_types_by_hotel_and_code_but_never_one_without_rooms() -> None:
    cache, kept, empty = RoomTypeCache(), room_type(), room_type(capacity=0)
    cache.put(kept)
    cache.put(empty)
    assert cache.get(kept.hotel_id, "DBL") is kept
    assert cache.get(kept.hotel_id, "STD") is None
    assert cache.get(empty.hotel_id, "DBL") is None  # a rejection for no rooms is always read afresh


def test_forgets_a_hotel_and_drops_the_oldest_hotel_when_full() -> None:
    cache = RoomTypeCache(max_hotels=2)
    first, second, third = room_type(), room_type(), room_type()
    for entry in (first, second):
        cache.put(entry)
    cache.put(room_type(code="STD", hotel_id=first.hotel_id))  # a known hotel takes no new slot
    cache.put(third)
    assert cache.get(first.hotel_id, "DBL") is None
    assert cache.get(second.hotel_id, "DBL") is second
    cache.forget(second.hotel_id)
    assert cache.get(second.hotel_id, "DBL") is None
    assert cache.get(third.hotel_id, "DBL") is third
