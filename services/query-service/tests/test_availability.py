"""Availability per night: stored nights as they are, other nights free at the detail's capacities."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from innkeeper_contracts import Money
from innkeeper_contracts.documents import HotelDetail, HotelNight, RoomNight, RoomTypeDetail
from query_service.availability import hotel_availability

RATE = Money(amount=Decimal("80.00"), currency="EUR")


def detail() -> HotelDetail:
    rooms = [
        RoomTypeDetail(code=code, name=code, capacity=cap, max_guests=2, nightly_rate=RATE)
        for code, cap in (("DBL", 3), ("SGL", 1))
    ]
    return HotelDetail(
        hotel_id=uuid4(),
        name="H",
        city="C",
        stars=3,
        room_types=rooms,
        registered_at=datetime(2026, 1, 1, tzinfo=UTC),
        version=1,
    )


def test_nights_without_documents_are_fully_free() -> None:
    hotel = detail()
    answer = hotel_availability(hotel, [], date(2027, 1, 1), date(2027, 1, 3))
    assert [n.night for n in answer.nights] == [date(2027, 1, 1), date(2027, 1, 2)]
    assert all(n.booked == 0 and n.capacity == 4 for n in answer.nights)
    assert [(r.room_type, r.free) for r in answer.nights[0].room_types] == [("DBL", 3), ("SGL", 1)]


def test_stored_nights_win_and_missing_room_types_are_added() -> None:
    hotel = detail()
    stored = HotelNight(
        hotel_id=hotel.hotel_id,
        night=date(2027, 1, 2),
        room_types=[
            RoomNight(room_type="DBL", capacity=3, booked=3, free=0),
            RoomNight(room_type="OLD", capacity=1, booked=1, free=0),
        ],
        booked=4,
        capacity=4,
    )
    night = hotel_availability(hotel, [stored], date(2027, 1, 2), date(2027, 1, 3)).nights[0]
    assert [(r.room_type, r.booked, r.free) for r in night.room_types] == [
        ("DBL", 3, 0),
        ("SGL", 0, 1),
        ("OLD", 1, 0),
    ]
    assert (night.booked, night.capacity) == (4, 5)
