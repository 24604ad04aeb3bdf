"""Commands with sensible defaults for tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from innkeeper_contracts import BookingGuest, BookStay, Money, RegisterHotel, RoomTypeSpec, SealedGuest

RATE = Money(amount=Decimal("120.00"), currency="EUR")


def register_hotel(hotel_id: UUID | None = None, capacity: int = 2, max_guests: int = 2) -> RegisterHotel:
    room = RoomTypeSpec(
        code="DBL", name="Double", capacity=capacity, max_guests=max_guests, nightly_rate=RATE
    )
    return RegisterHotel(hotel_id=hotel_id or uuid4(), name="Inn", city="Oslo", stars=3, room_types=[room])


def book_stay(hotel_id: UUID, check_in: date, nights: int = 2, **changes: Any) -> BookStay:
    fields: dict[str, Any] = {
        "hotel_id": hotel_id,
        "room_type": "DBL",
        "guest": BookingGuest(guest_id="g-1", name="Ann", email="ann@example.com"),
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "guests": 2,
    }
    return BookStay(**{**fields, **changes})


def guest_of(command: BookStay) -> SealedGuest:
    """The command's guest as the domain takes it (the handler seals it; the domain never opens it)."""
    guest = command.guest
    return SealedGuest(guest_id=guest.guest_id or "g-1", name=guest.name, email=guest.email)
