"""Events of the Hotel aggregate: registered, then its room types' capacities and rates change, and
whom management alerts go to."""

from __future__ import annotations

from pydantic import Field

from innkeeper_contracts.money import Money, NightlyRate
from innkeeper_contracts.values import MAX_ROOMS, Email, Name, RoomTypeCode, RoomTypes

from .base import HotelEvent


class HotelRegistered(HotelEvent):
    """A hotel joined, with its room types."""

    name: Name
    city: Name
    stars: int = Field(ge=1, le=5)
    room_types: RoomTypes
    management_email: Email | None = Field(
        default=None, description="Where management alerts go; absent: none are mailed."
    )


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


class ManagementContactSet(HotelEvent):
    """Management alerts of the hotel go to this address from now on."""

    email: Email
    previous_email: Email | None = Field(description="None when the hotel had no management contact.")
