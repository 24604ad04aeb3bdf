"""Domain events: facts in the past tense, published in an `EventEnvelope`."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, field_validator

from .contract import Contract
from .money import MAX_NIGHTS, Money, NightlyRate
from .values import (
    MAX_GUESTS,
    MAX_ROOM_TYPES,
    MAX_ROOMS,
    Email,
    Guest,
    GuestId,
    Message,
    Name,
    Reason,
    RoomTypeCode,
    RoomTypeSpec,
    check_out_of_a_stay,
    nights_of_the_stay,
)

RefundPolicy = Literal["full", "half", "none"]
AlertKind = Literal["late_cancellation", "high_value_cancellation"]


class DomainEvent(Contract):
    """Base of every event: knows its aggregate type and its schema version."""

    aggregate_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    @classmethod
    def routing_key(cls) -> str:
        """`<aggregate>.<event>` in snake case, e.g. `booking.stay_booked`."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        return f"{cls.aggregate_type}.{snake}"


class HotelEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "hotel"
    hotel_id: UUID


class BookingEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "booking"
    booking_id: UUID
    hotel_id: UUID


class HotelRegistered(HotelEvent):
    """A hotel joined, with its room types."""

    name: Name
    city: Name
    stars: int = Field(ge=1, le=5)
    room_types: list[RoomTypeSpec] = Field(min_length=1, max_length=MAX_ROOM_TYPES)


class RoomCapacityChanged(HotelEvent):
    """A room type now has another number of rooms."""

    room_type: RoomTypeCode
    capacity: int = Field(ge=0, le=MAX_ROOMS)
    previous_capacity: int = Field(ge=0, le=MAX_ROOMS)


class NightlyRateSet(HotelEvent):
    """A room type has a new nightly rate for new bookings."""

    room_type: RoomTypeCode
    nightly_rate: NightlyRate
    previous_rate: Money = Field(description="The rate before (set before rates were bounded, maybe more).")


class StayBooked(BookingEvent):
    """A room was booked for every night from check-in to check-out."""

    room_type: RoomTypeCode
    guest: Guest
    check_in: date
    check_out: date
    nights: int = Field(ge=1, le=MAX_NIGHTS)
    guests: int = Field(ge=1, le=MAX_GUESTS)
    nightly_rate: Money
    total_price: Money

    _check_out = field_validator("check_out")(check_out_of_a_stay)
    _nights = field_validator("nights")(nights_of_the_stay)


class BookingCancelled(BookingEvent):
    """An active booking was cancelled; its nights are free again."""

    room_type: RoomTypeCode
    guest_id: GuestId
    check_in: date
    check_out: date
    reason: Reason
    cancelled_at: datetime
    refund_policy: RefundPolicy
    refund: Money

    _check_out = field_validator("check_out")(check_out_of_a_stay)


class RefundIssued(BookingEvent):
    """Money goes back to the guest of a cancelled booking (only when the amount is above zero)."""

    guest_id: GuestId
    amount: Money
    policy: RefundPolicy


class GuestNotificationRequested(BookingEvent):
    """A message to the guest should be sent (by a mailer listening for this event)."""

    guest_id: GuestId
    email: Email
    template: Literal["booking_cancelled"]
    refund: Money


class ManagementAlertRaised(BookingEvent):
    """Management should look at a cancellation: a late one, or one of high value."""

    alert_id: UUID
    kinds: list[AlertKind] = Field(min_length=1, max_length=2)
    message: Message
    total_price: Money
    refund: Money
    raised_at: datetime


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.event_type(): cls
    for cls in (
        HotelRegistered,
        RoomCapacityChanged,
        NightlyRateSet,
        StayBooked,
        BookingCancelled,
        RefundIssued,
        GuestNotificationRequested,
        ManagementAlertRaised,
    )
}
"""Event type name → model, for every event Innkeeper publishes."""

SIDE_EFFECT_EVENTS = frozenset({"RefundIssued", "GuestNotificationRequested", "ManagementAlertRaised"})
"""Events that ask the outside world to act; a replay of the log never publishes them again."""
