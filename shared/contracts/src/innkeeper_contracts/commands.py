"""Commands: tasks a person or a service wants done. Same JSON over HTTP and AMQP."""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID

from pydantic import Field, model_validator

from .values import BookingGuest, Contract, Money, Name, RoomTypeCode, RoomTypeSpec

MAX_NIGHTS = 30


class RegisterHotel(Contract):
    """Register a hotel with its room types."""

    hotel_id: UUID | None = Field(default=None, description="Chosen by the server when absent.")
    name: Name
    city: Name
    stars: int = Field(ge=1, le=5)
    room_types: list[RoomTypeSpec] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _codes_are_unique(self) -> Self:
        codes = [room_type.code for room_type in self.room_types]
        if len(codes) != len(set(codes)):
            raise ValueError("room type codes must be unique within a hotel")
        return self


class ChangeRoomCapacity(Contract):
    """Set how many rooms of a type a hotel has (never below what is booked on any night)."""

    hotel_id: UUID
    room_type: RoomTypeCode
    capacity: int = Field(ge=0, le=10_000)


class SetNightlyRate(Contract):
    """Set the price of one night in a room type, for bookings made from now on."""

    hotel_id: UUID
    room_type: RoomTypeCode
    nightly_rate: Money


class BookStay(Contract):
    """Book a room of a type for a guest, every night from check-in to check-out."""

    booking_id: UUID | None = Field(default=None, description="Chosen by the server when absent.")
    hotel_id: UUID
    room_type: RoomTypeCode
    guest: BookingGuest
    check_in: date
    check_out: date
    guests: int = Field(ge=1, le=20)

    @model_validator(mode="after")
    def _stay_is_one_to_thirty_nights(self) -> Self:
        nights = (self.check_out - self.check_in).days
        if nights < 1:
            raise ValueError("check_out must be after check_in")
        if nights > MAX_NIGHTS:
            raise ValueError(f"a stay is at most {MAX_NIGHTS} nights, not {nights}")
        return self


class CancelBooking(Contract):
    """Cancel an active booking: refund by policy, tell the guest, alert management if it matters."""

    booking_id: UUID
    reason: Name


Command = RegisterHotel | ChangeRoomCapacity | SetNightlyRate | BookStay | CancelBooking

COMMANDS: dict[str, type[Contract]] = {
    "RegisterHotel": RegisterHotel,
    "ChangeRoomCapacity": ChangeRoomCapacity,
    "SetNightlyRate": SetNightlyRate,
    "BookStay": BookStay,
    "CancelBooking": CancelBooking,
}
"""Command name (also its AMQP routing key) → model."""


# HTTP bodies: the path carries the ids, the body the rest.


class ChangeRoomCapacityBody(Contract):
    """Body of `POST /hotels/{hotel_id}/room-types/{code}/capacity`."""

    capacity: int = Field(ge=0, le=10_000)


class SetNightlyRateBody(Contract):
    """Body of `POST /hotels/{hotel_id}/room-types/{code}/rate`."""

    nightly_rate: Money


class CancelBookingBody(Contract):
    """Body of `POST /bookings/{booking_id}/cancel`."""

    reason: Name
