"""Answer examples of the query endpoints, for the OpenAPI document. Built from the contracts' own models,
so an example that no longer fits its document fails at build time, not in a client generator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from innkeeper_contracts import Money
from innkeeper_contracts.documents import (
    AlertPage,
    BookingDetail,
    BookingPage,
    BookingPageGuest,
    HotelCard,
    HotelDetail,
    HotelNight,
    HotelPage,
    ManagementAlert,
    RoomNight,
    RoomTypeCard,
    RoomTypeDetail,
)
from query_service.availability import hotel_availability
from query_service.models import Health

HOTEL_ID = UUID("2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d")
BOOKING_ID = UUID("6f1c2d7e-3b4a-4c5d-9e8f-0a1b2c3d4e5f")
GUEST_ID = "guest-42"
CHECK_IN, CHECK_OUT = date(2030, 7, 1), date(2030, 7, 4)
_AT = datetime(2030, 5, 2, 9, 30, tzinfo=UTC)
_RATE = Money(amount=Decimal("120.00"), currency="EUR")
_TOTAL = Money(amount=Decimal("360.00"), currency="EUR")

HOTEL = HotelDetail(
    hotel_id=HOTEL_ID,
    name="Hotel Seaside",
    city="Lisbon",
    stars=4,
    room_types=[RoomTypeDetail(code="DBL", name="Double", capacity=10, max_guests=2, nightly_rate=_RATE)],
    registered_at=_AT,
    version=1,
)
CARD = HotelCard(
    hotel_id=HOTEL_ID,
    name="Hotel Seaside",
    city="Lisbon",
    stars=4,
    price_from=_RATE,
    price_from_minor=12000,
    room_types=[
        RoomTypeCard(code="DBL", name="Double", capacity=10, max_guests=2, nightly_rate=_RATE, full_nights=[])
    ],
    version=1,
)
BOOKING = BookingDetail(
    booking_id=BOOKING_ID,
    hotel_id=HOTEL_ID,
    hotel_name="Hotel Seaside",
    city="Lisbon",
    room_type="DBL",
    guest=BookingPageGuest(guest_id=GUEST_ID, name="Ada Lovelace", email="ada@example.org"),
    check_in=CHECK_IN,
    check_out=CHECK_OUT,
    nights=3,
    guests=2,
    nightly_rate=_RATE,
    total_price=_TOTAL,
    status="active",
    booked_at=_AT,
    version=1,
)
ALERT = ManagementAlert(
    alert_id=UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"),
    hotel_id=HOTEL_ID,
    hotel_name="Hotel Seaside",
    booking_id=BOOKING_ID,
    kinds=["late_cancellation"],
    message="Booking cancelled 1 day before check-in",
    total_price=_TOTAL,
    refund=Money(amount=Decimal("0.00"), currency="EUR"),
    raised_at=_AT,
)
_BOOKED_NIGHT = HotelNight(
    hotel_id=HOTEL_ID,
    night=CHECK_IN,
    room_types=[RoomNight(room_type="DBL", capacity=10, booked=3, free=7)],
    booked=3,
    capacity=10,
)
AVAILABILITY = hotel_availability(HOTEL, [_BOOKED_NIGHT], CHECK_IN, CHECK_OUT)


def with_example(
    responses: dict[int | str, dict[str, Any]], model: BaseModel
) -> dict[int | str, dict[str, Any]]:
    """`responses` with `model` as the example of the 200 answer."""
    example = {"content": {"application/json": {"example": model.model_dump(mode="json")}}}
    return {**responses, 200: {**responses.get(200, {}), **example}}


SEARCH = HotelPage(items=[CARD], next_cursor=None)
GUEST_BOOKINGS = BookingPage(items=[BOOKING], next_cursor=None)
ALERTS = AlertPage(items=[ALERT], next_cursor=None)
HEALTHY = Health(status="ok")
