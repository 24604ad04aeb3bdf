"""Events of the Hotel aggregate: registered, then its room types' capacities and rates change."""

from __future__ import annotations

from pydantic import Field

from innkeeper_contracts.money import Money, NightlyRate
from innkeeper_contracts.values import MAX_ROOMS, Name, RoomTypeCode, RoomTypes

from .base import HotelEvent


class HotelRegistered(HotelEvent):
    """A hotel joined, with its room types."""

    name: Name
    city: Name
    stars: int = Field(ge=1, le=5)
    room_types: RoomTypes


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
