"""Events of the Booking aggregate: a stay booked, its guest's contact changed, perhaps cancelled with the
refund that follows (the messages it asks for: `notifications`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from innkeeper_contracts.money import Money
from innkeeper_contracts.stay import MAX_NIGHTS
from innkeeper_contracts.values import (
    MAX_GUESTS,
    Email,
    Guest,
    GuestId,
    Reason,
    RoomTypeCode,
    check_out_of_a_stay,
    nights_of_the_stay,
)

from .base import BookingEvent

RefundPolicy = Literal["full", "half", "none"]


class StayBooked(BookingEvent):
    """A room was booked for every night from check-in to check-out.

    Version 2 added `booked_at`; version 1 data is lifted to it by `innkeeper_contracts.upcasting`."""

    schema_version: ClassVar[int] = 2

    room_type: RoomTypeCode
    guest: Guest
    check_in: date
    check_out: date
    nights: int = Field(ge=1, le=MAX_NIGHTS)
    guests: int = Field(ge=1, le=MAX_GUESTS)
    nightly_rate: Money
    total_price: Money = Field(description="The nightly rate times the nights, in the rate's currency.")
    booked_at: AwareDatetime = Field(
        description="When the guest booked (since version 2; version 1: the event's occurred_at)."
    )

    _check_out = field_validator("check_out")(check_out_of_a_stay)
    _nights = field_validator("nights")(nights_of_the_stay)

    @field_validator("total_price")
    @classmethod
    def _every_night_at_the_rate(cls, total: Money, info: ValidationInfo) -> Money:
        rate, nights = info.data.get("nightly_rate"), info.data.get("nights")
        if not isinstance(rate, Money) or not isinstance(nights, int):
            return total  # their own errors say what is wrong
        if total.currency != rate.currency:
            message = "total_price is in {total}, the nightly rate in {rate}"
            raise PydanticCustomError(
                "currency_mismatch", message, {"total": total.currency, "rate": rate.currency}
            )
        if total.amount != rate.amount * nights:
            message = "total_price is {total}, but {nights} nights at {rate} make {expected}"
            context = {"total": str(total.amount), "nights": nights, "rate": str(rate.amount)}
            raise PydanticCustomError(
                "total_mismatch", message, context | {"expected": str(rate.amount * nights)}
            )
        return total


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


class GuestContactChanged(BookingEvent):
    """The guest gave a new e-mail address for this booking: later messages about it go there."""

    guest_id: GuestId
    email: Email
    changed_at: AwareDatetime
